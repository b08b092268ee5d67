"""Tickets: the list (the pages' filters, search and sorting, cursor pages), one ticket, filing
one (a customer for themselves, staff for a customer's person) and staff editing its fields
(If-Match required). Reads go through the same selectors and `visible_to()` as the pages;
changes through the same services."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from servicedesk.accounts.models import User
from servicedesk.api import pagination
from servicedesk.api.common import (
    caller,
    etag,
    forbidden_fields,
    if_match,
    not_found,
    one,
    required,
)
from servicedesk.api.errors import ApiError, responses
from servicedesk.api.ticket_schemas import (
    TicketCreateIn,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
    ref,
)
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.customers.reference import reference_rows
from servicedesk.tickets import selectors, workflow
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Origin, Ticket
from servicedesk.tickets.services import TicketData, ticket_create, ticket_update

router = Router(tags=["tickets"])

# Sorts on the ticket's own NOT NULL columns page by keyset (any depth at index speed); the
# others (a related name, the deadline) by offset, up to pagination.MAX_OFFSET rows deep.
KEYSET_SORTS = {
    "created": "created_at",
    "number": "number",
    "status": "status",
    "subject": "subject",
}
StatusFilter = Literal[
    "open", "finished", "new", "assigned", "in_progress", "waiting", "resolved", "closed",
    "cancelled",
]  # fmt: skip


class TicketFiltersIn(Schema):
    view: str | None = Field(
        None,
        description="Customers: company, mine, recent (default: company when the membership "
        "sees the company's tickets, else mine). Staff: all (default), new, overdue, due_soon, "
        "waiting, mine.",
    )
    q: str | None = Field(None, max_length=200, description="Number, subject or description.")
    status: StatusFilter | None = Field(None, description="A stage, or open / finished (any).")
    type: int | None = Field(None, description="Ticket type id.")
    criticality: int | None = None
    company: int | None = None
    site: int | None = Field(None, description="The site or anything beneath it.")
    equipment: int | None = None
    work_type: int | None = None
    assignee: int | None = Field(None, description="Staff only.")
    created_from: dt.date | None = Field(None, description="Opened on or after (YYYY-MM-DD).")
    created_to: dt.date | None = Field(None, description="Opened on or before.")
    sort: str | None = Field(
        None,
        max_length=20,
        description="number, company, contact, subject, status, created, due, assignee "
        "(staff: also criticality); `-` first for descending. Default -created.",
    )


def _status_label(user: User) -> Any:
    return workflow.staff_status_label if user.is_provider_staff else workflow.customer_status_label


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "full_name": user.full_name}


def list_item(ticket: Ticket, label: Any) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": str(label(ticket.status)),
        "company": {"id": ticket.company_id, "name": ticket.company.name},
        "contact": _person(ticket.contact),
        "assignee": _person(ticket.assignee),
        "created_at": ticket.created_at,
        "due_at": ticket.due_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
    }


def _invalid(field: str, message: Any) -> ApiError:
    return ApiError(
        422, "validation", _("Some fields are not valid."), fields={field: [str(message)]}
    )


def _filters(user: User, data: TicketFiltersIn) -> selectors.TicketFilters:
    """The filters, every id checked against what the caller may see (404 otherwise: the
    same for another company's id as for a missing one)."""
    references = {"type": TicketType, "criticality": Criticality, "work_type": WorkType}
    asked = [model for name, model in references.items() if getattr(data, name) is not None]
    rows = reference_rows(*asked) if asked else {}
    for name, model in references.items():
        value = getattr(data, name)
        if value is not None and value not in rows[model]:
            raise not_found(name)
    if (
        data.company is not None
        and not Company.objects.visible_to(user).filter(pk=data.company).exists()
    ):
        raise not_found("company")
    site_path = ""
    if data.site is not None:
        path = Site.objects.visible_to(user).filter(pk=data.site).values_list("path", flat=True)
        found = list(path[:1])
        if not found:
            raise not_found("site")
        site_path = found[0]
    if (
        data.equipment is not None
        and not Equipment.objects.visible_to(user).filter(pk=data.equipment).exists()
    ):
        raise not_found("equipment")
    if data.created_from and data.created_to and data.created_from > data.created_to:
        raise _invalid("created_to", _("The end is before the start."))
    return selectors.TicketFilters(
        status=data.status or "",
        ticket_type_id=data.type,
        criticality_id=data.criticality,
        company_id=data.company,
        site_id=data.site,
        site_path=site_path,
        equipment_id=data.equipment,
        work_type_id=data.work_type,
        created_from=data.created_from,
        created_to=data.created_to,
        q=(data.q or "").strip(),
    )


def ticket_queryset(user: User, data: TicketFiltersIn) -> tuple[Any, str, str]:
    """The caller's list (the portal's for customers, the queue for staff), its view and sort."""
    filters = _filters(user, data)
    sort = (data.sort or selectors.DEFAULT_SORT).strip()
    if user.is_provider_staff:
        view = data.view or selectors.QUEUE_ALL
        if view not in selectors.QUEUE_VIEWS:
            raise _invalid("view", _("Not one of: %s.") % ", ".join(selectors.QUEUE_VIEWS))
        if sort.lstrip("-") not in selectors.QUEUE_SORTS:
            raise _invalid("sort", _("Not a sort of this list."))
        if (
            data.assignee is not None
            and not User.objects.filter(
                pk=data.assignee, role__in=("admin", "dispatcher", "engineer")
            ).exists()
        ):
            raise not_found("assignee")
        queryset = selectors.staff_queue(user, view, filters, sort, assignee_id=data.assignee)
        return queryset, view, sort
    if data.assignee is not None:
        raise _invalid("assignee", _("Not a filter of your lists."))
    views = selectors.ticket_views_for(user)
    view = data.view or views[0]
    if view not in views:
        raise _invalid("view", _("Not one of: %s.") % ", ".join(views))
    if not data.sort and view == selectors.VIEW_RECENT:
        sort = ""  # the most recently viewed first
    elif sort.lstrip("-") not in selectors.SORTS:
        raise _invalid("sort", _("Not a sort of this list."))
    return selectors.ticket_list_for_customer(user, view, filters, sort), view, sort


def ticket_list_page(
    user: User, data: TicketFiltersIn, page: pagination.PageParams
) -> dict[str, Any]:
    queryset, view, sort = ticket_queryset(user, data)
    kind = f"tickets:{view}:{sort}"
    key = sort.lstrip("-")
    label = _status_label(user)
    if key in KEYSET_SORTS:
        descending = sort.startswith("-")
        order = [(KEYSET_SORTS[key], descending), ("id", descending)]
        queryset = pagination.keyset_filter(queryset, order, page, kind)
        tickets = selectors.ticket_page(queryset, 0, page.limit + 1, (*selectors.LIST_COLUMNS,))
        tickets, cursor = pagination.keyset_next(tickets, order, page, kind)
    else:
        start = pagination.offset_start(page, kind)
        tickets = selectors.ticket_page(queryset, start, start + page.limit + 1)
        cursor = pagination.offset_next(start, len(tickets), page, kind)
        tickets = tickets[: page.limit]
    return {"items": [list_item(t, label) for t in tickets], "next_cursor": cursor}


@router.get(
    "/tickets",
    response=responses({200: TicketPage}, 404),
    summary="List tickets",
    description="The tickets the caller may see, as their lists in the portal or the back "
    "office show them: the same views, filters, search and sorting. Pages by cursor. "
    "Заявки, видимые вызывающему: те же представления, фильтры, поиск и сортировка.",
)
def ticket_list(
    request: HttpRequest,
    filters: Query[TicketFiltersIn],
    page: Query[pagination.PageParams],
) -> dict[str, Any]:
    return ticket_list_page(caller(request), filters, page)


def ticket_detail_data(user: User, ticket: Ticket) -> dict[str, Any]:
    label = _status_label(user)
    refs = ("ticket_type", "criticality", "work_type")
    data: dict[str, Any] = {
        name: None
        if getattr(ticket, f"{name}_id") is None
        else {
            "id": getattr(ticket, name).pk,
            "code": getattr(ticket, name).code,
            "name": getattr(ticket, name).name,
        }
        for name in refs
    }
    return {
        **data,
        "number": ticket.number,
        "version": ticket.version,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "status_label": str(label(ticket.status)),
        "origin": ticket.origin,
        "company": {"id": ticket.company_id, "name": ticket.company.name},
        "contact": _person(ticket.contact),
        "assignee": _person(ticket.assignee),
        "site": ref(ticket.site),
        "equipment": ref(ticket.equipment),
        "contract": ref(ticket.contract),
        "product": ref(ticket.product),
        "country": str(ticket.country or ""),
        "resolution": ticket.resolution,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "due_at": ticket.due_at,
        "first_response_due_at": ticket.first_response_due_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "following": selectors.ticket_is_followed(user, ticket),
        "transitions": [t.code for t in workflow.transitions_for(user, ticket)],
    }


def ticket_answer(user: User, number: str, response: HttpResponse) -> dict[str, Any]:
    """The ticket as the caller sees it (read afresh), its version as the ETag."""
    ticket = access_ticket(user, number)
    response["ETag"] = etag(ticket.version)
    return ticket_detail_data(user, ticket)


@router.get(
    "/tickets/{number}",
    response=responses({200: TicketOut}, 404),
    summary="One ticket",
    description='The ticket, with `ETag: "<version>"` for a later `If-Match`. Another '
    "company's ticket answers 404, exactly as a missing one. Одна заявка.",
)
def ticket_get(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    return ticket_answer(caller(request), number, response)


STAFF_CREATE_FIELDS = {"contact", "origin"}


@router.post(
    "/tickets",
    response=responses({201: TicketOut}, 404),
    summary="File a ticket",
    description="A customer files for themselves (`contact` and `origin` are staff's: 403 "
    "`field`); staff file for a customer's person (`contact` required). Ids the caller "
    "cannot use answer 404 naming the field. Создать заявку.",
)
def ticket_new(
    request: HttpRequest, payload: TicketCreateIn, response: HttpResponse
) -> Status[dict[str, Any]]:
    user = caller(request)
    sent = payload.model_fields_set
    contact: User | None = None
    origin: str = Origin.API
    if user.is_customer:
        if STAFF_CREATE_FIELDS & sent:
            raise forbidden_fields(STAFF_CREATE_FIELDS & sent)
    else:
        if payload.contact is None:
            raise ApiError(
                422,
                "validation",
                _("Some fields are not valid."),
                fields={"contact": [_("Choose the customer's person the ticket is for.")]},
            )
        contact = one(User.objects.filter(role="customer"), payload.contact, "contact")
        origin = payload.origin
    ticket_type = required(
        TicketType.objects.filter(is_active=True), payload.ticket_type, "ticket_type"
    )
    criticality = required(
        Criticality.objects.filter(is_active=True), payload.criticality, "criticality"
    )
    active = Company.objects.visible_to(user).filter(is_active=True)
    company = required(active, payload.company, "company")
    data = TicketData(
        subject=payload.subject,
        description=payload.description,
        ticket_type=ticket_type,
        criticality=criticality,
        company=company,
        site=one(Site.objects.visible_to(user), payload.site, "site"),
        equipment=one(Equipment.objects.visible_to(user), payload.equipment, "equipment"),
        work_type=one(WorkType.objects.filter(is_active=True), payload.work_type, "work_type"),
        contract=one(Contract.objects.visible_to(user), payload.contract, "contract"),
        product=one(Product.objects.filter(is_active=True), payload.product, "product"),
        country=payload.country.upper(),
    )
    ticket = ticket_create(by=user, data=data, origin=origin, contact=contact)
    response["Location"] = f"/api/v1/tickets/{ticket.number}"
    return Status(201, ticket_answer(user, ticket.number, response))


REFERENCE_MODELS: dict[str, Any] = {
    "ticket_type": TicketType,
    "criticality": Criticality,
    "work_type": WorkType,
    "product": Product,
}
PLACE_MODELS: dict[str, Any] = {"site": Site, "equipment": Equipment, "contract": Contract}
REQUIRED = {"subject", "ticket_type", "criticality"}


@router.patch(
    "/tickets/{number}",
    response=responses({200: TicketOut}, 404, 409, 412, 428),
    summary="Change a ticket's fields (staff)",
    description='Only the fields sent change. `If-Match: "<version>"` is required: '
    "without it 428, with a stale version 412 — nothing is changed. Customers change no "
    "field (403 `field`). Изменить поля заявки (сотрудники), нужен If-Match.",
)
def ticket_patch(
    request: HttpRequest, number: str, payload: TicketUpdateIn, response: HttpResponse
) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket(user, number)
    sent = set(payload.model_fields_set)
    if not user.is_provider_staff:
        raise forbidden_fields(sent or {"__all__"})
    version = if_match(request, ticket.version, required=True)
    if not sent:
        raise _invalid("__all__", _("Send at least one field to change."))
    nulls = sorted(name for name in sent & REQUIRED if getattr(payload, name) is None)
    if nulls:
        raise _invalid(nulls[0], _("This field cannot be empty."))
    changes: dict[str, Any] = {}
    for name in sorted(sent):
        value = getattr(payload, name)
        if name in REFERENCE_MODELS:
            value = one(REFERENCE_MODELS[name].objects.all(), value, name)
        elif name in PLACE_MODELS:
            value = one(PLACE_MODELS[name].objects.visible_to(user), value, name)
        elif name in ("description", "country") and value is None:
            value = ""
        changes[name] = value
    try:
        ticket_update(by=user, ticket=ticket, changes=changes, expected_version=version)
    except ApplicationError as error:
        if error.code == ErrorCode.CONFLICT:  # changed between the check and the lock
            raise ApiError(412, "precondition_failed", error.message) from error
        raise
    return ticket_answer(user, number, response)
