"""A customer's memberships as plain data: which companies, whole or listed, and the listed
sites' paths and equipment ids. Read once per user object (so once per request) and used by
every `visible_to()` to build filters on literal ids that the database serves from indexes.

Where the cache is shared by every process (`PAGE_CACHE`, on with Redis: docs/decisions/0009),
they are kept there under the versions that move when they can change — the person's (their
memberships and the sites and equipment listed in them: accounts/pages.py) and the reference
data's (a company deactivated, a site moved: customers' saves) — so a request reads them in one
cache round trip instead of one to three queries. A per-process cache would keep another
process's change from reaching them, and they decide what a person may see: without a shared
cache they are read from the database every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import F

# At most this old even if a version failed to move (a bulk write that sends no signal).
SCOPES_SECONDS = 600


def scopes_key(user_id: int) -> str:
    return f"accounts:v1:scopes:{user_id}"


@dataclass(frozen=True)
class MembershipScope:
    company_id: int
    whole_company: bool
    sees_all_tickets: bool
    site_paths: tuple[str, ...]
    equipment_ids: tuple[int, ...]


def membership_scopes(user: Any) -> list[MembershipScope]:
    """The user's memberships in active companies, read once per user object."""
    cached: list[MembershipScope] | None = getattr(user, "_ticket_scopes", None)
    if cached is not None:
        return cached
    if settings.PAGE_CACHE:
        from servicedesk.core import stamps

        scopes = stamps.stamped(
            scopes_key(user.pk), _versions(user.pk), lambda: _read_scopes(user), SCOPES_SECONDS
        )
    else:
        scopes = _read_scopes(user)
    user._ticket_scopes = scopes
    return scopes


def company_ids(user: Any) -> list[int]:
    """The ids of the companies of the user's memberships (in active companies), sorted."""
    return sorted({scope.company_id for scope in membership_scopes(user)})


def scopes_keys(user: Any) -> list[str]:
    """The cache keys `membership_scopes(user)` reads, if it reads the cache (for
    `stamps.read_ahead`)."""
    if not settings.PAGE_CACHE or getattr(user, "_ticket_scopes", None) is not None:
        return []
    return [scopes_key(user.pk), *_versions(user.pk)]


def _versions(user_id: int) -> list[str]:
    """The versions the memberships are kept under: the person's and the reference data's."""
    from servicedesk.core import pagecache

    return [pagecache.user_key(user_id), pagecache.REFERENCE]


def _read_scopes(user: Any) -> list[MembershipScope]:
    membership = apps.get_model("accounts", "Membership")
    rows = list(
        membership.objects.filter(user=user, company__is_active=True).values_list(
            "pk", "company_id", "scope", "sees_all_tickets"
        )
    )
    listed = [pk for pk, _c, scope, _sees_all in rows if scope == "listed"]
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
        )
        for pk, company_id, scope, sees_all in rows
    ]
