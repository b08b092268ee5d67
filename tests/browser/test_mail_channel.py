"""The email channel end to end, in Chromium: a customer's email becomes a ticket; the engineer
answers in the back office; the answer arrives over SMTP (aiosmtpd) in the ticket's thread with
the customer's own reply address; the customer's reply to it appears in the portal's chat."""

from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.mail.addresses import reply_address_parse, thread_root_id
from servicedesk.mail.inbound import inbound_receive
from servicedesk.mail.models import Mailbox, SenderRule
from servicedesk.tickets.models import Origin
from tests.browser.test_ticket_create import sign_in
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SUPPORT = "support@desk.example.com"


def email_from_customer(to: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Anna Customer <anna@alfa.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="alfa.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def answer_in_the_back_office(
    page_for: Any, base: str, engineer: Any, customer: Any, ticket: Any, smtp_email: Any
) -> tuple[Page, EmailMessage]:
    """The engineer answers in the back office; the answer arrives by SMTP in the ticket's
    thread with the customer's own reply address. The staff's page and the answer received."""
    before = len(smtp_email.messages)
    staff = page_for("en-US")
    sign_in(staff, base, engineer.email)
    staff.goto(f"{base}/backoffice/tickets/{ticket.number}/")
    expect(staff.get_by_text("The pump in the basement leaks.")).to_be_visible()
    staff.get_by_test_id("message-input").fill("We come at 10:00 with a new seal")
    staff.get_by_test_id("send-message").click()
    expect(staff.get_by_test_id("messages")).to_contain_text("We come at 10:00")

    smtp_email.wait_for(before + 1)
    answer = next(
        m
        for m in smtp_email.messages[before:]
        if m["To"] == "anna@alfa.example"
        and "We come at 10:00" in m.get_body(("plain",)).get_content()
    )
    assert answer["In-Reply-To"] == thread_root_id(ticket.pk)
    assert answer["References"] == thread_root_id(ticket.pk)
    token = reply_address_parse(str(answer["Reply-To"]))
    assert token is not None and (token.ticket_id, token.user_id) == (ticket.pk, customer.pk)
    return staff, answer


def customer_reply(answer: EmailMessage) -> bytes:
    """Anna's reply from her mail program, quoting the answer, in its thread."""
    return email_from_customer(
        parseaddr(str(answer["Reply-To"]))[1],
        "Re: " + str(answer["Subject"]),
        "Thanks, the door code is 1234.\n\n"
        "On Mon, 7 Dec 2026 at 10:00, Support <support@desk.example.com> wrote:\n"
        "> We come at 10:00 with a new seal",
        In_Reply_To=str(answer["Message-ID"]),
        References=f"{answer['References']} {answer['Message-ID']}",
    )


def test_a_ticket_by_email_answered_in_the_back_office_and_replied_to_by_email(
    live_server, page_for, smtp_email, settings, media
):
    settings.MAIL_REPLY_ADDRESS = f"Support <{SUPPORT}>"
    settings.MAIL_MESSAGE_ID_DOMAIN = "desk.example.com"
    base = live_server.url
    company = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(
        company=company, user__full_name="Anna Customer", user__email="anna@alfa.example"
    ).user
    engineer = UserFactory(engineer=True, full_name="Egor Engineer")
    TicketType.objects.get_or_create(code="incident", defaults={"name_ru": "Инцидент"})
    Criticality.objects.get_or_create(code="normal", defaults={"name_ru": "Обычная"})
    mailbox = Mailbox.objects.create(name="Support", address=SUPPORT)
    SenderRule.objects.create(mailbox=mailbox, pattern="*@alfa.example", company=company)

    # The customer writes to the support address: a ticket, and a confirmation by SMTP.
    first = email_from_customer(SUPPORT, "Pump leaks", "The pump in the basement leaks.")
    ticket = inbound_receive(mailbox=mailbox, raw=first, source="pipe").ticket
    assert ticket is not None and ticket.origin == Origin.EMAIL
    confirmation = smtp_email.wait_for(1)[0]
    assert confirmation["To"] == "anna@alfa.example" and ticket.number in confirmation["Subject"]
    staff, answer = answer_in_the_back_office(
        page_for, base, engineer, customer, ticket, smtp_email
    )

    # Anna replies from her mail program; the reply lands in the chat.
    reply = customer_reply(answer)
    received = inbound_receive(mailbox=mailbox, raw=reply, source="pipe")
    assert (received.state, received.ticket_id) == ("processed", ticket.pk)

    portal = page_for("en-US")
    sign_in(portal, base, customer.email)
    portal.goto(f"{base}/portal/tickets/{ticket.number}/")
    chat = portal.get_by_test_id("messages")
    expect(chat).to_contain_text("We come at 10:00 with a new seal")
    mine = chat.get_by_test_id("message").filter(has_text="the door code is 1234")
    expect(mine).to_have_count(1)
    expect(chat).not_to_contain_text("> We come at")  # the quoted history is folded away
    # The engineer sees it too, and the original email among the staff's files only.
    staff.reload()
    expect(staff.get_by_test_id("messages")).to_contain_text("the door code is 1234")
    expect(portal.locator("body")).not_to_contain_text(".eml")
