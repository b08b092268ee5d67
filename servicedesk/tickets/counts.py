"""Ticket counts (and the lists' filter choices) kept in the cache until what they count changes
(docs/decisions/0006).

Counting a big customer's tickets (tens of thousands) on every list page would cost more than
the page itself, and the counts change far less often than the page is opened. A value is
stored with a *stamp*: the user's membership scopes and a version per company they belong to
and per user (staff: one version for all tickets). Saving or deleting a ticket moves its
company's version on — at once, and again after the transaction commits, so that a count made
from the old rows meanwhile is not kept — and so does saving a company, or one of its sites or
pieces of equipment (the filter choices). A person's own version moves when they open a ticket
for the first time (recently viewed) or follow or unfollow one. A value whose stamp no longer
matches is made again. Changes that skip signals (`QuerySet.update()` moving tickets between
companies, raw SQL) must call `company_changed`.

With the embedded local-memory cache each web process keeps its own values, and a change made
by another process (the worker) reaches it only when COUNTS_SECONDS have passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from servicedesk.accounts import scopes
from servicedesk.core import stamps

T = TypeVar("T")
COUNTS_SECONDS = 600


# What a cached value depends on: the tickets of a company (counts), or its places — the
# company itself, its sites and equipment (filter choices, the create form's lists).
TICKETS = "tickets"
PLACES = "places"
# Who works on how many open tickets: moved by tickets created, deleted, assigned or moving
# stage (tickets/receivers.py), not by every edit.
WORKLOAD = "workload"
WORKLOAD_FIELDS = frozenset({"status", "assignee", "assignee_id"})


def all_key(kind: str) -> str:
    return f"tickets:v1:{kind}:all"


def company_key(company_id: int, kind: str) -> str:
    return f"tickets:v1:{kind}:company:{company_id}"


def user_key(user_id: int) -> str:
    return f"tickets:v1:user:{user_id}"


def _bump(*keys: str) -> None:
    stamps.bump(keys)


def company_changed(company_id: int | None, kind: str = TICKETS) -> None:
    """A ticket of the company (TICKETS), or the company, a site or equipment (PLACES)."""
    if company_id is None:
        _bump(all_key(kind))
    else:
        _bump(all_key(kind), company_key(company_id, kind))


def workload_changed() -> None:
    """Tickets changed stage or assignee without a post_save (QuerySet.update())."""
    _bump(all_key(WORKLOAD))


def user_changed(user_id: int) -> None:
    _bump(user_key(user_id))


def cached(user: Any, name: str, compute: Callable[[], T], depends: str = TICKETS) -> T:
    """compute() for this user, from the cache while nothing it depends on has changed.
    `name` tells apart the values of one user (a view's counts, a filtered list's total);
    `depends` says whether tickets (TICKETS) or places (PLACES) make it change. The stamp
    holds the person's membership scopes, read from the database on every request: a person
    who gains or loses a company or a site never gets a value made for the old scope."""
    scope = scopes.scope_stamp(user)
    companies = sorted({membership.company_id for membership in scope})
    version_keys = [company_key(pk, depends) for pk in companies]
    version_keys.append(user_key(user.pk))
    if user.is_provider_staff:
        version_keys.append(all_key(depends))
    key = f"tickets:v1:cached:{user.pk}:{name}"
    found = cache.get_many([key, *version_keys])
    stamp = (scope, tuple(found.get(k) for k in version_keys))
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, (stamp, value), COUNTS_SECONDS)
    return value
