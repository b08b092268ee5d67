"""Reads of tickets shared by pages, the API and exports. Every queryset here starts from
`Ticket.objects.visible_to(user)` and brings its related rows with it (no query per row)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from servicedesk.accounts.scopes import membership_scopes
from servicedesk.customers.models import Company, Equipment, Site
from servicedesk.tickets import counts
from servicedesk.tickets.models import (
    OPEN_STATUSES,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketFollower,
    TicketView,
)
from servicedesk.tickets.search import ticket_search

VIEW_COMPANY = "company"
VIEW_MINE = "mine"
VIEW_RECENT = "recent"
VIEWS = (VIEW_COMPANY, VIEW_MINE, VIEW_RECENT)
STATUS_OPEN = "open"
STATUS_FINISHED = "finished"

# Sort keys of the list → the columns they order by (a descending key is "-" + key).
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "company": ("company__name",),
    "contact": ("contact__full_name",),
    "subject": ("subject",),
    "status": ("status",),
    "created": ("created_at",),
    "due": ("due_at",),
    "assignee": ("assignee__full_name",),
}
DEFAULT_SORT = "-created"
# Counts above this are shown as "10000+": counting a big company's whole history on every
# page would cost more than the page itself.
COUNT_CAP = 10_000

LIST_RELATED = ("company", "contact", "assignee")
# The columns a list row shows: the description (up to 8 KB a ticket) and the rest stay behind.
LIST_COLUMNS = (
    "number",
    "subject",
    "status",
    "created_at",
    "due_at",
    "resolved_at",
    "closed_at",
    "company_id",
    "contact_id",
    "assignee_id",
    "company__name",
    "contact__full_name",
    "contact__email",
    "assignee__full_name",
)


@dataclass(frozen=True)
class TicketFilters:
    """What the list is narrowed to; every field optional."""

    status: str = ""
    ticket_type_id: int | None = None
    criticality_id: int | None = None
    company_id: int | None = None
    site_id: int | None = None
    site_path: str = ""
    equipment_id: int | None = None
    work_type_id: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any(
            getattr(self, name) not in (None, "")
            for name in (
                "status",
                "ticket_type_id",
                "criticality_id",
                "company_id",
                "site_id",
                "equipment_id",
                "work_type_id",
                "created_from",
                "created_to",
                "q",
            )
        )


@dataclass(frozen=True)
class Places:
    """The active sites (by path) and equipment (by name) of a company that a person may file
    tickets for: what the ticket form offers and what `ticket_create` accepts."""

    sites: list[Site]
    equipment: list[Equipment]

    @cached_property
    def site_ids(self) -> frozenset[int]:
        return frozenset(site.pk for site in self.sites)

    @cached_property
    def equipment_ids(self) -> frozenset[int]:
        return frozenset(item.pk for item in self.equipment)


def ticket_places(user: Any, company: Company) -> Places:
    """Read through `visible_to()` and kept in the cache until the company's places or the
    person's memberships change (tickets/counts.py)."""

    def read() -> Places:
        return Places(
            sites=list(
                Site.objects.visible_to(user)
                .filter(company=company, is_active=True)
                .order_by("path")
            ),
            equipment=list(
                Equipment.objects.visible_to(user)
                .filter(company=company, is_active=True)
                .order_by("name")
            ),
        )

    # Once per user object, so once per request: the form and the service's check share it.
    memo: dict[int, Places] | None = getattr(user, "_ticket_places", None)
    if memo is None:
        memo = user._ticket_places = {}
    if company.pk not in memo:
        memo[company.pk] = counts.cached(user, _places_name(company.pk), read, counts.PLACES)
    return memo[company.pk]


def _places_name(company_id: int) -> str:
    return f"places:{company_id}"


def ticket_views_for(user: Any) -> tuple[str, ...]:
    """The list views this user has: «company tickets» only with a membership that sees them."""
    if any(scope.sees_all_tickets for scope in membership_scopes(user)):
        return VIEWS
    return (VIEW_MINE, VIEW_RECENT)


