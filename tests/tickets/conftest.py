"""A small cast for the workflow and staff-service tests: one customer company with its contact,
and the provider's people — an administrator, a dispatcher, the engineer the tickets are
assigned to and another engineer."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from servicedesk.tickets.models import Status, Ticket, TicketEvent
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Crew:
    company: Any
    contact: Any
    admin: Any
    dispatcher: Any
    engineer: Any
    other_engineer: Any

    def role(self, name: str) -> Any:
        """admin, dispatcher, engineer_own (the assignee), engineer_other, customer."""
        return {
            "admin": self.admin,
            "dispatcher": self.dispatcher,
            "engineer_own": self.engineer,
            "engineer_other": self.other_engineer,
            "customer": self.contact,
        }[name]


@pytest.fixture
def crew(db: None) -> Crew:
    company = CompanyFactory(name="Gammasoft")
    return Crew(
        company=company,
        contact=MembershipFactory(company=company, user__full_name="Clara Contact").user,
        admin=UserFactory(admin=True, full_name="Ada Admin"),
        dispatcher=UserFactory(dispatcher=True, full_name="Dora Dispatcher"),
        engineer=UserFactory(engineer=True, full_name="Eric Engineer"),
        other_engineer=UserFactory(engineer=True, full_name="Olga Other"),
    )


def ticket_in(crew: Crew, status: str, **fields: Any) -> Ticket:
    """A ticket at the given stage as the workflow would have left it: assigned to the crew's
    engineer past New, with the timestamps of a resolved or closed ticket."""
    values: dict[str, Any] = {
        "company": crew.company,
        "contact": crew.contact,
        "status": status,
        "assignee": None if status == Status.NEW else crew.engineer,
    }
    if status in (Status.RESOLVED, Status.CLOSED):
        values |= {"resolved_at": WHEN, "resolution": "Replaced the fuse."}
    if status == Status.CLOSED:
        values["closed_at"] = WHEN
    return TicketFactory(**(values | fields))


@pytest.fixture
def make_ticket(crew: Crew) -> Callable[..., Ticket]:
    def make(status: str = Status.NEW, **fields: Any) -> Ticket:
        return ticket_in(crew, status, **fields)

    return make


def snapshot(ticket: Ticket) -> tuple[dict[str, Any], int]:
    """The ticket's row as stored, and how many events it has: equal before and after a
    refused change."""
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    return row, TicketEvent.objects.filter(ticket_id=ticket.pk).count()


def events(ticket: Ticket) -> list[tuple[str, str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket_id=ticket.pk)
        .order_by("id")
        .values_list("kind", "field", "old_value", "new_value")
    )
