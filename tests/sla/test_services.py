"""SLA services on a ticket: deadlines from the matching rule, manual deadlines, pauses while
waiting for the customer (across a weekend), the first response, and "overdue"."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicedesk.sla.services import (
    deadline_missed,
    sla_apply,
    sla_first_response,
    sla_first_response_overdue,
    sla_is_overdue,
    sla_pause,
    sla_resume,
)
from servicedesk.tickets.models import Status, Ticket
from tests.factories import SlaRuleFactory, TicketFactory, office_calendar

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


# 2026-03-05 is a Thursday.
THURSDAY_5PM = msk(2026, 3, 5, 17)
NOW = msk(2026, 3, 5, 17, 1)


def ticket_created_at(when: datetime, **fields) -> Ticket:
    ticket = TicketFactory(**fields)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def office_rule():
    return SlaRuleFactory(
        calendar=office_calendar(), first_response_minutes=2 * 60, resolution_minutes=6 * 60
    )


def test_deadlines_count_working_hours_from_creation(office_rule):
    ticket = ticket_created_at(THURSDAY_5PM)
    changed = sla_apply(ticket, now=NOW)
    assert sorted(changed) == ["due_at", "first_response_due_at"]
    # The worked examples: 2 h → Friday 10:00, 6 h → Friday 14:00.
    assert ticket.first_response_due_at == msk(2026, 3, 6, 10)
    assert ticket.due_at == msk(2026, 3, 6, 14)
    ticket.save(update_fields=changed)
    ticket.refresh_from_db()
    assert ticket.due_at == msk(2026, 3, 6, 14)
    assert sla_apply(ticket, now=NOW) == []


def test_a_rule_without_a_calendar_counts_around_the_clock():
    SlaRuleFactory(first_response_minutes=30, resolution_minutes=24 * 60)
    ticket = ticket_created_at(THURSDAY_5PM)
    sla_apply(ticket, now=NOW)
    assert ticket.first_response_due_at == msk(2026, 3, 5, 17, 30)
    assert ticket.due_at == msk(2026, 3, 6, 17)


def test_an_unsaved_ticket_counts_from_now(office_rule):
    ticket = TicketFactory.build(created_at=None)
    ticket.company.save()
    ticket.company_id = ticket.company.pk
    sla_apply(ticket, now=THURSDAY_5PM)
    assert ticket.due_at == msk(2026, 3, 6, 14)


def test_a_manual_deadline_is_never_overwritten(office_rule):
    manual = msk(2026, 4, 1, 12)
    ticket = ticket_created_at(THURSDAY_5PM, due_at=manual, due_at_manual=True)
    assert sla_apply(ticket, now=NOW) == ["first_response_due_at"]
    assert ticket.due_at == manual
    # Nor when no rule matches any more, nor on resuming from a pause.
    office_rule.delete()
    assert sla_apply(ticket, now=NOW) == ["first_response_due_at"]
    assert (ticket.due_at, ticket.first_response_due_at) == (manual, None)
    SlaRuleFactory(calendar=office_calendar())
    sla_pause(ticket, now=msk(2026, 3, 6, 10))
    assert "due_at" not in sla_resume(ticket, now=msk(2026, 3, 6, 12))
    assert ticket.due_at == manual


def test_no_matching_rule_clears_the_deadlines(office_rule):
    ticket = ticket_created_at(THURSDAY_5PM)
    sla_apply(ticket, now=NOW)
    office_rule.is_active = False
    office_rule.save()
    assert sorted(sla_apply(ticket, now=NOW)) == ["due_at", "first_response_due_at"]
    assert (ticket.due_at, ticket.first_response_due_at) == (None, None)


def test_the_first_response_deadline_stays_once_responded(office_rule):
    ticket = ticket_created_at(THURSDAY_5PM)
    sla_apply(ticket, now=NOW)
    assert sla_first_response(ticket, now=msk(2026, 3, 6, 9, 30)) == ["first_responded_at"]
    assert sla_first_response(ticket, now=msk(2026, 3, 6, 11)) == []
    assert ticket.first_responded_at == msk(2026, 3, 6, 9, 30)
    office_rule.first_response_minutes = 10
    office_rule.save()
    assert sla_apply(ticket, now=NOW) == []
    assert ticket.first_response_due_at == msk(2026, 3, 6, 10)


def test_a_pause_over_the_weekend_moves_deadlines_by_the_working_time_paused():
    """Created Friday 16:00 (2 h response → Friday 18:00, 4 h resolution → Monday 11:00); waiting
    for the customer from Friday 17:00 to Monday 10:00 stops the clock for 2 working hours."""
    SlaRuleFactory(
        calendar=office_calendar(), first_response_minutes=2 * 60, resolution_minutes=4 * 60
    )
    ticket = ticket_created_at(msk(2026, 3, 6, 16))
    sla_apply(ticket, now=msk(2026, 3, 6, 16))
    assert (ticket.first_response_due_at, ticket.due_at) == (
        msk(2026, 3, 6, 18),
        msk(2026, 3, 9, 11),
    )

    assert sla_pause(ticket, now=msk(2026, 3, 6, 17)) == ["sla_paused_at"]
    assert sla_pause(ticket, now=msk(2026, 3, 7, 12)) == []
    assert ticket.sla_paused_at == msk(2026, 3, 6, 17)

    changed = sla_resume(ticket, now=msk(2026, 3, 9, 10))
    assert sorted(changed) == [
        "due_at",
        "first_response_due_at",
        "sla_paused_at",
        "sla_paused_seconds",
    ]
    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_seconds == 2 * 3600
    assert ticket.first_response_due_at == msk(2026, 3, 9, 11)
    assert ticket.due_at == msk(2026, 3, 9, 13)
    assert sla_resume(ticket, now=msk(2026, 3, 9, 11)) == []
    # Recomputing later gives the same deadlines: the paused time is part of them.
    assert sla_apply(ticket, now=msk(2026, 3, 9, 11)) == []


def test_a_pause_outside_working_hours_changes_no_deadline(office_rule):
    ticket = ticket_created_at(THURSDAY_5PM)
    sla_apply(ticket, now=NOW)
    due = ticket.due_at
    sla_pause(ticket, now=msk(2026, 3, 7, 10))  # Saturday
    assert sla_resume(ticket, now=msk(2026, 3, 8, 20)) == ["sla_paused_at"]
    assert (ticket.due_at, ticket.sla_paused_seconds) == (due, 0)


def test_resuming_after_the_first_response_moves_only_the_resolution_deadline(office_rule):
    ticket = ticket_created_at(THURSDAY_5PM)
    sla_apply(ticket, now=NOW)
    sla_first_response(ticket, now=msk(2026, 3, 5, 17, 30))
    sla_pause(ticket, now=msk(2026, 3, 6, 9))
    sla_resume(ticket, now=msk(2026, 3, 6, 10, 30))
    assert ticket.first_response_due_at == msk(2026, 3, 6, 10)
    assert ticket.due_at == msk(2026, 3, 6, 15, 30)
    assert ticket.sla_paused_seconds == 90 * 60


def test_pauses_add_up(office_rule):
    ticket = ticket_created_at(THURSDAY_5PM)
    sla_apply(ticket, now=NOW)
    for start, end in [((2026, 3, 6, 9), (2026, 3, 6, 10)), ((2026, 3, 6, 11), (2026, 3, 6, 12))]:
        sla_pause(ticket, now=msk(*start))
        sla_resume(ticket, now=msk(*end))
    assert ticket.sla_paused_seconds == 2 * 3600
    assert ticket.due_at == msk(2026, 3, 6, 16)


DUE = datetime(2026, 3, 6, 11, tzinfo=UTC)
BEFORE, AFTER = DUE - timedelta(minutes=1), DUE + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("fields", "now", "overdue"),
    [
        ({}, BEFORE, False),
        ({}, AFTER, True),
        ({"due_at": None}, AFTER, False),
        ({"status": Status.RESOLVED, "resolved_at": BEFORE}, AFTER, False),
        ({"status": Status.RESOLVED, "resolved_at": AFTER}, AFTER, True),
        ({"status": Status.CLOSED, "closed_at": AFTER}, AFTER, True),
        ({"status": Status.CANCELLED}, AFTER, False),
        # Waiting: judged when the clock stopped.
        ({"status": Status.WAITING, "sla_paused_at": BEFORE}, AFTER, False),
        ({"status": Status.WAITING, "sla_paused_at": AFTER}, AFTER + timedelta(days=1), True),
    ],
)
def test_is_overdue(fields, now, overdue):
    ticket = Ticket(**{"due_at": DUE, "status": Status.IN_PROGRESS, **fields})
    assert sla_is_overdue(ticket, now=now) is overdue


def test_first_response_overdue():
    ticket = Ticket(status=Status.NEW, first_response_due_at=DUE)
    assert sla_first_response_overdue(ticket, now=AFTER) is True
    ticket.first_responded_at = BEFORE
    assert sla_first_response_overdue(ticket, now=AFTER) is False
    assert deadline_missed(DUE, done_at=AFTER, now=BEFORE, is_open=False) is True
