"""Reads about people shared by the People pages, the export and the API."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from servicedesk.accounts.models import STAFF_ROLES, Membership, Role, User


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
        qs = qs.filter(
            Q(full_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(position__icontains=word)
        )
    allowed = {"full_name", "-full_name", "email", "-email", "last_login", "-last_login",
               "created_at", "-created_at"}  # fmt: skip
    return qs.order_by(order if order in allowed else "full_name", "pk").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("company").order_by("company__name"),
        )
    )


def people_counts() -> dict[str, Any]:
    """How many employees and customers there are (for the tabs)."""
    return User.objects.aggregate(
        employees=Count("pk", filter=Q(role__in=STAFF_ROLES)),
        customers=Count("pk", filter=Q(role=Role.CUSTOMER)),
    )
