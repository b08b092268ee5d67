"""The outbound log: an email is stored before it is sent, a mail server that is down costs
nothing but time (retried with growing delays, then marked failed, never lost), and the retry
sends the very same message — the same bytes, the same Message-ID."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.services import outbound_queue, outbound_retry_now, outbound_send
from servicedesk.mail.tasks import mail_prune, mail_retry_due, mail_send
from tests.factories import TicketFactory, UserFactory
from tests.mail_server import SmtpServer, free_port

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Status = OutboundMessage.Status


@pytest.fixture
def smtp_down(settings: Any, smtp_server: SmtpServer) -> Callable[[], None]:
    """Django's SMTP backend pointed at a closed port; calling the result starts "the server"
    (points it at the running one)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.MAIL_RETRY_MINUTES = [1, 5, 15]

    def up() -> None:
        settings.EMAIL_PORT = smtp_server.port

    return up


def queue(subject: str = "Hello", key: str = "", **kwargs: Any) -> OutboundMessage:
    message = EmailMultiAlternatives(subject, "Plain text body.\n", None, ["ann@example.test"])
    message.attach_alternative("<p>HTML body</p>", "text/html")
    row = outbound_queue(message, kind="test", key=key, **kwargs)
    assert row is not None
    return row


def reload(row: OutboundMessage) -> OutboundMessage:
    row.refresh_from_db()
    return row


def test_a_queued_email_is_sent_as_stored(smtp_email):
    ticket = TicketFactory()
    row = queue(ticket=ticket, user=UserFactory())

    assert (row.status, row.attempts) == (Status.QUEUED, 0)
    mail_send(row.pk)

    received = smtp_email.wait_for(1)[0]
    row = reload(row)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert row.sent_at is not None and row.next_attempt_at is None
    assert received["Message-ID"] == row.message_id
    assert smtp_email.recipients == [["ann@example.test"]]
    # Byte for byte what was stored (the wire uses CRLF line ends).
    wire = smtp_email.collector.envelopes[0].original_content
    assert wire.replace(b"\r\n", b"\n").rstrip(b"\n") == row.raw.encode().rstrip(b"\n")
    # Sending again is a no-op: it went out once.
    assert outbound_send(row.pk) is False
    assert len(smtp_email.messages) == 1


def test_a_key_queues_once():
    first = queue(key="event:1:2")
    message = EmailMultiAlternatives("Again", "x", None, ["ann@example.test"])
    assert outbound_queue(message, kind="test", key="event:1:2") is None
    assert list(OutboundMessage.objects.values_list("pk", flat=True)) == [first.pk]


def test_one_recipient_per_row():
    message = EmailMultiAlternatives("Two", "x", None, ["a@example.test", "b@example.test"])
    with pytest.raises(ValueError, match="one recipient"):
        outbound_queue(message, kind="test")
    assert not OutboundMessage.objects.exists()


def test_smtp_down_then_up_retries_with_backoff_and_sends_the_same_message(smtp_down, smtp_server):
    with time_machine.travel(NOW, tick=False):
        row = queue()
        mail_send(row.pk)  # the page's task: the server is down

    row = reload(row)
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    message_id, raw = row.message_id, row.raw

    # Not due yet: the minute's pick-up leaves it alone.
    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        mail_retry_due.call_local()
    assert reload(row).attempts == 1
    # Due: tried again, still down, the next wait is longer (5 minutes).
    later = NOW + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        mail_retry_due.call_local()
    row = reload(row)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        Status.QUEUED,
        2,
        later + timedelta(minutes=5),
    )

    smtp_down()  # the server comes back
    with time_machine.travel(later + timedelta(minutes=5), tick=False):
        mail_retry_due.call_local()

    row = reload(row)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0]["Message-ID"] == message_id
    assert row.raw == raw


