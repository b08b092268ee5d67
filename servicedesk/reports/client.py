"""The customer's report («Аналитика → Отчет для клиента»): which tickets it is about, and
the figures, series and rows made of them. Every query starts from
`Ticket.objects.visible_to(user)`: a customer's report can only ever count what that customer
may open, whatever company, site or equipment ids the query string names (ids outside their
scope are dropped, never trusted).

The functions take a `ClientReport` (the filters, already checked) and answer with plain data:
the pages, the exports and the tests read the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth

from servicedesk.accounts.scopes import membership_scopes
from servicedesk.customers.models import Company, Equipment, Site
from servicedesk.tickets.models import OPEN_STATUSES, Status, Ticket
from servicedesk.works.amounts import billed_hours
from servicedesk.works.models import WorkEngineer

DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Mode(StrEnum):
    """Which tickets the report is about (HubEx's three choices)."""

    ACTIVE = "active"  # open now, whenever filed
    COMPLETED = "completed"  # resolved within the period
    CREATED = "created"  # filed within the period


@dataclass(frozen=True)
class ClientReport:
    """The report's filters, checked: the period as local dates (both days included) in
    `time_zone`, the mode, and the companies, sites and equipment to count — each None for
    "all the reader may see"."""

    user: Any
    mode: Mode
    start: dt.date
    end: dt.date
    time_zone: str
    company_ids: frozenset[int] | None = None
    site_ids: frozenset[int] | None = None
    equipment_ids: frozenset[int] | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=ZoneInfo(self.time_zone))

    @property
    def until(self) -> dt.datetime:
        """The instant the period ends (exclusive): the start of the day after `end`."""
        day_after = self.end + dt.timedelta(days=1)
        return dt.datetime.combine(day_after, dt.time.min, tzinfo=ZoneInfo(self.time_zone))


def analytics_companies(user: Any) -> list[Company]:
    """The companies whose report the customer may read: those of their memberships with the
    analytics switched on (by default, whole-company memberships)."""
    if not getattr(user, "is_customer", False):
        return []
    ids = [scope.company_id for scope in membership_scopes(user) if scope.analytics]
    return list(Company.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []


def report_tickets(report: ClientReport) -> QuerySet[Ticket]:
    """The tickets the report counts: what the reader may see, of the companies whose report
    they may read, in the mode's period, in the chosen companies and places."""
    allowed = [c.pk for c in analytics_companies(report.user)]
    tickets = Ticket.objects.visible_to(report.user).filter(company_id__in=allowed)
    if report.mode == Mode.ACTIVE:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif report.mode == Mode.COMPLETED:
        tickets = tickets.filter(
            status__in=DONE_STATUSES,
            resolved_at__gte=report.since,
            resolved_at__lt=report.until,
        )
    else:
        tickets = tickets.filter(created_at__gte=report.since, created_at__lt=report.until)
    if report.company_ids is not None:
        tickets = tickets.filter(company_id__in=report.company_ids)
    places = _places(report)
    if places is not None:
        tickets = tickets.filter(places)
    return tickets


def _places(report: ClientReport) -> Q | None:
    """The chosen sites (with everything beneath them) and equipment, or None for all."""
    if report.site_ids is None and report.equipment_ids is None:
        return None
    condition = Q(pk__in=[])
    if report.equipment_ids:
        condition |= Q(equipment_id__in=report.equipment_ids)
    if report.site_ids:
        paths = Site.objects.filter(pk__in=report.site_ids).values_list("path", flat=True)
        for path in paths:
            condition |= Q(site__path__startswith=path) | Q(equipment__site__path__startswith=path)
    return condition


# --- Figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The KPI cards."""

    tickets: int
    overdue_open: int  # open past the deadline
    overdue_done: int  # resolved after the deadline
    unassigned: int  # not yet accepted: open, nobody assigned
    awaiting_customer: int
    without_deadline: int
    hours: int  # billed hours of the completed works on the tickets
    has_works: bool

    @property
    def overdue(self) -> int:
        return self.overdue_open + self.overdue_done


def figures(report: ClientReport) -> Figures:
    tickets = report_tickets(report)
    counts = tickets.aggregate(
        tickets=Count("pk"),
        overdue_open=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=report.now)),
        overdue_done=Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__gt=F("due_at"))),
        unassigned=Count("pk", filter=Q(status__in=OPEN_STATUSES, assignee__isnull=True)),
        awaiting_customer=Count("pk", filter=Q(status=Status.WAITING)),
        without_deadline=Count("pk", filter=Q(due_at__isnull=True)),
    )
    spans = WorkEngineer.objects.filter(work__ticket__in=tickets.values("pk")).values_list(
        "started_at", "finished_at"
    )
    found = list(spans)
    hours = sum(billed_hours(start, end) for start, end in found)
    return Figures(**counts, hours=hours, has_works=bool(found))


# --- Series --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeSlice:
    """Tickets of one type, and of each criticality within it (the donut's drill-down)."""

    type_id: int
    count: int
    by_criticality: dict[int, int]


