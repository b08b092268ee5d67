"""A customer's memberships as plain data: which companies, whole or listed, and the listed
sites' paths and equipment ids. Read once per user object (so once per request) and used by
every `visible_to()` to build filters on literal ids that the database serves from indexes.

They decide what a person may see, so they are never cached (docs/decisions/0012): a membership
removed or narrowed counts from the very next request, in every process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import F


@dataclass(frozen=True)
class MembershipScope:
    company_id: int
    whole_company: bool
    sees_all_tickets: bool
    site_paths: tuple[str, ...]
    equipment_ids: tuple[int, ...]
    analytics: bool = False  # reads the company's report (Membership.sees_analytics)


def membership_scopes(user: Any) -> list[MembershipScope]:
    """The user's memberships in active companies, read once per user object."""
    cached: list[MembershipScope] | None = getattr(user, "_ticket_scopes", None)
    if cached is not None:
        return cached
    scopes = _read_scopes(user)
    user._ticket_scopes = scopes
    return scopes


def scope_stamp(user: Any) -> tuple[MembershipScope, ...]:
    """What a cached count of the person's visible rows is made for (core/stamps.py): their
    memberships, read afresh; staff see everything, whatever their memberships."""
    return () if user.is_provider_staff else tuple(membership_scopes(user))


def company_ids(user: Any) -> list[int]:
    """The ids of the companies of the user's memberships (in active companies), sorted."""
    return sorted({scope.company_id for scope in membership_scopes(user)})


def _read_scopes(user: Any) -> list[MembershipScope]:
    membership = apps.get_model("accounts", "Membership")
    rows = list(
        membership.objects.filter(user=user, company__is_active=True).values_list(
            "pk", "company_id", "scope", "sees_all_tickets", "analytics"
        )
    )
    listed = [pk for pk, _c, scope, _sees_all, _analytics in rows if scope == "listed"]
    paths: dict[int, list[str]] = {}
    equipment: dict[int, list[int]] = {}
    if listed:
        for pk, path in membership.sites.through.objects.filter(
            # A listed site or equipment of another company grants nothing; a site without a
            # path (not saved through site_save) must not match everything.
            membership_id__in=listed,
            site__path__gt="",
            site__company_id=F("membership__company_id"),
        ).values_list("membership_id", "site__path"):
            paths.setdefault(pk, []).append(path)
        for pk, equipment_id in membership.equipment.through.objects.filter(
            membership_id__in=listed, equipment__company_id=F("membership__company_id")
        ).values_list("membership_id", "equipment_id"):
            equipment.setdefault(pk, []).append(equipment_id)
    return [
        MembershipScope(
            company_id=company_id,
            whole_company=scope == "company",
            sees_all_tickets=sees_all,
            site_paths=tuple(paths.get(pk, ())),
            equipment_ids=tuple(equipment.get(pk, ())),
            analytics=scope == "company" if analytics is None else analytics,
        )
        for pk, company_id, scope, sees_all, analytics in rows
    ]
