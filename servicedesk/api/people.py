"""People, for the provider's administrators and dispatchers (`accounts.view_people`; anyone
else: 404): the list, inviting a person (the accounts services: a customer with their
companies, invited by email or SMS), deactivating one (signed out everywhere, their tokens
refused from the next call), and importing a CSV/XLSX file with the back office's import code —
checked row by row, applied only when every row is valid (`apply=true`), else nothing
changes. Who may manage whom is the back office's rule: a dispatcher manages customers, an
administrator everyone (`accounts.manage_user`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from servicedesk.accounts import imports
from servicedesk.accounts.models import Role, User
from servicedesk.accounts.services import user_create, user_deactivate
from servicedesk.accounts.services.users import MembershipData
from servicedesk.api.errors import ApiError, responses
from servicedesk.api.lists import keyset_page
from servicedesk.api.pagination import PageParams
from servicedesk.customers.access import access_company

router = Router(tags=["people"])
BY_ID = [("id", False)]


class PersonOut(Schema):
    id: int
    full_name: str
    email: str | None
    phone: str
    position: str
    role: str
    language: str
    is_active: bool
    company_ids: list[int]


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class PeopleFilters(Schema):
    role: Role | None = None
    active: bool | None = None
    company_id: int | None = Field(None, ge=1)
    q: str | None = Field(None, max_length=200, description="Part of the name or email.")


class PersonIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    email: str | None = Field(None, max_length=254)
    phone: str = Field("", max_length=30)
    position: str = Field("", max_length=200)
    language: str = Field("", pattern="^(|ru|en)$")
    company_ids: list[int] = Field(
        default_factory=list, max_length=50, description="A customer's companies (whole)."
    )


class ImportRowOut(Schema):
    line: int
    action: str = Field(description="create, update, unchanged or error.")
    errors: list[str]
    changes: list[str]
    full_name: str
    email: str


class ImportOut(Schema):
    applied: bool
    counts: dict[str, int]
    rows: list[ImportRowOut]
    created_ids: list[int]
    updated_ids: list[int]


def _viewer(request: HttpRequest) -> Any:
    if not request.user.has_perm("accounts.view_people"):
        raise Http404
    return request.user


def _person(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "phone": str(user.phone or ""),
        "position": user.position,
        "role": user.role,
        "language": user.language,
        "is_active": user.is_active,
        "company_ids": sorted(m.company_id for m in user.memberships.all()),
    }


@router.get(
    "/people",
    response=responses({200: PersonPage}, 404),
    summary="People",
    description="Staff and customers (administrators, dispatchers). Пользователи.",
)
def person_list(
    request: HttpRequest, filters: Query[PeopleFilters], page: Query[PageParams]
) -> dict[str, Any]:
    _viewer(request)
    rows = User.objects.prefetch_related("memberships")
    if filters.role:
        rows = rows.filter(role=filters.role)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    if filters.company_id:
        rows = rows.filter(memberships__company_id=filters.company_id)
    if filters.q:
        rows = rows.filter(Q(full_name__icontains=filters.q) | Q(email__icontains=filters.q))
    items, cursor = keyset_page(rows.order_by("id"), BY_ID, page, "people")
    return {"items": [_person(u) for u in items], "next_cursor": cursor}


@router.post(
    "/people",
    response=responses({201: PersonOut}, 404),
    summary="Invite a person",
    description="Creates the person and sends the invitation. Пригласить пользователя.",
)
def person_invite(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    by = _viewer(request)
    needed = "accounts.manage_user" if payload.role == Role.CUSTOMER else "accounts.manage_staff"
    if not by.has_perm(needed, User(role=payload.role)):
        raise ApiError(403, "forbidden", _("You may not invite this kind of person."))
    memberships = [
        MembershipData(company=access_company(by, pk)) for pk in dict.fromkeys(payload.company_ids)
    ]
    user = user_create(
        by=by,
        full_name=payload.full_name,
        role=payload.role,
        email=payload.email,
        phone=payload.phone,
        position=payload.position,
        language=payload.language,
        memberships=memberships if payload.role == Role.CUSTOMER else (),
        send_invitation=True,
        request=request,
    )
    return Status(201, _person(User.objects.prefetch_related("memberships").get(pk=user.pk)))


@router.post(
    "/people/{person_id}/deactivate",
    response=responses({200: PersonOut}, 404),
    summary="Deactivate a person",
    description="Signed out everywhere; their API tokens stop working on the next call.",
)
def person_deactivate(request: HttpRequest, person_id: int) -> dict[str, Any]:
    by = _viewer(request)
    person = User.objects.prefetch_related("memberships").filter(pk=person_id).first()
    if person is None or not by.has_perm("accounts.manage_user", person):
        raise Http404
    user_deactivate(by=by, user=person, request=request)
    return _person(person)


@router.post(
    "/people/import",
    response=responses({200: ImportOut}, 404),
    summary="Import people from a file",
    description="CSV or XLSX with the back office's columns. Without `apply`, a preview; with "
    "`apply=true`, applied when every row is valid (else 400 and nothing changes). "
    "Импорт пользователей.",
)
def person_import(
    request: HttpRequest,
    file: File[UploadedFile],
    apply: Form[bool] = False,
    invite: Form[bool] = False,
) -> dict[str, Any]:
    by = _viewer(request)
    if not by.has_perm("accounts.import_people"):
        raise Http404
    limit = settings.PEOPLE_IMPORT_MAX_BYTES
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "too_large", _("The file is too large."))
    try:
        rows = imports.source_rows(
            imports.read_table(data, max_rows=settings.PEOPLE_IMPORT_MAX_ROWS)
        )
    except imports.ImportFileError as error:
        message = str(error.message)
        raise ApiError(400, str(error.code), message, fields={"file": [message]}) from None
    plan = imports.import_plan(rows, by=by)
    answer: dict[str, Any] = {
        "applied": False,
        "counts": plan.counts,
        "rows": [
            {
                "line": row.line,
                "action": row.action,
                "errors": [str(e) for e in row.errors],
                "changes": [str(c) for c in row.changes],
                "full_name": row.full_name,
                "email": row.email,
            }
            for row in plan.rows
        ],
        "created_ids": [],
        "updated_ids": [],
    }
    if not apply:
        return answer
    if not plan.is_valid:
        raise ApiError(
            400,
            "not_applied",
            _("Some rows are not valid; nothing was imported."),
            fields={f"line {row.line}": [str(e) for e in row.errors] for row in plan.rows
                    if row.errors},
        )  # fmt: skip
    result = imports.people_import_apply(
        by=by,
        rows=rows,
        previewed_actions=plan.actions,
        send_invitations=invite,
        file_name=file.name or "",
        request=request,
    )
    answer.update(
        applied=True,
        created_ids=[u.pk for u in result.created],
        updated_ids=[u.pk for u in result.updated],
    )
    return answer
