"""The email channel through a real IMAP server, in Chromium: a customer's email delivered to
Dovecot becomes a ticket by a poll; the engineer answers in the back office; the answer arrives
at the SMTP server (aiosmtpd) in the ticket's thread; the customer's reply, delivered to the same
mailbox, is picked up by the next poll and appears in the portal's chat. Then the administrator's
side: «Test connection», the live regex test and the health page (screenshots in
$SHOTS_DIR or /tmp/shots-mail/)."""

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.mail.imap import mailbox_poll
from servicedesk.mail.models import InboundMessage, Mailbox, SenderRule
from servicedesk.tickets.models import Origin, Ticket
from tests.browser.test_mail_channel import (
    answer_in_the_back_office,
    customer_reply,
    email_from_customer,
)
from tests.browser.test_ticket_create import sign_in
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SUPPORT = "support@desk.example.com"
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots-mail")
SEEN = "\\Seen"


def test_mail_through_imap_answered_in_the_back_office_and_replied_to(
    live_server, page_for, smtp_email, imap_server, settings, media
):
    settings.MAIL_REPLY_ADDRESS = f"Support <{SUPPORT}>"
    settings.MAIL_MESSAGE_ID_DOMAIN = "desk.example.com"
    base = live_server.url
    company = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(
        company=company, user__full_name="Anna Customer", user__email="anna@alfa.example"
    ).user
    engineer = UserFactory(engineer=True, full_name="Egor Engineer")
    admin = UserFactory(admin=True, full_name="Ada Admin")
    TicketType.objects.get_or_create(code="incident", defaults={"name_ru": "Инцидент"})
    Criticality.objects.get_or_create(code="normal", defaults={"name_ru": "Обычная"})
    login = imap_server.new_user()
    mailbox = Mailbox(
        name="Support",
        address=SUPPORT,
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_security=Mailbox.Security.NONE,
        imap_login=login,
    )
    mailbox.set_imap_password(imap_server.password)
    mailbox.save()
    SenderRule.objects.create(
        mailbox=mailbox,
        pattern="*@alfa.example",
        company=company,
        extract=[{"field": "site", "source": "body", "pattern": r"Site:\s*(\S+)"}],
    )

    # The customer's email is delivered to the mailbox; a poll files it and marks it seen.
    first_uid = imap_server.append(
        login, email_from_customer(SUPPORT, "Pump leaks", "The pump in the basement leaks.")
    )
    result = mailbox_poll(mailbox.pk)
    assert (result.error, result.fetched, result.states) == ("", 1, {"processed": 1})
    ticket = Ticket.objects.get()
    assert (ticket.origin, ticket.subject, ticket.contact) == (Origin.EMAIL, "Pump leaks", customer)
    assert SEEN in imap_server.flags(login)[first_uid]
    smtp_email.wait_for(2)  # the confirmation and the admin's «new ticket»
    [confirmation] = [m for m in smtp_email.messages if m["To"] == "anna@alfa.example"]
    assert ticket.number in confirmation["Subject"]
    _staff, answer = answer_in_the_back_office(
        page_for, base, engineer, customer, ticket, smtp_email
    )

    # Anna replies from her mail program; the reply is delivered to the same mailbox.
    reply = customer_reply(answer)
    reply_uid = imap_server.append(login, reply)
    result = mailbox_poll(mailbox.pk)
    assert (result.error, result.fetched, result.states) == ("", 1, {"processed": 1})
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get(imap_uid=str(reply_uid)).ticket_id == ticket.pk
    assert SEEN in imap_server.flags(login)[reply_uid]

    portal = page_for("en-US")
    sign_in(portal, base, customer.email)
    portal.goto(f"{base}/portal/tickets/{ticket.number}/")
    chat = portal.get_by_test_id("messages")
    expect(chat).to_contain_text("We come at 10:00 with a new seal")
    expect(chat.get_by_test_id("message").filter(has_text="the door code is 1234")).to_have_count(1)
    expect(chat).not_to_contain_text("> We come at")

    # The administrator's pages: the mailbox with «Test connection», the live regex test, the
    # health page with this mailbox's poll and messages.
    SHOTS.mkdir(parents=True, exist_ok=True)
    office = page_for("ru-RU", height=1100)
    sign_in(office, base, admin.email)
    office.goto(f"{base}/backoffice/mail/mailboxes/{mailbox.pk}/")
    office.get_by_test_id("test-connection").click()
    expect(office.get_by_test_id("connection-result")).to_contain_text("Подключение есть")
    expect(office.get_by_test_id("sender-row")).to_have_count(1)
    expect(office.locator("body")).not_to_contain_text(imap_server.password)
    office.screenshot(path=str(SHOTS / "mailbox-settings.png"), full_page=True)

    office.get_by_test_id("sender-row").get_by_role("link").click()
    office.get_by_label("Пример текста").fill("Hello\nSite: HQ-2\nThanks")
    expect(office.get_by_test_id("extract-value")).to_have_text("HQ-2")
    office.screenshot(path=str(SHOTS / "sender-row.png"), full_page=True)

    office.goto(f"{base}/backoffice/mail/")
    row = office.get_by_test_id("health-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("poll")).to_contain_text("OK")
    expect(row.get_by_test_id("per-hour")).to_have_attribute(
        "data-counts", ",".join(["0"] * 23 + ["2"])
    )
    office.screenshot(path=str(SHOTS / "mail-health.png"), full_page=True)

    # A wrong password: the next poll says so on the health page, and the mail waits.
    mailbox.set_imap_password("wrong")
    mailbox.save()
    waiting = imap_server.append(login, email_from_customer(SUPPORT, "Another", "Later."))
    assert mailbox_poll(mailbox.pk).error
    office.reload()
    expect(office.get_by_test_id("poll-error")).to_contain_text("отклонил логин или пароль")
    assert SEEN not in imap_server.flags(login)[waiting]
    office.screenshot(path=str(SHOTS / "mail-health-error.png"), full_page=True)
    office.goto(f"{base}/backoffice/mail/inbound/")
    office.screenshot(path=str(SHOTS / "inbound-list.png"), full_page=True)