def by_type(report: ClientReport) -> list[TypeSlice]:
    rows = (
        report_tickets(report)
        .order_by()
        .values_list("ticket_type_id", "criticality_id")
        .annotate(n=Count("pk"))
    )
    grouped: dict[int, dict[int, int]] = defaultdict(dict)
    for type_id, criticality_id, n in rows:
        grouped[type_id][criticality_id] = n
    slices = [
        TypeSlice(type_id, sum(inner.values()), dict(inner)) for type_id, inner in grouped.items()
    ]
    return sorted(slices, key=lambda s: (-s.count, s.type_id))


@dataclass(frozen=True)
class OnTime:
    label: str  # the equipment type, or "" for tickets without one
    on_time: int
    overdue: int


def _overdue(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, due_at__lt=now) | Q(
        resolved_at__isnull=False, resolved_at__gt=F("due_at")
    )


def by_equipment_type(report: ClientReport) -> list[OnTime]:
    """Tickets per equipment type, on time and overdue (stacked bars)."""
    overdue = _overdue(report.now)
    rows = (
        report_tickets(report)
        .order_by()
        .values_list("equipment__equipment_type")
        .annotate(total=Count("pk"), late=Count("pk", filter=overdue))
    )
    bars = [OnTime(label or "", total - late, late) for label, total, late in rows]
    return sorted(bars, key=lambda b: (-(b.on_time + b.overdue), b.label))


@dataclass(frozen=True)
class MonthShare:
    month: dt.date  # the first day of the month
    closed: int
    on_time: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.closed if self.closed else None


def sla_by_month(report: ClientReport) -> list[MonthShare]:
    """The share of tickets resolved on time, per month of resolution: those resolved by their
    deadline (or without one) ÷ all resolved, among the report's tickets."""
    rows = (
        report_tickets(report)
        .filter(resolved_at__isnull=False)
        .annotate(month=TruncMonth("resolved_at", tzinfo=ZoneInfo(report.time_zone)))
        .order_by()
        .values_list("month")
        .annotate(
            closed=Count("pk"),
            on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
        )
        .order_by("month")
    )
    return [MonthShare(_month(month), closed, on_time) for month, closed, on_time in rows]


def _month(value: dt.date | dt.datetime) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    return day.replace(day=1)


@dataclass(frozen=True)
class Reliability:
    """How often one piece of equipment (or a site, for tickets without equipment) needs the
    provider: its tickets, the mean time between them (MTBF: from the first to the last ticket,
    divided by the gaps) and the mean time to resolve (MTTR) of those resolved."""

    equipment_id: int | None
    site_id: int | None
    tickets: int
    mtbf: dt.timedelta | None
    mttr: dt.timedelta | None


def reliability(report: ClientReport, limit: int = 20) -> list[Reliability]:
    """The equipment and sites with the most tickets, most first."""
    tickets = report_tickets(report).order_by()
    rows = (
        tickets.values_list("equipment_id", "site_id")
        .annotate(n=Count("pk"), first=Min("created_at"), last=Max("created_at"))
        .order_by("-n", "equipment_id", "site_id")[:limit]
    )
    found = list(rows)
    repairs = _repair_times(tickets, [(e, s) for e, s, *_ in found])
    result = []
    for equipment_id, site_id, n, first, last in found:
        mtbf = (last - first) / (n - 1) if n > 1 else None
        times = repairs.get((equipment_id, site_id), [])
        mttr = sum(times, dt.timedelta()) / len(times) if times else None
        result.append(Reliability(equipment_id, site_id, n, mtbf, mttr))
    return result


def _repair_times(
    tickets: QuerySet[Ticket], keys: Iterable[tuple[int | None, int | None]]
) -> dict[tuple[int | None, int | None], list[dt.timedelta]]:
    """Filed → resolved of the resolved tickets at these places (one query)."""
    keys = list(keys)
    if not keys:
        return {}
    equipment = {e for e, _s in keys if e is not None}
    sites = {s for e, s in keys if e is None and s is not None}
    spans = tickets.filter(resolved_at__isnull=False).filter(
        Q(equipment_id__in=equipment) | Q(equipment__isnull=True, site_id__in=sites)
    )
    found: dict[tuple[int | None, int | None], list[dt.timedelta]] = defaultdict(list)
    for equipment_id, site_id, created, resolved in spans.values_list(
        "equipment_id", "site_id", "created_at", "resolved_at"
    ):
        if resolved is not None:  # filtered above; the type does not know it
            found[(equipment_id, site_id)].append(resolved - created)
    return found


def place_names(rows: Iterable[Reliability]) -> dict[tuple[str, int], str]:
    """Names of the rows' equipment and sites (two queries)."""
    rows = list(rows)
    equipment = Equipment.objects.filter(pk__in={r.equipment_id for r in rows if r.equipment_id})
    sites = Site.objects.filter(pk__in={r.site_id for r in rows if r.site_id})
    names = {("equipment", e.pk): str(e) for e in equipment}
    names |= {("site", s.pk): s.name for s in sites}
    return names
