"""«Outgoing mail» in the back office: administrators only (404 for everyone else, nothing
retried), the status tabs with counts, the address search, the error of a failed email and
«Retry now»; a bounded number of queries whatever the number of emails."""

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.services import outbound_queue
from tests.conftest import login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
LIST = reverse("backoffice:outbound_mail")
Status = OutboundMessage.Status


def row(to: str = "ann@example.test", status: str = Status.QUEUED, **fields) -> OutboundMessage:
    message = EmailMultiAlternatives(f"Subject for {to}", "Body", None, [to])
    outbound = outbound_queue(message, kind="test", ticket=fields.pop("ticket", None))
    assert outbound is not None
    OutboundMessage.objects.filter(pk=outbound.pk).update(status=status, **fields)
    outbound.refresh_from_db()
    return outbound


def en(user) -> Client:
    return login(Client(headers={"accept-language": "en"}), user)


@pytest.mark.parametrize("key", ["dispatcher", "engineer", "cust_a"])
def test_only_administrators_see_the_page_or_retry(world, key, django_capture_on_commit_callbacks):
    failed = row(status=Status.FAILED, attempts=7, last_error="boom")
    client = en(world.users[key])

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(LIST).status_code == 404
        assert (
            client.post(reverse("backoffice:outbound_retry", args=[failed.pk])).status_code == 404
        )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.FAILED, 7)
    assert "Outgoing mail" not in client.get(reverse("backoffice:dashboard")).content.decode()


def test_the_list_with_tabs_search_and_errors(world, django_assert_max_num_queries):
    ticket = TicketFactory(number="00000777")
    row("sent@example.test", Status.SENT, sent_at=timezone.now(), attempts=1)
    row("failed@example.test", Status.FAILED, attempts=7, last_error="SMTPServerDisconnected: bye")
    row("waiting@example.test", attempts=2, last_error="ConnectionRefusedError", ticket=ticket)
    for n in range(30):
        row(f"bulk{n}@example.test", Status.SENT, attempts=1)
    client = en(world.users["admin"])

    with django_assert_max_num_queries(10):
        page = client.get(LIST).content.decode()
    assert 'data-testid="tab-all">All <span class="badge text-bg-light border">33<' in page
    assert 'Failed <span class="badge text-bg-danger">1<' in page
    assert page.count('data-testid="outbound-row"') == 33
    assert 'href="/backoffice/tickets/00000777/"' in page
    assert "SMTPServerDisconnected: bye" in page

    failed = client.get(LIST, {"status": "failed"}).content.decode()
    assert failed.count('data-testid="outbound-row"') == 1
    assert "failed@example.test" in failed and "sent@example.test" not in failed
    assert failed.count('data-testid="retry"') == 1
    searched = client.get(LIST, {"q": "waiting@"}).content.decode()
    assert searched.count('data-testid="outbound-row"') == 1
    assert "ConnectionRefusedError" in searched
    # Sent emails have nothing to retry.
    sent = client.get(LIST, {"status": "sent"}).content.decode()
    assert 'data-testid="retry"' not in sent


def test_retry_now_sends_a_failed_email(world, django_capture_on_commit_callbacks):
    from django.core import mail

    failed = row(status=Status.FAILED, attempts=7, last_error="boom")
    client = en(world.users["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:outbound_retry", args=[failed.pk]), {"next": "?status=failed"}
        )

    assert response.status_code == 302 and response["Location"] == LIST + "?status=failed"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.SENT, 8, "")
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [failed.message_id]
    # A hand-made "next" cannot send the admin elsewhere.
    response = client.post(
        reverse("backoffice:outbound_retry", args=[failed.pk]), {"next": "https://evil.test/"}
    )
    assert response["Location"] == LIST


def test_the_django_admin_lists_the_log(world):
    row(status=Status.FAILED, last_error="boom")
    client = en(world.users["admin"])
    page = client.get(reverse("admin:mail_outboundmessage_changelist"))
    assert page.status_code == 200
    assert "ann@example.test" in page.content.decode()


def test_the_django_admins_retry_now_action(world, django_capture_on_commit_callbacks):
    failed = row(status=Status.FAILED, attempts=7, last_error="boom")
    client = en(world.users["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:mail_outboundmessage_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk]},
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 8)


@pytest.mark.parametrize(
    "model", ["notification", "notificationpreference", "notificationsettings", "digestentry"]
)
def test_the_notification_models_are_in_the_django_admin(world, model):
    client = en(world.users["admin"])
    assert client.get(reverse(f"admin:notifications_{model}_changelist")).status_code == 200
