"""The provider's reports («Отчеты» in the back office): volume and backlog over time, response
and resolution times against the SLA, breaches by rule and by company, per engineer, per company,
satisfaction by criterion and the channels tickets come through.

Every query starts from `Ticket.objects.visible_to(user)` (the whole data set for dispatchers and
administrators; the page refuses anyone else). The functions take a `ProviderReport` (the
filters, already checked) and answer with plain dataclasses; the page, its exports and the tests
read the same numbers. No function issues a number of queries that grows with the tickets.

What is counted where (each section says it on the page too):

- *filed* in the period: created per bucket, channels, per company "created", first response
  times and the SLA breaches (a deadline of a ticket filed in the period, missed as of now);
- *done* in the period: resolved or closed, at `resolved_at` (or `closed_at` for a ticket closed
  without being resolved): resolved per bucket, resolution times, per engineer and per company
  "resolved";
- *now*: the open load per engineer and what is overdue per company;
- *rated* in the period: satisfaction (the survey's 1–5 scores).

Medians and 90th percentiles are PostgreSQL's `percentile_cont` in the database; on SQLite the
durations are read (two timestamps a ticket) and `percentile_cont` is done the same way in Python
(linear interpolation between the two nearest ranks), so both engines give the same figures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from servicedesk.conversations.models import SurveyRating
from servicedesk.sla.matching import RuleSpec, TicketFacts, load_rules, select_rule
from servicedesk.tickets.models import DONE_STATUSES, OPEN_STATUSES, Status, Ticket

OPEN = sorted(OPEN_STATUSES)
# What the counts count: a column every ticket has and the reports' indexes carry (counting the
# primary key, which they do not, would send PostgreSQL to the table for every row).
ROW = "created_at"
DONE = sorted(DONE_STATUSES)


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def bucket_for(start: dt.date, end: dt.date) -> Bucket:
    """Days for a period of up to a month, weeks up to half a year, months beyond."""
    days = (end - start).days + 1
    if days <= 31:
        return Bucket.DAY
    if days <= 186:
        return Bucket.WEEK
    return Bucket.MONTH


@dataclass(frozen=True)
class ProviderReport:
    """The report's filters, checked: the period as local dates (both days included) in
    `time_zone`, and optionally one company, ticket type, assignee and channel (origin)."""

    user: Any
    start: dt.date
    end: dt.date
    time_zone: str
    company_id: int | None = None
    ticket_type_id: int | None = None
    assignee_id: int | None = None
    origin: str | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def instant(self, day: dt.date) -> dt.datetime:
        """The local midnight starting `day`."""
        return dt.datetime.combine(day, dt.time.min, tzinfo=self.zone)

    @property
    def since(self) -> dt.datetime:
        return self.instant(self.start)

    @property
    def until(self) -> dt.datetime:
        """The instant the period ends (exclusive): the start of the day after `end`."""
        return self.instant(self.end + dt.timedelta(days=1))

    @property
    def bucket(self) -> Bucket:
        return bucket_for(self.start, self.end)


def report_tickets(report: ProviderReport) -> QuerySet[Ticket]:
    """What the reader may see, narrowed by the filters other than the period."""
    tickets = Ticket.objects.visible_to(report.user).order_by()
    if report.company_id is not None:
        tickets = tickets.filter(company_id=report.company_id)
    if report.ticket_type_id is not None:
        tickets = tickets.filter(ticket_type_id=report.ticket_type_id)
    if report.assignee_id is not None:
        tickets = tickets.filter(assignee_id=report.assignee_id)
    if report.origin is not None:
        tickets = tickets.filter(origin=report.origin)
    return tickets


def filed(report: ProviderReport) -> QuerySet[Ticket]:
    """Tickets filed in the period."""
    return report_tickets(report).filter(created_at__gte=report.since, created_at__lt=report.until)


# When a ticket left the open ones: resolved (or closed without being resolved). An expression
# index (tickets' ticket_done_at) serves "done in the period" on PostgreSQL.
DONE_AT = Coalesce("resolved_at", "closed_at")


def done(report: ProviderReport) -> QuerySet[Ticket]:
    """Tickets resolved or closed in the period (by `DONE_AT`)."""
    return (
        report_tickets(report)
        .filter(status__in=DONE)
        .annotate(done_at=DONE_AT)
        .filter(done_at__gte=report.since, done_at__lt=report.until)
    )


def _duration(end: Any, start: str = "created_at") -> ExpressionWrapper[Any]:
    return ExpressionWrapper(end - F(start), output_field=DurationField())


RESPONSE_TIME = _duration(F("first_responded_at"))
RESOLUTION_TIME = _duration(DONE_AT)


def response_missed(now: dt.datetime) -> Q:
    """The first-response deadline missed (sla.services.deadline_missed): answered after it, or
    open unanswered past it (a stopped clock judged when it stopped)."""
    late = Q(first_responded_at__gt=F("first_response_due_at"))
    unanswered = Q(first_responded_at__isnull=True, status__in=OPEN) & (
        Q(sla_paused_at__isnull=True, first_response_due_at__lt=now)
        | Q(sla_paused_at__gt=F("first_response_due_at"))
    )
    return Q(first_response_due_at__isnull=False) & (late | unanswered)


def resolution_missed(now: dt.datetime) -> Q:
    """The resolution deadline missed: resolved or closed after it, or open past it."""
    late = Q(resolved_at__gt=F("due_at")) | Q(resolved_at__isnull=True, closed_at__gt=F("due_at"))
    undone = Q(resolved_at__isnull=True, closed_at__isnull=True, status__in=OPEN) & (
        Q(sla_paused_at__isnull=True, due_at__lt=now) | Q(sla_paused_at__gt=F("due_at"))
    )
    return Q(due_at__isnull=False) & (late | undone)


RESPONSE_MET = Q(first_response_due_at__isnull=False, first_responded_at__isnull=False) & Q(
    first_responded_at__lte=F("first_response_due_at")
)
RESOLUTION_MET = Q(due_at__isnull=False, done_at__lte=F("due_at"))


# --- Percentiles ----------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        super().__init__(
            expression, fraction=repr(float(fraction)), output_field=DurationField(), **extra
        )


def percentile(values: Sequence[dt.timedelta], fraction: float) -> dt.timedelta | None:
    """`percentile_cont` in Python: the value at rank fraction × (n − 1) of the sorted values,
    interpolated linearly between the two nearest."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _in_database() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Times:
    """How long something took, over `count` tickets, and against the deadline: `met` on time
    of `measured` (those with a deadline that was met or missed by now)."""

    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None
    met: int
    measured: int

    @property
    def share(self) -> float | None:
        return self.met / self.measured if self.measured else None


