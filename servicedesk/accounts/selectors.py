"""Reads about people shared by the People pages, the export and the API."""

import re
from datetime import datetime
from typing import Any

from django.db.models import Count, F, OrderBy, Prefetch, Q, QuerySet

from servicedesk.accounts.models import STAFF_ROLES, AuditEvent, Membership, Role, User


class PeopleKind:
    CUSTOMERS = "customers"
    EMPLOYEES = "employees"


class PeopleStatus:
    ACTIVE = "active"
    INACTIVE = "inactive"
    INVITED = "invited"  # invited, has not set a password yet


def user_list(
    *,
    kind: str = PeopleKind.CUSTOMERS,
    q: str = "",
    role: str = "",
    company_id: int | None = None,
    status: str = "",
    order: str = "full_name",
) -> QuerySet[User]:
    """People for the back office's lists and the export, with their companies prefetched.

    Only the provider's staff call this (the People pages are staff-only), so it is not scoped.
    """
    qs = User.objects.all()
    if kind == PeopleKind.EMPLOYEES:
        qs = qs.filter(role__in=STAFF_ROLES)
    else:
        qs = qs.filter(role=Role.CUSTOMER)
    if role:
        qs = qs.filter(role=role)
    if company_id:
        qs = qs.filter(memberships__company_id=company_id)
    if status == PeopleStatus.ACTIVE:
        qs = qs.filter(is_active=True)
    elif status == PeopleStatus.INACTIVE:
        qs = qs.filter(is_active=False)
    elif status == PeopleStatus.INVITED:
        qs = qs.filter(is_active=True, activated_at__isnull=True)
    for word in q.split():
        # Case-insensitive for Cyrillic too, on SQLite as well (servicedesk/core/sqlite.py).
        match = (
            Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(full_name__icontains=word)
            | Q(position__icontains=word)
        )
        # Phones are stored as +79123456789: "912 345-67" should find them too.
        digits = re.sub(r"\D", "", word)
        if len(digits) >= 3 and digits != word:
            match |= Q(phone__contains=digits)
        qs = qs.filter(match)
    # registered_from: the equipment a self-registered customer came from (its passport).
    return (
        qs.order_by(_people_order(order), "pk")
        .select_related("registered_from")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("company").order_by("company__name"),
            )
        )
    )


PEOPLE_ORDERS = frozenset(
    {"full_name", "-full_name", "email", "-email", "last_login", "-last_login",
     "created_at", "-created_at"}
)  # fmt: skip


def _people_order(order: str) -> str | OrderBy:
    if order not in PEOPLE_ORDERS:
        return "full_name"
    if order.lstrip("-") == "last_login":
        # People who never signed in go last whichever way the column is sorted.
        field = F("last_login")
        return field.desc(nulls_last=True) if order.startswith("-") else field.asc(nulls_last=True)
    return order


def people_counts() -> dict[str, Any]:
    """How many employees and customers there are (for the tabs)."""
    return User.objects.aggregate(
        employees=Count("pk", filter=Q(role__in=STAFF_ROLES)),
        customers=Count("pk", filter=Q(role=Role.CUSTOMER)),
    )


def audit_event_list(
    *,
    kind: str = "",
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: str = "",
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered; `since` inclusive, `until` exclusive."""
    qs = AuditEvent.objects.select_related("actor", "user")
    if kind:
        qs = qs.filter(kind=kind)
    if user_id:
        qs = qs.filter(user_id=user_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if q.strip():
        qs = qs.filter(identifier__icontains=q.strip())
    return qs.order_by("-created_at", "-id")
