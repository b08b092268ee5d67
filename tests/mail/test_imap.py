"""IMAP polling (mail/imap.py) against a real Dovecot (tests/imap_server.py): what a poll files,
what it tells the server and when, what it records when the server cannot be reached."""

import threading

import pytest
from django.db import connection

from servicedesk.mail.imap import imap_check, mailbox_poll, poll_lock
from servicedesk.mail.inbound import inbound_receive
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tasks import mail_poll_all
from servicedesk.tickets.models import Origin, Ticket
from tests.mail.inbound_helpers import make_email
from tests.mail_server import free_port

pytestmark = pytest.mark.django_db
State = InboundMessage.State
SEEN = "\\Seen"


@pytest.fixture
def imap_desk(desk, imap_server):
    """The desk's mailbox reads a fresh (empty) INBOX on the test's Dovecot."""
    user = imap_server.new_user()
    mailbox = desk.mailbox
    mailbox.imap_host, mailbox.imap_port = imap_server.host, imap_server.port
    mailbox.imap_security, mailbox.imap_login = Mailbox.Security.NONE, user
    mailbox.set_imap_password(imap_server.password)
    mailbox.save()
    desk.imap_user = user
    return desk


def test_a_poll_files_new_mail_and_only_then_marks_it_seen(
    imap_desk, imap_server, django_capture_on_commit_callbacks
):
    user = imap_desk.imap_user
    first = imap_server.append(user, make_email(subject="Printer is broken"))
    second = imap_server.append(user, make_email(subject="Scanner too"))
    assert imap_server.flags(user) == {first: {"\\Recent"}, second: {"\\Recent"}}

    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(imap_desk.mailbox.pk)

    assert (result.error, result.fetched, result.stored, result.done_on_server) == ("", 2, 2, 2)
    assert result.states == {State.PROCESSED: 2}
    tickets = Ticket.objects.order_by("subject")
    assert [(t.subject, t.origin, t.contact) for t in tickets] == [
        ("Printer is broken", Origin.EMAIL, imap_desk.customer),
        ("Scanner too", Origin.EMAIL, imap_desk.customer),
    ]
    rows = InboundMessage.objects.order_by("imap_uid")
    assert [(r.source, r.imap_uid, r.state) for r in rows] == [
        ("imap", str(first), State.PROCESSED),
        ("imap", str(second), State.PROCESSED),
    ]
    assert {uid: SEEN in flags for uid, flags in imap_server.flags(user).items()} == {
        first: True,
        second: True,
    }
    mailbox = Mailbox.objects.get(pk=imap_desk.mailbox.pk)
    assert mailbox.last_poll_error == ""
    assert mailbox.last_success_at == mailbox.last_polled_at is not None

    # A second poll finds nothing unseen and files nothing.
    again = mailbox_poll(mailbox.pk)
    assert (again.error, again.fetched, Ticket.objects.count()) == ("", 0, 2)


def test_held_and_failed_messages_are_kept_and_taken_off_the_server(
    imap_desk, imap_server, django_capture_on_commit_callbacks
):
    user = imap_desk.imap_user
    imap_server.append(user, make_email(sender="stranger@nowhere.example"))
    imap_server.append(user, b"this is not an email at all\r\n")
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(imap_desk.mailbox.pk)
    assert result.error == ""
    states = sorted(InboundMessage.objects.values_list("state", flat=True))
    assert len(states) == 2
    assert State.HELD in states
    assert Ticket.objects.count() == 0
    # Kept here (held for staff, or failed and listed for admins), so the server may forget it.
    assert all(SEEN in flags for flags in imap_server.flags(user).values())


def test_a_message_filed_before_a_crash_is_not_filed_again(
    imap_desk, imap_server, django_capture_on_commit_callbacks
):
    """The worker committed the ticket and died before telling the server: the next poll
    fetches the message again, files nothing new and marks it seen."""
    raw = make_email(message_id="<crash@alpha.example>")
    with django_capture_on_commit_callbacks(execute=True):
        inbound_receive(mailbox=imap_desk.mailbox, raw=raw, source="imap")
    uid = imap_server.append(imap_desk.imap_user, raw)
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(imap_desk.mailbox.pk)
    assert (result.fetched, result.stored, result.done_on_server) == (1, 0, 1)
    assert (InboundMessage.objects.count(), Ticket.objects.count()) == (1, 1)
    assert SEEN in imap_server.flags(imap_desk.imap_user)[uid]


def test_a_mailbox_that_deletes_expunges_what_it_filed(
    imap_desk, imap_server, django_capture_on_commit_callbacks
):
    mailbox = imap_desk.mailbox
    mailbox.after_processing = Mailbox.AfterProcessing.DELETE
    mailbox.save()
    imap_server.append(imap_desk.imap_user, make_email())
    # A message someone already read in a mail client is still new to us in this mode.
    imap_server.append(imap_desk.imap_user, make_email(subject="Read already"), flags=[SEEN])
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox.pk)
    assert (result.error, result.fetched, result.done_on_server) == ("", 2, 2)
    assert Ticket.objects.count() == 2
    assert imap_server.flags(imap_desk.imap_user) == {}
    # The empty folder's next poll: nothing to do, and it says so.
    again = mailbox_poll(mailbox.pk)
    assert (again.error, again.fetched, Ticket.objects.count()) == ("", 0, 2)


