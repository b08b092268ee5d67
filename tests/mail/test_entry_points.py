"""The ways mail comes in besides IMAP: the MTA pipe (`manage.py receive_mail`) and the
inbound webhook; and the mailbox's secrets."""

import io
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from servicedesk.core.crypto import SecretUnreadableError
from servicedesk.mail.inbound import inbound_process_stuck, inbound_store
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.tickets.models import Ticket
from tests.mail.inbound_helpers import make_email

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-token-0123456789"


def run_pipe(monkeypatch, raw: bytes, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("receive_mail", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_pipe_files_a_ticket(desk, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = run_pipe(monkeypatch, make_email(), "--mailbox", desk.mailbox.address)
    message = InboundMessage.objects.get()
    assert (code, err) == (0, "")
    assert out.strip() == f"Stored #{message.pk}: processed new_ticket ticket={message.ticket_id}"
    assert message.source == "pipe" and Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "args", "code", "error"),
    [
        (b"", ("--mailbox", "support@desk.example.com"), 65, "No message on standard input."),
        (b"x", ("--mailbox", "nobody@desk.example.com"), 64, "No active mailbox"),
        (b"x", ("--mailbox", "999999"), 64, "No active mailbox"),
    ],
)
def test_the_pipe_says_what_is_wrong(desk, monkeypatch, raw, args, code, error):
    got_code, _out, err = run_pipe(monkeypatch, raw, *args)
    assert got_code == code and error in err
    assert InboundMessage.objects.count() == 0


def test_the_pipe_needs_a_mailbox_name_when_there_are_several(desk, monkeypatch):
    Mailbox.objects.create(name="Sales", address="sales@desk.example.com")
    code, _out, err = run_pipe(monkeypatch, make_email())
    assert code == 64 and "--mailbox" in err
    assert InboundMessage.objects.count() == 0


def test_the_pipe_refuses_oversized_mail(desk, monkeypatch, settings):
    settings.MAIL_INBOUND_MAX_BYTES = 100
    code, _out, err = run_pipe(monkeypatch, make_email(), "--mailbox", str(desk.mailbox.pk))
    assert code == 65 and "larger than 100 bytes" in err
    assert InboundMessage.objects.count() == 0


def _webhook(client, mailbox, raw, token=TOKEN, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.post(
        f"/mail/inbound/{mailbox.pk}/", data=raw, content_type="message/rfc822", **headers, **extra
    )


def test_the_webhook_takes_raw_mime_with_the_token(
    desk, client, django_capture_on_commit_callbacks
):
    desk.mailbox.set_webhook_token("s3cret-token-0123456789")
    desk.mailbox.save()
    assert desk.mailbox.webhook_token_hash != "s3cret-token-0123456789"
    with django_capture_on_commit_callbacks(execute=True):
        response = _webhook(client, desk.mailbox, make_email())
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert response.json() == {"id": message.pk, "state": "processed", "reason": "new_ticket"}
    assert message.source == "webhook"


@pytest.mark.parametrize("token", [None, "", "wrong", "s3cret-token-012345678"])
def test_the_webhook_refuses_a_wrong_token(desk, client, token):
    desk.mailbox.set_webhook_token("s3cret-token-0123456789")
    desk.mailbox.save()
    response = _webhook(client, desk.mailbox, make_email(), token=token)
    assert response.status_code == 401
    assert InboundMessage.objects.count() == 0


def test_the_webhook_refuses_without_a_token_set_oversized_and_get(desk, client, settings):
    assert _webhook(client, desk.mailbox, make_email(), token="").status_code == 401
    desk.mailbox.set_webhook_token("s3cret-token-0123456789")
    desk.mailbox.save()
    settings.MAIL_INBOUND_MAX_BYTES = 100
    assert _webhook(client, desk.mailbox, make_email()).status_code == 413
    assert client.get(f"/mail/inbound/{desk.mailbox.pk}/").status_code == 405
    assert InboundMessage.objects.count() == 0


def test_the_imap_password_is_encrypted_at_rest(desk, settings):
    desk.mailbox.set_imap_password("app-password-42")
    desk.mailbox.save()
    stored = Mailbox.objects.values_list("imap_password", flat=True).get(pk=desk.mailbox.pk)
    assert "app-password-42" not in stored and stored
    assert Mailbox.objects.get(pk=desk.mailbox.pk).imap_password_plain() == "app-password-42"
    # A rotated SECRET_KEY still reads it through the fallbacks; without them it cannot.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    assert desk.mailbox.imap_password_plain() == "app-password-42"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadableError):
        desk.mailbox.imap_password_plain()
    # MAIL_SECRET_KEY, when set, is the key.
    settings.MAIL_SECRET_KEY = "mail-only-key"
    desk.mailbox.set_imap_password("other")
    assert desk.mailbox.imap_password_plain() == "other"
    settings.MAIL_SECRET_KEY = ""
    with pytest.raises(SecretUnreadableError):
        desk.mailbox.imap_password_plain()


def test_stuck_messages_are_processed_later(desk, django_capture_on_commit_callbacks):
    message, _ = inbound_store(mailbox=desk.mailbox, raw=make_email(), source="pipe")
    assert inbound_process_stuck(now=timezone.now()) == 0  # just stored: not stuck yet
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_process_stuck(now=timezone.now() + timedelta(minutes=3)) == 1
    message.refresh_from_db()
    assert message.state == "processed" and Ticket.objects.count() == 1
