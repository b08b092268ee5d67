"""Shared setup for the inbound mail tests: a desk (mailbox, sender rule, people) and a builder
for raw emails."""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from servicedesk.accounts.models import User
from servicedesk.customers.models import Company, Criticality, TicketType
from servicedesk.mail.models import Mailbox, SenderRule
from tests.factories import CompanyFactory, CriticalityFactory, MembershipFactory, UserFactory

SUPPORT = "support@desk.example.com"


@dataclass
class Desk:
    mailbox: Mailbox
    rule: SenderRule
    company: Company
    other_company: Company
    customer: User
    colleague: User
    outsider: User  # a customer of another company
    engineer: User
    admin: User


@pytest.fixture
def desk(db: None, settings: Any, media: Any) -> Desk:
    settings.MAIL_REPLY_ADDRESS = f"Support <{SUPPORT}>"
    settings.DEFAULT_FROM_EMAIL = "Servicedesk <noreply@desk.example.com>"
    settings.MAIL_MESSAGE_ID_DOMAIN = "desk.example.com"
    TicketType.objects.get_or_create(code="incident", defaults={"name_ru": "Инцидент"})
    if not Criticality.objects.filter(is_default=True).exists():
        CriticalityFactory(is_default=True)
    company = CompanyFactory(name="Alpha")
    other = CompanyFactory(name="Beta")
    mailbox = Mailbox.objects.create(
        name="Support", address=SUPPORT, unknown_sender=Mailbox.UnknownSender.HOLD
    )
    rule = SenderRule.objects.create(mailbox=mailbox, pattern="*@alpha.example", company=company)
    SenderRule.objects.create(
        mailbox=mailbox, position=200, pattern="*@beta.example", company=other
    )
    customer = MembershipFactory(company=company, user__email="ivan@alpha.example").user
    colleague = MembershipFactory(company=company, user__email="olga@alpha.example").user
    outsider = MembershipFactory(company=other, user__email="boris@beta.example").user
    engineer = UserFactory(engineer=True, email="eng@desk.example.com")
    admin = UserFactory(admin=True, email="admin@desk.example.com")
    return Desk(mailbox, rule, company, other, customer, colleague, outsider, engineer, admin)


def make_email(
    *,
    sender: str = "Ivan <ivan@alpha.example>",
    to: str = SUPPORT,
    subject: str = "Printer is broken",
    body: str = "The printer on floor 2 does not print.",
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="alpha.example")
    message["Date"] = "Mon, 07 Dec 2026 10:00:00 +0300"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for name, content_type, data in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()
