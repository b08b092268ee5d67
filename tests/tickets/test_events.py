"""tickets/events.py: one constructor per TicketEvent kind, each deciding what the customer sees.
What each service records is tested with the service; here only the table's shape."""

from collections.abc import Callable
from typing import Any

import pytest

from servicedesk.tickets import events
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from tests.tickets.conftest import Crew


@pytest.mark.parametrize("kind", TicketEvent.Kind.values)
def test_every_kind_has_its_constructor(kind: str) -> None:
    assert callable(getattr(events, kind))


def test_the_bulk_path_builds_unsaved_events_for_a_ticket_id(db: None) -> None:
    event = events.status_changed(1, None, Status.RESOLVED, Status.CLOSED, save=False)
    assert (event.pk, event.ticket_id, event.field, event.old_value, event.new_value) == (
        None,
        1,
        "status",
        "resolved",
        "closed",
    )
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize(
    ("record", "public"),
    [
        (lambda t, by: events.followed(t, by), False),
        (lambda t, by: events.deadline_moved(t, by, "due_at", "a", "b"), False),
        (lambda t, by: events.field_changed(t, by, "subject", "a", "b"), True),
        (lambda t, by: events.assigned(t, by, "", "Ann"), True),
    ],
)
def test_each_kind_decides_whether_the_customer_sees_it(
    crew: Crew,
    make_ticket: Callable[..., Ticket],
    record: Callable[[Ticket, Any], TicketEvent],
    public: bool,
) -> None:
    ticket = make_ticket()
    event = record(ticket, crew.dispatcher)
    assert TicketEvent.objects.get(pk=event.pk).is_public is public
