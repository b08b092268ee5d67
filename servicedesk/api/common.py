"""What the routers share: the caller as a User, write-permission gates, id lookups that answer
404 for another company's object exactly as for a missing one, and If-Match."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.api.errors import ApiError

M = TypeVar("M", bound=Model)


def caller(request: HttpRequest) -> User:
    user: Any = request.user
    return user  # type: ignore[no-any-return]


def not_found(field: str) -> ApiError:
    """A body or filter id the caller cannot use: the same answer whether it is another
    company's or does not exist."""
    return ApiError(404, "not_found", _("Not found."), fields={field: [_("Not found.")]})


def one(queryset: QuerySet[M], pk: int | None, field: str) -> M | None:
    """The row `pk` among `queryset` (already scoped to the caller), None for None, or 404."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise not_found(field)
    return found


def required(queryset: QuerySet[M], pk: int, field: str) -> M:
    found = one(queryset, pk, field)
    if found is None:  # pragma: no cover (pk is never None here)
        raise not_found(field)
    return found


def forbidden_fields(fields: set[str] | list[str], message: Any = None) -> ApiError:
    names = sorted(fields)
    return ApiError(
        403,
        "field",
        message or _("You may not set these fields: %(fields)s.") % {"fields": ", ".join(names)},
        fields={name: [_("Not yours to set.")] for name in names},
    )


def if_match(request: HttpRequest, current: int, *, required: bool) -> int | None:
    """The version the caller's change is made against (`If-Match: "<version>"`): missing and
    required → 428; not the current one → 412. Nothing is changed in either case."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        if required:
            raise ApiError(
                428,
                "precondition_required",
                _('Send If-Match with the ticket\'s ETag (e.g. If-Match: "3").'),
            )
        return None
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit() or int(value) != current:
        raise ApiError(
            412,
            "precondition_failed",
            _("The ticket changed since you read it; read it again (its ETag) and retry."),
        )
    return int(value)


def etag(version: int) -> str:
    return f'"{version}"'