def _times(
    tickets: QuerySet[Ticket], duration: ExpressionWrapper[Any], has: Q, met: Q, missed: Q
) -> Times:
    aggregates: dict[str, Any] = {
        "count": Count(ROW, filter=has),
        "met": Count(ROW, filter=met),
        "missed": Count(ROW, filter=missed),
    }
    if _in_database():
        aggregates["median"] = PercentileCont(duration, 0.5, filter=has)
        aggregates["p90"] = PercentileCont(duration, 0.9, filter=has)
    found = tickets.aggregate(**aggregates)
    if not _in_database():
        spans = list(tickets.filter(has).annotate(took=duration).values_list("took", flat=True))
        found["median"], found["p90"] = percentile(spans, 0.5), percentile(spans, 0.9)
    return Times(
        count=found["count"],
        median=found["median"],
        p90=found["p90"],
        met=found["met"],
        measured=found["met"] + found["missed"],
    )


def response_times(report: ProviderReport) -> Times:
    """First response of the tickets filed in the period: how long after filing, and the share
    answered by the first-response deadline."""
    return _times(
        filed(report),
        RESPONSE_TIME,
        Q(first_responded_at__isnull=False),
        RESPONSE_MET,
        response_missed(report.now),
    )


def resolution_times(report: ProviderReport) -> Times:
    """Filing to resolution of the tickets done in the period, and the share done by the
    deadline (all of them are done: missed means done after it)."""
    return _times(
        done(report),
        RESOLUTION_TIME,
        Q(created_at__isnull=False),
        RESOLUTION_MET,
        Q(due_at__isnull=False, done_at__gt=F("due_at")),
    )


