"""SLA deadlines on a ticket, and the changes made from the admin pages.

The ticket functions (`sla_apply`, `sla_pause`, `sla_resume`, `sla_first_response`) change the
Ticket instance they are given and return the names of the fields they changed; they never
save. The caller — the ticket workflow — saves inside its own transaction (e.g.
`ticket.save(update_fields=[*changed, ...])`) and records the TicketEvent.

How the clock works:
- deadlines count working time of the matching rule's calendar from `ticket.created_at`;
- while the ticket waits for the customer the clock stops (`sla_paused_at`); on resuming, the
  working time spent paused is added to `sla_paused_seconds` and to the open deadlines, so that
  `sla_apply` recomputes the same deadlines later (created_at + target + paused);
- a deadline set by hand (`due_at_manual`) is never changed, and the first-response deadline is
  left alone once the first response has been recorded.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from servicedesk.sla.calendar import (
    ALWAYS_ON,
    CalendarSpec,
    Interval,
    add_working_seconds,
    working_seconds_between,
)
from servicedesk.sla.matching import RuleSpec, reference_changed, rule_for_ticket
from servicedesk.sla.models import Holiday, ServiceCalendar, WorkingHours
from servicedesk.sla.selectors import calendar_spec
from servicedesk.tickets.models import OPEN_STATUSES, Ticket

logger = logging.getLogger(__name__)


def _spec_for(rule: RuleSpec | None) -> CalendarSpec:
    spec = calendar_spec(rule.calendar_id if rule is not None else None)
    if not spec.has_working_time():
        # The admin form refuses such a calendar; one edited around it must not stop the clock.
        logger.warning("SLA calendar %s has no working hours; counting 24/7", rule and rule.id)
        return ALWAYS_ON
    return spec


def _set(ticket: Ticket, field: str, value: Any, changed: list[str]) -> None:
    if getattr(ticket, field) != value:
        setattr(ticket, field, value)
        changed.append(field)


def sla_apply(ticket: Ticket, *, now: datetime) -> list[str]:
    """(Re)compute the ticket's first-response and resolution deadlines from its matching rule:
    on creation, and whenever something the rules look at changes (type, criticality, site...).

    No matching rule clears the deadlines (a manual one stays). An unsaved ticket counts
    from `now`.
    """
    changed: list[str] = []
    rule = rule_for_ticket(ticket)
    # To the second: a ticket's deadlines are computed before its row is written (created_at
    # is set a moment later, on insert), and recomputing them later must not move them by
    # those microseconds.
    start = (ticket.created_at or now).replace(microsecond=0)
    paused = int(ticket.sla_paused_seconds or 0)
    first_response_due: datetime | None = None
    due: datetime | None = None
    if rule is not None:
        spec = _spec_for(rule)
        first_response_due = add_working_seconds(
            start, rule.first_response_minutes * 60 + paused, spec
        )
        due = add_working_seconds(start, rule.resolution_minutes * 60 + paused, spec)
    if not ticket.due_at_manual:
        _set(ticket, "due_at", due, changed)
    if ticket.first_responded_at is None or ticket.first_response_due_at is None:
        _set(ticket, "first_response_due_at", first_response_due, changed)
    return changed


def sla_pause(ticket: Ticket, *, now: datetime) -> list[str]:
    """Stop the clock: the ticket now waits for the customer. Pausing twice changes nothing."""
    if ticket.sla_paused_at is not None:
        return []
    ticket.sla_paused_at = now
    return ["sla_paused_at"]


def sla_resume(ticket: Ticket, *, now: datetime) -> list[str]:
    """Restart the clock: the working time spent paused (in the calendar of the rule matching
    now; around the clock when none matches) moves the open deadlines on by as much."""
    if ticket.sla_paused_at is None:
        return []
    changed = ["sla_paused_at"]
    paused_at = ticket.sla_paused_at
    ticket.sla_paused_at = None
    spec = _spec_for(rule_for_ticket(ticket))
    paused = working_seconds_between(paused_at, now, spec) if now > paused_at else 0
    if paused <= 0:
        return changed
    ticket.sla_paused_seconds = int(ticket.sla_paused_seconds or 0) + paused
    changed.append("sla_paused_seconds")
    if ticket.due_at is not None and not ticket.due_at_manual:
        _set(ticket, "due_at", add_working_seconds(ticket.due_at, paused, spec), changed)
    if ticket.first_response_due_at is not None and ticket.first_responded_at is None:
        moved = add_working_seconds(ticket.first_response_due_at, paused, spec)
        _set(ticket, "first_response_due_at", moved, changed)
    return changed


def sla_first_response(ticket: Ticket, *, now: datetime) -> list[str]:
    """Record the first response from the provider; later responses change nothing."""
    if ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = now
    return ["first_responded_at"]


def deadline_missed(
    due: datetime | None,
    *,
    done_at: datetime | None,
    now: datetime,
    is_open: bool,
    paused_at: datetime | None = None,
) -> bool:
    """Whether a deadline was missed: done after it, or not done and still open past it. A
    paused clock is judged at the moment it stopped; a ticket cancelled undone missed nothing."""
    if due is None:
        return False
    if done_at is not None:
        return done_at > due
    if not is_open:
        return False
    return (paused_at or now) > due


def sla_is_overdue(ticket: Ticket, *, now: datetime) -> bool:
    """Resolved or closed after the deadline, or still open past it (see `deadline_missed`)."""
    return deadline_missed(
        ticket.due_at,
        done_at=ticket.resolved_at or ticket.closed_at,
        now=now,
        is_open=ticket.status in OPEN_STATUSES,
        paused_at=ticket.sla_paused_at,
    )


def sla_first_response_overdue(ticket: Ticket, *, now: datetime) -> bool:
    return deadline_missed(
        ticket.first_response_due_at,
        done_at=ticket.first_responded_at,
        now=now,
        is_open=ticket.status in OPEN_STATUSES,
        paused_at=ticket.sla_paused_at,
    )


# --- The admin pages ---------------------------------------------------------------------------


@transaction.atomic
def calendar_save(
    calendar: ServiceCalendar, *, hours: dict[int, list[Interval]]
) -> ServiceCalendar:
    """Save a calendar with its weekly working hours (validated by the form), replacing the
    ones it had."""
    calendar.full_clean()
    calendar.save()
    WorkingHours.objects.filter(calendar=calendar).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, start=start, end=end)
        for day, intervals in sorted(hours.items())
        for start, end in intervals
    )
    return calendar


@dataclass(frozen=True)
class HolidayRow:
    date: date
    name: str


@transaction.atomic
def holidays_add(calendar: ServiceCalendar, *, rows: Iterable[HolidayRow]) -> int:
    """Add holidays (checked by the form: valid, in the future, not yet in the calendar);
    all or nothing."""
    created = Holiday.objects.bulk_create(
        Holiday(calendar=calendar, date=row.date, name=row.name) for row in rows
    )
    reference_changed()  # bulk_create sends no post_save (sla/apps.py)
    return len(created)