def test_a_wrong_password_is_shown_and_nothing_is_lost(imap_desk, imap_server):
    mailbox = imap_desk.mailbox
    mailbox.set_imap_password("not the password")
    mailbox.save()
    uid = imap_server.append(imap_desk.imap_user, make_email())
    result = mailbox_poll(mailbox.pk)
    assert result.error.startswith(f"{imap_server.host}:{imap_server.port} ")
    assert imap_desk.imap_user in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_poll_error == result.error
    assert mailbox.last_success_at is None and mailbox.last_polled_at is not None
    assert InboundMessage.objects.count() == 0
    assert SEEN not in imap_server.flags(imap_desk.imap_user)[uid]

    # Fixed: the next poll files it and clears the error.
    mailbox.set_imap_password(imap_server.password)
    mailbox.save()
    assert mailbox_poll(mailbox.pk).error == ""
    mailbox.refresh_from_db()
    assert (mailbox.last_poll_error, Ticket.objects.count()) == ("", 1)


@pytest.mark.usefixtures("english")
def test_a_server_that_is_down_is_shown(imap_desk, settings):
    settings.LANGUAGE_CODE = "en"
    mailbox = imap_desk.mailbox
    port = free_port()  # nothing listens there
    mailbox.imap_port = port
    mailbox.save()
    result = mailbox_poll(mailbox.pk)
    assert result.error == (
        f"127.0.0.1:{port} refused the connection: is the server running and the port right?"
    )
    mailbox.refresh_from_db()
    assert mailbox.last_poll_error == result.error
    ok, text = imap_check(mailbox)
    assert (ok, text) == (False, result.error)


def test_tls_to_a_plain_text_server_fails_clearly(imap_desk, settings):
    settings.LANGUAGE_CODE = "en"
    mailbox = imap_desk.mailbox
    mailbox.imap_security = Mailbox.Security.SSL
    mailbox.save()
    result = mailbox_poll(mailbox.pk)
    assert result.error.startswith(
        f"The secure connection to {mailbox.imap_host}:{mailbox.imap_port} failed: "
    )
    assert InboundMessage.objects.count() == 0


def test_test_connection_counts_unread_mail(imap_desk, imap_server, settings):
    settings.LANGUAGE_CODE = "en"
    imap_server.append(imap_desk.imap_user, make_email())
    assert imap_check(imap_desk.mailbox) == (True, "Connected; 1 unread message(s) in INBOX.")
    assert imap_check(imap_desk.mailbox, password="wrong")[0] is False
    imap_desk.mailbox.imap_folder = "Nope"
    ok, text = imap_check(imap_desk.mailbox)
    assert not ok
    assert text.startswith("The folder Nope cannot be opened")


def test_one_poll_per_mailbox_at_a_time(imap_desk, imap_server):
    """While another worker (here a thread, with its own database connection) holds the
    mailbox's lock, a poll does nothing at all; afterwards it runs."""
    uid = imap_server.append(imap_desk.imap_user, make_email())
    held, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with poll_lock(imap_desk.mailbox.pk) as acquired:
                assert acquired
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        result = mailbox_poll(imap_desk.mailbox.pk)
        assert (result.locked, result.fetched) == (True, 0)
        assert InboundMessage.objects.count() == 0
        assert SEEN not in imap_server.flags(imap_desk.imap_user)[uid]
    finally:
        release.set()
        thread.join(10)
    assert mailbox_poll(imap_desk.mailbox.pk).locked is False
    assert InboundMessage.objects.count() == 1


def test_the_periodic_task_polls_active_imap_mailboxes_only(
    imap_desk, imap_server, django_capture_on_commit_callbacks
):
    imap_server.append(imap_desk.imap_user, make_email())
    idle = Mailbox.objects.create(name="Webhook only", address="hook@desk.example.com")
    off = Mailbox.objects.create(
        name="Off", address="off@desk.example.com", imap_host="127.0.0.1", is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        mail_poll_all()
    assert Ticket.objects.count() == 1
    polled = dict(Mailbox.objects.values_list("pk", "last_polled_at"))
    assert polled[imap_desk.mailbox.pk] is not None
    assert polled[idle.pk] is None and polled[off.pk] is None


@pytest.mark.parametrize("security", [Mailbox.Security.SSL, Mailbox.Security.STARTTLS])
def test_tls_polls_with_a_verified_certificate(
    desk, imap_tls_server, settings, security, django_capture_on_commit_callbacks
):
    """SSL/TLS (IMAPS) and STARTTLS against a server whose certificate a company CA signed:
    trusted through MAIL_IMAP_CA_FILE it works; without it the poll says the certificate could
    not be verified and takes nothing."""
    settings.LANGUAGE_CODE = "en"
    server = imap_tls_server
    user = server.new_user()
    uid = server.append(user, make_email())
    mailbox = desk.mailbox
    mailbox.imap_host, mailbox.imap_login, mailbox.imap_security = server.host, user, security
    mailbox.imap_port = server.ssl_port if security == Mailbox.Security.SSL else server.port
    mailbox.set_imap_password(server.password)
    mailbox.save()

    refused = mailbox_poll(mailbox.pk)
    assert refused.error.startswith(f"The secure connection to {server.host}:{mailbox.imap_port}")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.error
    assert (InboundMessage.objects.count(), SEEN in server.flags(user)[uid]) == (0, False)

    settings.MAIL_IMAP_CA_FILE = server.ca_file
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox.pk)
    assert (result.error, result.fetched, Ticket.objects.count()) == ("", 1, 1)
    assert SEEN in server.flags(user)[uid]