def _view_queryset(user: Any, view: str) -> QuerySet[Ticket]:
    tickets = Ticket.objects.visible_to(user)
    if view == VIEW_MINE:
        return tickets.filter(Q(contact=user) | Q(created_by=user))
    if view == VIEW_RECENT:
        seen = TicketView.objects.filter(user=user)
        return tickets.filter(pk__in=seen.values("ticket_id")).annotate(
            viewed_at=Subquery(seen.filter(ticket_id=OuterRef("pk")).values("viewed_at")[:1])
        )
    return tickets


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(queryset: QuerySet[Ticket], filters: TicketFilters) -> QuerySet[Ticket]:
    if filters.status == STATUS_OPEN:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status == STATUS_FINISHED:
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    for name in ("ticket_type_id", "criticality_id", "company_id", "equipment_id", "work_type_id"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.site_id is not None:
        # The site or anything beneath it, directly or through the equipment's site.
        queryset = queryset.filter(
            Q(site_id=filters.site_id)
            | Q(site__path__startswith=filters.site_path or "\0")
            | Q(equipment__site__path__startswith=filters.site_path or "\0")
        )
    if filters.created_from is not None:
        queryset = queryset.filter(created_at__gte=_start_of(filters.created_from))
    if filters.created_to is not None:
        queryset = queryset.filter(
            created_at__lt=_start_of(filters.created_to + dt.timedelta(days=1))
        )
    if filters.q:
        queryset = ticket_search(queryset, filters.q)
    return queryset


def _ordering(view: str, sort: str) -> list[Any]:
    key = sort.lstrip("-")
    if view == VIEW_RECENT and key not in SORTS:
        return [F("viewed_at").desc(nulls_last=True), "-id"]
    if key not in SORTS:
        return _order_by(SORTS["created"], descending=True)
    return _order_by(SORTS[key], descending=sort.startswith("-"))


def _order_by(columns: tuple[str, ...], *, descending: bool) -> list[Any]:
    """ORDER BY the columns, then by id in the same direction: ties keep a stable order, the
    oldest first going up and the newest first going down, so that one index on (column, id)
    serves a sort both ways (read backwards for the other)."""
    order: list[Any] = []
    for column in columns:
        if _nullable(column):
            # No deadline or no assignee comes last either way (on PostgreSQL the index
            # ticket_due_desc serves the deadline going down: tickets/migrations/0011).
            order.append(
                F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
            )
        else:
            # Plain ASC/DESC on NOT NULL columns, so that the (company, -created_at, -id)
            # index serves the default list; NULLS LAST would force a sort of every row.
            order.append(f"-{column}" if descending else column)
    return [*order, "-id" if descending else "id"]


def _nullable(column: str) -> bool:
    """Whether any step of a (possibly related) column path can be NULL."""
    model: Any = Ticket
    for part in column.split("__"):
        field = model._meta.get_field(part)
        if field.null:
            return True
        model = field.related_model or model
    return False


def ticket_list_for_customer(
    user: Any, view: str, filters: TicketFilters, order: str
) -> QuerySet[Ticket]:
    """The tickets of one list view, filtered and ordered (stable: ties broken by id), with
    everything a row shows joined in. `order` is a SORTS key, "-" for descending; the recently
    viewed list orders by the visit unless a column is chosen ("" or "-viewed")."""
    if view not in ticket_views_for(user):
        view = VIEW_MINE
    queryset = _filtered(_view_queryset(user, view), filters)
    return (
        queryset.select_related(*LIST_RELATED).only(*LIST_COLUMNS).order_by(*_ordering(view, order))
    )


def ticket_page(
    queryset: QuerySet[Ticket], start: int, stop: int, columns: tuple[str, ...] = LIST_COLUMNS
) -> list[Ticket]:
    """Rows start..stop of a list, in two steps: the page's ids first — ordered and cut on the
    ticket table alone, from its indexes — then those tickets with what a row shows
    (`columns`, LIST_RELATED joined). In one step, PostgreSQL misjudged a searched big
    customer's list and joined every matching row to its contact and assignee before cutting
    the page (38 ms instead of ~2)."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    rows = Ticket.objects.filter(pk__in=ids).select_related(*LIST_RELATED).only(*columns).order_by()
    by_id = {ticket.pk: ticket for ticket in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """How many rows, counting at most cap + 1 of them (a result above `cap` means "more")."""
    return queryset.order_by()[: cap + 1].count()


def ticket_view_counts(user: Any) -> dict[str, int]:
    """Tickets per list view (each capped, see COUNT_CAP), from the cache while they hold."""
    views = ticket_views_for(user)
    return counts.cached(
        user,
        "views",
        lambda: {view: capped_count(_view_queryset(user, view).values("pk")) for view in views},
    )


def ticket_list_total(user: Any, key: str, queryset: QuerySet[Ticket]) -> int:
    """How many tickets a filtered list holds (capped), from the cache while it holds; `key`
    names the list (its normalised query string)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return counts.cached(user, f"list:{digest}", lambda: capped_count(queryset.values("pk")))


def ticket_is_followed(user: Any, ticket: Ticket) -> bool:
    return TicketFollower.objects.filter(ticket=ticket, user=user).exists()


def ticket_public_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline a customer may see: public events, oldest first, with who did them."""
    return (
        TicketEvent.objects.filter(ticket=ticket, is_public=True)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def ticket_attachment_list(ticket: Ticket, user: Any = None) -> QuerySet[TicketAttachment]:
    """The ticket's files, its messages' included; an internal note's files only for staff
    (without a `user`, the customer's list)."""
    attachments = TicketAttachment.objects.filter(ticket=ticket)
    if not getattr(user, "is_provider_staff", False):
        return (
            attachments.exclude(message__is_internal=True)
            .exclude(staff_only=True)
            .order_by("created_at", "id")
        )
    # Staff see which files are an internal note's (`internal`).
    return attachments.annotate(internal=Coalesce("message__is_internal", False)).order_by(
        "created_at", "id"
    )


# --- The back office's queue --------------------------------------------------------------

QUEUE_ALL = "all"
QUEUE_NEW = "new"
QUEUE_OVERDUE = "overdue"
QUEUE_DUE_SOON = "due_soon"
QUEUE_WAITING = "waiting"
QUEUE_MINE = "mine"
QUEUE_VIEWS = (QUEUE_ALL, QUEUE_NEW, QUEUE_OVERDUE, QUEUE_DUE_SOON, QUEUE_WAITING, QUEUE_MINE)
QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    **SORTS,
    "criticality": ("criticality__sort_order",),
}


def queue_default_view(user: Any) -> str:
    """Engineers start with the tickets assigned to them; dispatchers and admins with all."""
    return QUEUE_MINE if getattr(user, "role", "") == "engineer" else QUEUE_ALL


def queue_due_soon_window() -> dt.timedelta:
    from django.conf import settings

    return dt.timedelta(minutes=getattr(settings, "SLA_WARNING_MINUTES", 60))


def _queue_view(user: Any, view: str, now: dt.datetime) -> QuerySet[Ticket]:
    tickets = Ticket.objects.visible_to(user)
    if view == QUEUE_NEW:
        return tickets.filter(status__in=OPEN_STATUSES, assignee__isnull=True)
    if view == QUEUE_OVERDUE:
        return tickets.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if view == QUEUE_DUE_SOON:
        return tickets.filter(
            status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + queue_due_soon_window()
        )
    if view == QUEUE_WAITING:
        return tickets.filter(status="waiting")
    if view == QUEUE_MINE:
        return tickets.filter(status__in=OPEN_STATUSES, assignee=user)
    return tickets


def staff_queue(
    user: Any,
    view: str,
    filters: TicketFilters,
    sort: str,
    *,
    assignee_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Ticket]:
    """A view of the staff queue, filtered and ordered (stable: ties broken by id, in the
    sort's direction). The deadline views sort by the deadline unless a column is chosen."""
    now = now or timezone.now()
    queryset = _filtered(_queue_view(user, view, now), filters)
    if assignee_id is not None:
        queryset = queryset.filter(assignee_id=assignee_id)
    key = sort.lstrip("-")
    if key not in QUEUE_SORTS:
        sort = "due" if view in (QUEUE_OVERDUE, QUEUE_DUE_SOON) else DEFAULT_SORT
        key = sort.lstrip("-")
    return queryset.order_by(*_order_by(QUEUE_SORTS[key], descending=sort.startswith("-")))


QUEUE_COLUMNS = (*LIST_COLUMNS, "criticality_id", "version")


def queue_view_counts(user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """Tickets per queue view (capped), from the cache while no ticket changes; "overdue" and
    "due soon" also change with the clock, so they are made again at least once a minute."""
    now = now or timezone.now()
    stable = (QUEUE_ALL, QUEUE_NEW, QUEUE_WAITING, QUEUE_MINE)
    result = dict(
        counts.cached(
            user,
            "queue-views",
            lambda: {v: capped_count(_queue_view(user, v, now).values("pk")) for v in stable},
        )
    )
    # The clock moves these without any ticket changing: counted again each minute at most.
    clock = {QUEUE_OVERDUE, QUEUE_DUE_SOON}
    result |= counts.cached(
        user,
        f"queue-clock:{now:%Y%m%d%H%M}",
        lambda: {v: capped_count(_queue_view(user, v, now).values("pk")) for v in clock},
    )
    return result