# --- Volume and backlog ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """One bucket (a day, week or month starting `start`): tickets filed and done in it, and
    the open backlog at its end (`until`, or now for the bucket under way)."""

    start: dt.date
    created: int
    resolved: int
    backlog: int
    until: dt.datetime


def bucket_starts(report: ProviderReport) -> list[dt.date]:
    """The first day of each bucket of the period (the first may start before the period)."""
    kind, day, days = report.bucket, _bucket_start(report.bucket, report.start), []
    while day <= report.end:
        days.append(day)
        day = _next(kind, day)
    return days


def _bucket_of(report: ProviderReport, column: Any) -> Case:
    """The bucket's number (0, 1, ...) of a timestamp in the period: a chain of comparisons
    with the buckets' local starts, worked out here (time zone and daylight saving included).
    PostgreSQL's date_trunc(... AT TIME ZONE ...) on every row cost twice as much at 1M."""
    starts = bucket_starts(report)
    bounds = [report.instant(day) for day in starts[1:]]
    return Case(
        *(When(**{f"{column}__lt": bound}, then=Value(i)) for i, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def _bucket_start(kind: Bucket, day: dt.date) -> dt.date:
    if kind == Bucket.DAY:
        return day
    if kind == Bucket.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def _next(kind: Bucket, day: dt.date) -> dt.date:
    if kind == Bucket.DAY:
        return day + dt.timedelta(days=1)
    if kind == Bucket.WEEK:
        return day + dt.timedelta(days=7)
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def backlog_at(report: ProviderReport, moment: dt.datetime) -> int:
    """Tickets open at `moment`: filed before it, not resolved or closed by then. Cancelled
    tickets are left out (when they were cancelled is not recorded)."""
    # Two counts, each served by an index (the open tickets', the done ones' by when): as one
    # OR-ed condition PostgreSQL read the whole table (1.5 s at 1M tickets).
    before = report_tickets(report).filter(created_at__lt=moment)
    still_open = before.filter(status__in=OPEN).count()
    done_later = (
        before.filter(status__in=DONE).annotate(done_at=DONE_AT).filter(done_at__gte=moment).count()
    )
    return still_open + done_later


@dataclass(frozen=True)
class Groups:
    """The period's tickets counted once each way the sections need, so that each section does
    not read the period again: filed per (bucket, channel) and done per (bucket, assignee)."""

    filed: dict[tuple[dt.date, str], tuple[int, int]]  # → (filed, of them not cancelled)
    done: dict[tuple[dt.date, int | None], tuple[int, dt.timedelta | None]]  # → (n, total time)


def groups(report: ProviderReport) -> Groups:
    """Two queries, one over the tickets filed in the period, one over those done in it."""
    starts = bucket_starts(report)
    filed_rows = (
        filed(report)
        .annotate(bucket=_bucket_of(report, "created_at"))
        .values_list("bucket", "origin")
        .annotate(n=Count(ROW), kept=Count(ROW, filter=~Q(status=Status.CANCELLED)))
    )
    filed_groups: dict[tuple[dt.date, str], tuple[int, int]] = {}
    for bucket, origin, n, kept in filed_rows:
        key = (starts[bucket], origin)
        before = filed_groups.get(key, (0, 0))
        filed_groups[key] = (before[0] + n, before[1] + kept)
    done_rows = (
        done(report)
        .annotate(bucket=_bucket_of(report, "done_at"))
        .values_list("bucket", "assignee_id")
        .annotate(n=Count(ROW), took=Sum(RESOLUTION_TIME))
    )
    done_groups: dict[tuple[dt.date, int | None], tuple[int, dt.timedelta | None]] = {}
    for bucket, assignee, n, took in done_rows:
        key = (starts[bucket], assignee)
        count, total = done_groups.get(key, (0, None))
        done_groups[key] = (count + n, took if total is None else total + (took or dt.timedelta()))
    return Groups(filed_groups, done_groups)


def volume(report: ProviderReport, found: Groups | None = None) -> list[Volume]:
    """Per bucket of the period: filed, done, and the backlog at the bucket's end — the backlog
    at the period's start plus what was filed (not cancelled) minus what was done since."""
    found = found or groups(report)
    created: dict[dt.date, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for (day, _origin), (n, kept) in found.filed.items():
        created[day] = (created[day][0] + n, created[day][1] + kept)
    resolved: dict[dt.date, int] = defaultdict(int)
    for (day, _assignee), (n, _took) in found.done.items():
        resolved[day] += n
    kind = report.bucket
    backlog = backlog_at(report, report.since)
    result = []
    for day in bucket_starts(report):
        following = _next(kind, day)
        until = min(report.instant(min(following, report.end + dt.timedelta(days=1))), report.now)
        n, kept = created.get(day, (0, 0))
        gone = resolved.get(day, 0)
        backlog += kept - gone
        result.append(Volume(day, n, gone, backlog, until))
    return result


# --- Channels -------------------------------------------------------------------------------------


def channels(report: ProviderReport, found: Groups | None = None) -> dict[str, int]:
    """Tickets filed in the period per origin (channel), most first."""
    found = found or groups(report)
    counts: dict[str, int] = defaultdict(int)
    for (_day, origin), (n, _kept) in found.filed.items():
        counts[origin] += n
    return dict(sorted(counts.items(), key=lambda row: (-row[1], row[0])))


# --- Breaches -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breaches:
    """Of the tickets filed in the period with a deadline of that kind: how many, and how many
    missed it (as of now)."""

    with_response_deadline: int
    response: int
    with_resolution_deadline: int
    resolution: int


def _breach_counts(now: dt.datetime) -> dict[str, Any]:
    return {
        "with_response_deadline": Count(ROW, filter=Q(first_response_due_at__isnull=False)),
        "response": Count(ROW, filter=response_missed(now)),
        "with_resolution_deadline": Count(ROW, filter=Q(due_at__isnull=False)),
        "resolution": Count(ROW, filter=resolution_missed(now)),
    }


def breaches(report: ProviderReport) -> Breaches:
    return Breaches(**filed(report).aggregate(**_breach_counts(report.now)))


def filed_by_company(report: ProviderReport) -> dict[int, tuple[int, Breaches]]:
    """Per company: tickets filed in the period, and their breaches."""
    rows = (
        filed(report).values_list("company_id").annotate(n=Count(ROW), **_breach_counts(report.now))
    )
    return {company_id: (n, Breaches(*counts)) for company_id, n, *counts in rows}


def breaches_by_company(report: ProviderReport) -> dict[int, Breaches]:
    return {pk: found for pk, (_n, found) in filed_by_company(report).items()}


NO_RULE = 0


def breaches_by_rule(
    report: ProviderReport, totals: Breaches | None = None
) -> tuple[dict[int, Breaches], dict[int, RuleSpec]]:
    """Breaches per SLA rule: the rule that matches each ticket *now* (docs/decisions/0005; the
    ticket does not keep which rule set its deadlines, and rules change). `NO_RULE` collects
    deadlines no rule explains (set by hand, or a rule since changed or switched off).

    The tickets are grouped in the database by the dimensions some active rule looks at (so a
    handful of groups when rules name types and criticalities, never one a ticket), and each
    group is matched in Python. When no rule looks at anything, every ticket falls under one
    rule (or none): `totals`, when given, saves the query."""
    rules = load_rules()
    dimensions = {
        "ticket_type_id": any(r.ticket_type_ids for r in rules),
        "criticality_id": any(r.criticality_ids for r in rules),
        "work_type_id": any(r.work_type_ids for r in rules),
        "company_id": any(r.company_ids for r in rules),
        "equipment_id": any(r.equipment_ids for r in rules),
        "contract_id": any(r.contract_ids for r in rules),
        "site__path": any(r.site_paths for r in rules),
        "equipment__site__path": any(r.site_paths for r in rules),
    }
    used = [name for name, wanted in dimensions.items() if wanted]
    with_deadlines = filed(report).filter(
        Q(due_at__isnull=False) | Q(first_response_due_at__isnull=False)
    )
    counts = _breach_counts(report.now)
    if used:
        rows: Iterable[dict[str, Any]] = with_deadlines.values(*used).annotate(**counts)
    elif totals is not None:  # no rule looks at anything (or there are none): one group
        rows = [asdict(totals)]
    else:
        rows = [with_deadlines.aggregate(**counts)]
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        facts = TicketFacts(
            ticket_type_id=row.get("ticket_type_id"),
            criticality_id=row.get("criticality_id"),
            work_type_id=row.get("work_type_id"),
            company_id=row.get("company_id"),
            site_path=row.get("site__path"),
            equipment_id=row.get("equipment_id"),
            equipment_site_path=row.get("equipment__site__path"),
            contract_id=row.get("contract_id"),
        )
        rule = select_rule(rules, facts) if rules else None
        total = sums[rule.id if rule is not None else NO_RULE]
        for i, key in enumerate(
            ("with_response_deadline", "response", "with_resolution_deadline", "resolution")
        ):
            total[i] += row[key]
    return {key: Breaches(*values) for key, values in sums.items()}, {r.id: r for r in rules}


# --- People and companies -------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """The survey's scores (1–5, every criterion) given in the period."""

    total: int  # the sum of the scores
    count: int

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None


def _ratings(report: ProviderReport) -> QuerySet[SurveyRating]:
    return SurveyRating.objects.filter(
        response__created_at__gte=report.since,
        response__created_at__lt=report.until,
        response__ticket__in=report_tickets(report).values("pk"),
    ).order_by()


def satisfaction_by(report: ProviderReport, key: str) -> dict[Any, Satisfaction]:
    """Scores given in the period, grouped by `key` ("criterion_id",
    "response__ticket__assignee_id", "response__ticket__company_id")."""
    rows = _ratings(report).values_list(key).annotate(total=Sum("score"), n=Count("pk"))
    return {group: Satisfaction(total, n) for group, total, n in rows}


def satisfaction(rows: Iterable[Satisfaction]) -> Satisfaction:
    found = list(rows)
    return Satisfaction(sum(s.total for s in found), sum(s.count for s in found))


@dataclass(frozen=True)
class EngineerRow:
    user_id: int | None  # None: open tickets nobody is assigned to
    open_now: int
    resolved: int
    resolution_total: dt.timedelta | None  # filed → done, summed over `resolved`
    csat: Satisfaction

    @property
    def mean_resolution(self) -> dt.timedelta | None:
        if not self.resolved or self.resolution_total is None:
            return None
        return self.resolution_total / self.resolved


def by_engineer(
    report: ProviderReport, staff_ids: Iterable[int] = (), found: Groups | None = None
) -> list[EngineerRow]:
    """Per assignee: open tickets now (whatever the period), tickets done in the period and their
    mean time from filing, the satisfaction of the ratings given in the period. `staff_ids` are
    listed even without a ticket (everyone who can be assigned)."""
    open_rows = (
        report_tickets(report)
        .filter(status__in=OPEN)
        .values_list("assignee_id")
        .annotate(n=Count(ROW))
    )
    open_now = dict(open_rows)
    resolved: dict[int | None, tuple[int, dt.timedelta | None]] = {}
    for (_day, assignee), (n, took) in (found or groups(report)).done.items():
        count, total = resolved.get(assignee, (0, None))
        resolved[assignee] = (
            count + n,
            took if total is None else total + (took or dt.timedelta()),
        )
    csat = satisfaction_by(report, "response__ticket__assignee_id")
    ids: set[int | None] = {*open_now, *resolved, *csat}
    staff = set(staff_ids)
    if report.assignee_id is None:
        ids |= staff
    elif report.assignee_id in staff:
        ids.add(report.assignee_id)
    rows = [
        EngineerRow(
            user_id=user_id,
            open_now=open_now.get(user_id, 0),
            resolved=resolved.get(user_id, (0, None))[0],
            resolution_total=resolved.get(user_id, (0, None))[1],
            csat=csat.get(user_id, Satisfaction(0, 0)),
        )
        for user_id in ids
    ]
    return sorted(rows, key=lambda r: (r.user_id is None, -r.open_now, -r.resolved, r.user_id or 0))


@dataclass(frozen=True)
class CompanyRow:
    company_id: int
    created: int
    resolved: int
    overdue_now: int  # open past the deadline now
    breaches: Breaches
    csat: Satisfaction


NO_BREACHES = Breaches(0, 0, 0, 0)


def by_company(report: ProviderReport) -> list[CompanyRow]:
    """Per company: filed and done in the period, open past the deadline now, the breaches of the
    tickets filed in the period, the satisfaction of the period; most tickets first."""
    filed_rows = filed_by_company(report)
    done_rows = dict(done(report).values_list("company_id").annotate(n=Count(ROW)))
    overdue = dict(
        report_tickets(report)
        .filter(status__in=OPEN, due_at__lt=report.now)
        .values_list("company_id")
        .annotate(n=Count(ROW))
    )
    csat = satisfaction_by(report, "response__ticket__company_id")
    ids = {*filed_rows, *done_rows, *overdue, *csat}
    rows = [
        CompanyRow(
            company_id=pk,
            created=filed_rows.get(pk, (0, NO_BREACHES))[0],
            resolved=done_rows.get(pk, 0),
            overdue_now=overdue.get(pk, 0),
            breaches=filed_rows.get(pk, (0, NO_BREACHES))[1],
            csat=csat.get(pk, Satisfaction(0, 0)),
        )
        for pk in ids
    ]
    return sorted(rows, key=lambda r: (-r.created, -r.resolved, -r.overdue_now, r.company_id))


def open_now(report: ProviderReport) -> int:
    return report_tickets(report).filter(status__in=OPEN).count()
