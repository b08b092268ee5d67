"""Notifications in Chromium: an administrator finds a failed email on «Outgoing mail» and sends
it again; a customer follows the bell in the portal header to the ticket and sets their
notification choices."""

import re

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from playwright.sync_api import expect

from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.services import outbound_queue
from servicedesk.notifications.models import (
    Digest,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from servicedesk.tickets.models import Status
from tests.browser.test_shell import sign_in
from tests.factories import MembershipFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def queued(to: str, subject: str, **fields) -> OutboundMessage:
    message = EmailMultiAlternatives(subject, "Body", None, [to])
    row = outbound_queue(message, kind="ticket_created")
    assert row is not None
    OutboundMessage.objects.filter(pk=row.pk).update(**fields)
    return row


def test_an_administrator_sends_a_failed_email_again(live_server, page_for, tmp_path):
    admin = UserFactory(admin=True, language="en", full_name="Ada Admin")
    for n in range(3):
        queued(
            f"client{n}@example.test",
            f"[#0000012{n}] Your ticket is registered",
            status=OutboundMessage.Status.SENT,
            attempts=1,
            sent_at=timezone.now(),
        )
    waiting = queued(
        "slow@example.test",
        "[#00000130] New message",
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=5),
    )
    failed = queued(
        "gone@example.test",
        "[#00000131] Solution proposed",
        status=OutboundMessage.Status.FAILED,
        attempts=7,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    page = page_for("en-US")
    sign_in(page, live_server.url, admin.email)

    page.locator("[data-testid=main-menu]").get_by_text("Outgoing mail").click()
    expect(page.locator("h1")).to_have_text("Outgoing mail")
    expect(page.locator("[data-testid=outbound-row]")).to_have_count(5)
    expect(page.locator("[data-testid=tab-failed]")).to_contain_text("1")
    expect(
        page.get_by_text("SMTPServerDisconnected: Connection unexpectedly closed")
    ).to_be_visible()
    page.screenshot(path=str(tmp_path / "outbound.png"), full_page=True)

    page.locator("[data-testid=tab-failed]").click()
    expect(page.locator("[data-testid=outbound-row]")).to_have_count(1)
    page.locator("[data-testid=retry]").click()

    expect(page.get_by_text("The email will be sent again in a moment.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/backoffice/mail/outbound/\?status=failed$"))
    expect(page.locator("[data-testid=empty]")).to_be_visible()  # nothing failed any more
    failed.refresh_from_db()
    waiting.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboundMessage.Status.SENT, 8)
    assert waiting.status == OutboundMessage.Status.QUEUED  # untouched
    assert page.console_errors == [] and page.failed_responses == []


def test_a_customer_follows_the_bell_and_sets_their_choices(live_server, page_for, tmp_path):
    customer = MembershipFactory(user__language="en", user__full_name="Clara Contact").user
    engineer = UserFactory(engineer=True, full_name="Eric Engineer")
    ticket = TicketFactory(
        company=customer.memberships.get().company,
        contact=customer,
        number="00004321",
        subject="Boiler is cold",
        status=Status.IN_PROGRESS,
        assignee=engineer,
    )
    Notification.objects.create(
        user=customer,
        kind=Notification.Kind.STATUS_CHANGED,
        ticket=ticket,
        actor=engineer,
        data={"old": Status.NEW, "new": Status.IN_PROGRESS},
    )
    page = page_for("en-US")
    sign_in(page, live_server.url, customer.email)

    bell = page.locator("[data-testid=bell]")
    expect(bell.locator("[data-testid=bell-count]")).to_have_text("1")
    bell.click()
    item = page.locator("[data-testid=notification]")
    expect(item).to_contain_text("00004321: New → In progress")
    item.click()
    expect(page).to_have_url(re.compile(r"/portal/tickets/00004321/$"))
    expect(page.locator("[data-testid=bell-count]")).to_have_count(0)

    page.locator("[data-testid=user-menu]").click()
    page.locator(".dropdown-menu.show").get_by_text("Notification settings").click()
    expect(page.locator("h1")).to_have_text("Notification settings")
    page.get_by_label("New message by email").uncheck()
    page.get_by_label("A colleague's new ticket by email").check()
    page.get_by_label("Daily digest").check()
    page.screenshot(path=str(tmp_path / "preferences.png"), full_page=True)
    page.locator("[data-testid=save]").click()

    expect(page.get_by_text("Your notification settings have been saved.")).to_be_visible()
    expect(page.get_by_label("New message by email")).not_to_be_checked()
    expect(page.get_by_label("Daily digest")).to_be_checked()
    assert sorted(
        NotificationPreference.objects.filter(user=customer).values_list("event", "email")
    ) == [("company_ticket", True), ("message_new", False)]
    assert NotificationSettings.objects.get(user=customer).message_digest == Digest.DAILY
    assert page.console_errors == [] and page.failed_responses == []