def test_after_the_last_attempt_it_is_failed_and_retry_now_brings_it_back(
    smtp_down, smtp_server, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        row = queue()
    moment = NOW
    for attempt, wait in enumerate([1, 5, 15, None], start=1):
        with time_machine.travel(moment, tick=False):
            mail_retry_due.call_local()
        row = reload(row)
        assert row.attempts == attempt
        if wait is None:
            assert (row.status, row.next_attempt_at) == (Status.FAILED, None)
        else:
            assert row.status == Status.QUEUED
            assert row.next_attempt_at == moment + timedelta(minutes=wait)
            moment = row.next_attempt_at
    # Failed rows are not picked up any more.
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        mail_retry_due.call_local()
    assert reload(row).attempts == 4

    smtp_down()
    with django_capture_on_commit_callbacks(execute=True):  # the worker, after the commit
        assert outbound_retry_now(pk=row.pk) is True

    row = reload(row)
    assert (row.status, row.attempts) == (Status.SENT, 5)
    assert smtp_server.wait_for(1)[0]["Message-ID"] == row.message_id
    assert outbound_retry_now(pk=row.pk) is False  # sent: nothing to retry


def test_a_recipient_refused_for_good_is_not_retried(settings, smtp_server):
    """A 5xx for the address (no such mailbox) will not change: failed at once."""

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 5.1.1 No such mailbox"

    smtp_server.collector.handle_RCPT = Refusing().handle_RCPT  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    row = queue()
    mail_send(row.pk)

    row = reload(row)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "550" in row.last_error


def test_the_locmem_outbox_sees_subject_body_and_headers():
    row = queue(subject="Привет")
    mail_send(row.pk)

    sent = mail.outbox[0]
    assert sent.subject == "Привет"
    assert sent.to == ["ann@example.test"]
    assert sent.body == "Plain text body.\n"
    assert sent.alternatives[0][1] == "text/html" and "HTML body" in sent.alternatives[0][0]
    assert sent.extra_headers["Message-ID"] == row.message_id
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


def test_sent_emails_leave_the_log_after_mail_keep_days(settings, monkeypatch):
    """Sent ones older than MAIL_KEEP_DAYS go, in chunks; queued and failed ones stay (the
    administrators still need them), and so do recent sent ones."""
    settings.MAIL_KEEP_DAYS = 30
    monkeypatch.setattr("servicedesk.mail.services.PRUNE_CHUNK", 2)
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        old_sent = [queue(f"old {n}") for n in range(5)]
        for row in old_sent:
            assert outbound_send(row.pk)
        old_queued = queue("old queued")
        old_failed = queue("old failed")
        OutboundMessage.objects.filter(pk=old_failed.pk).update(status=Status.FAILED)
    with time_machine.travel(NOW - timedelta(days=29), tick=False):
        recent = queue("recent")
        assert outbound_send(recent.pk)
    with time_machine.travel(NOW, tick=False):
        mail_prune()
    assert sorted(OutboundMessage.objects.values_list("subject", flat=True)) == [
        "old failed",
        "old queued",
        "recent",
    ]
    assert old_queued.pk in OutboundMessage.objects.values_list("pk", flat=True)


def test_mail_keep_days_zero_keeps_everything(settings):
    settings.MAIL_KEEP_DAYS = 0
    with time_machine.travel(NOW - timedelta(days=3650), tick=False):
        row = queue()
        assert outbound_send(row.pk)
    mail_prune()
    assert OutboundMessage.objects.filter(pk=row.pk).exists()


def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_claim_window(
    settings, smtp_email
):
    # Given a worker claimed the email and died mid-send (its claim is all that is left)
    assert settings.MAIL_CLAIM_SECONDS <= 120  # shorter than the old ten minutes by default
    row = queue()
    OutboundMessage.objects.filter(pk=row.pk).update(
        attempts=1, next_attempt_at=NOW + timedelta(seconds=settings.MAIL_CLAIM_SECONDS)
    )
    # Then no other worker takes it within the window
    assert (
        outbound_send(row.pk, now=NOW + timedelta(seconds=settings.MAIL_CLAIM_SECONDS - 1)) is False
    )
    # and the first retry after it sends it
    assert outbound_send(row.pk, now=NOW + timedelta(seconds=settings.MAIL_CLAIM_SECONDS)) is True
    assert smtp_email.wait_for(1)[0]["Subject"] == "Hello"
    assert reload(row).status == Status.SENT
