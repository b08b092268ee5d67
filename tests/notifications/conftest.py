"""A cast for the notification tests: a customer company with its contact (English) and a
colleague (Russian), another company's customer, and the provider's people — an administrator
and a dispatcher (both may dispatch), the engineer the tickets are assigned to and another one.
`commit` runs a service as a page would: its on-commit work (the notification tasks, run at once
by Huey in tests) happens when it returns."""

from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest

from servicedesk.tickets.models import Status, Ticket, TicketFollower
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory
from tests.mail_server import SmtpServer


@dataclass
class Cast:
    company: Any
    other_company: Any
    contact: Any
    colleague: Any
    stranger: Any
    admin: Any
    dispatcher: Any
    engineer: Any
    other_engineer: Any


@pytest.fixture
def cast(db: None) -> Cast:
    company = CompanyFactory(name="Gammasoft")
    other = CompanyFactory(name="Deltacorp")

    def member(company: Any, **user: Any) -> Any:
        return MembershipFactory(company=company, **{f"user__{k}": v for k, v in user.items()}).user

    return Cast(
        company=company,
        other_company=other,
        contact=member(company, full_name="Clara Contact", email="clara@gamma.test", language="en"),
        colleague=member(
            company, full_name="Руслан Коллега", email="ruslan@gamma.test", language="ru"
        ),
        stranger=member(other, full_name="Sam Stranger", email="sam@delta.test", language="en"),
        admin=UserFactory(
            admin=True, full_name="Ada Admin", email="ada@provider.test", language="en"
        ),
        dispatcher=UserFactory(
            dispatcher=True, full_name="Дора Диспетчер", email="dora@provider.test", language="ru"
        ),
        engineer=UserFactory(
            engineer=True, full_name="Eric Engineer", email="eric@provider.test", language="en"
        ),
        other_engineer=UserFactory(
            engineer=True, full_name="Olga Other", email="olga@provider.test", language="en"
        ),
    )


def working_ticket(cast: Cast, status: str = Status.IN_PROGRESS, **fields: Any) -> Ticket:
    """A ticket of the cast's company in work: assigned to the engineer, the colleague
    following it."""
    values: dict[str, Any] = {
        "company": cast.company,
        "contact": cast.contact,
        "status": status,
        "assignee": None if status == Status.NEW else cast.engineer,
        "subject": "Boiler is cold",
        "number": "00001234",
    }
    values.update(fields)
    ticket = TicketFactory(**values)
    TicketFollower.objects.create(ticket=ticket, user=cast.contact)
    TicketFollower.objects.create(ticket=ticket, user=cast.colleague)
    return ticket


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def mail_to(smtp: SmtpServer) -> dict[str, list[EmailMessage]]:
    """The messages the SMTP server received, by recipient address."""
    found: dict[str, list[EmailMessage]] = {}
    for recipients, message in zip(smtp.recipients, smtp.messages, strict=True):
        for address in recipients:
            found.setdefault(address, []).append(message)
    return found
