"""Resolved tickets nobody answered close by themselves (tickets.tasks.tickets_auto_close):
only resolved ones, only older than TICKET_AUTO_CLOSE_DAYS, in chunks, and only once."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from servicedesk.tickets import counts, services, tasks
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_transition, tickets_close_resolved
from tests.tickets.conftest import Crew

S = Status
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
MakeTicket = Callable[..., Ticket]


def resolved(make_ticket: MakeTicket, days_ago: float) -> Ticket:
    return make_ticket(S.RESOLVED, resolved_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def seven_days(settings: Any) -> None:
    settings.TICKET_AUTO_CLOSE_DAYS = 7


@pytest.mark.usefixtures("seven_days")
def test_only_resolved_tickets_older_than_the_setting_close(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    # Given tickets resolved 8 and 6 days ago, one resolved 10 days ago and reopened since,
    # and tickets in other stages
    old, recent = resolved(make_ticket, 8), resolved(make_ticket, 6)
    reopened = resolved(make_ticket, 10)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        ticket_transition(by=crew.dispatcher, ticket=reopened, code="reopen", reason="Leaks")
    others = [make_ticket(s) for s in (S.NEW, S.IN_PROGRESS, S.WAITING, S.CLOSED, S.CANCELLED)]
    untouched = {t.pk: Ticket.objects.filter(pk=t.pk).values().get() for t in [recent, *others]}
    # When the hourly job runs
    with time_machine.travel(NOW, tick=False):
        tasks.tickets_auto_close.call_local()
    # Then only the old resolved one is closed, by nobody, saying why
    stored = Ticket.objects.get(pk=old.pk)
    assert (stored.status, stored.closed_at, stored.version) == (S.CLOSED, NOW, 2)
    assert list(
        TicketEvent.objects.filter(ticket=old).values_list(
            "actor", "kind", "field", "old_value", "new_value", "is_public"
        )
    ) == [
        (None, TicketEvent.Kind.STATUS_CHANGED, "status", S.RESOLVED, S.CLOSED, True),
        (None, TicketEvent.Kind.AUTO_CLOSED, "", "", "7", True),
    ]
    assert Ticket.objects.get(pk=reopened.pk).status == S.IN_PROGRESS
    assert not TicketEvent.objects.filter(ticket=reopened, kind=TicketEvent.Kind.AUTO_CLOSED)
    assert {t: Ticket.objects.filter(pk=t).values().get() for t in untouched} == untouched
    assert not TicketEvent.objects.filter(ticket_id__in=untouched)


@pytest.mark.usefixtures("seven_days")
def test_running_twice_closes_once(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = resolved(make_ticket, 9)
    assert tickets_close_resolved(now=NOW, days=7) == 1
    assert tickets_close_resolved(now=NOW + timedelta(hours=1), days=7) == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == 2
    assert Ticket.objects.get(pk=ticket.pk).version == 2


def test_chunks_close_everything_in_a_bounded_number_of_queries(
    crew: Crew, make_ticket: MakeTicket, django_assert_max_num_queries: Any
) -> None:
    tickets = [resolved(make_ticket, 8 + i) for i in range(5)]
    # 3 chunks of at most 2, each: ids, lock, update, insert events (+ savepoints), then the end
    with django_assert_max_num_queries(3 * 6 + 1):
        assert tickets_close_resolved(now=NOW, days=7, chunk_size=2) == 5
    assert set(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("status", flat=True)
    ) == {S.CLOSED}


def test_zero_days_turns_it_off(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = resolved(make_ticket, 400)
    assert tickets_close_resolved(now=NOW, days=0) == 0
    assert Ticket.objects.get(pk=ticket.pk).status == S.RESOLVED


def test_the_companys_counts_move_on(
    crew: Crew, make_ticket: MakeTicket, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QuerySet.update() sends no post_save: the job tells the counts cache itself
    resolved(make_ticket, 8)
    seen: list[int | None] = []
    monkeypatch.setattr(counts, "company_changed", lambda company_id, *a: seen.append(company_id))
    assert services.tickets_close_resolved(now=NOW, days=7) == 1
    assert seen == [crew.company.pk]
