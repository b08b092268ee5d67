"""Polling a mailbox over IMAP, so that nothing is lost and nothing is taken twice.

For each unseen message (every undeleted one when the mailbox deletes what it processed), in
batches: fetch it without touching its flags (BODY.PEEK), keep it (`inbound_store`, its own
commit), turn it into a ticket or a message (`inbound_process`, its own commit), and only then
tell the server (\\Seen, or \\Deleted + expunge). A worker killed anywhere before that last step
leaves the message unseen on the server: the next poll fetches it again, `inbound_store` finds
the row by Message-ID (or content hash) and `inbound_process` leaves a finished row alone, so
the only effect is that the server is told this time.

One poll per mailbox at a time (`poll_lock`): a PostgreSQL advisory lock on the worker's
connection, a file lock on SQLite (one host). Both go away with the process that held them, so
a killed worker never leaves a mailbox locked.

Every poll records `last_polled_at`; a successful one `last_success_at` and clears
`last_poll_error`; a failed one (wrong password, server down, TLS, missing folder) writes a
message an administrator can act on into `last_poll_error`, shown on the mail health page.
"""

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import signal
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from servicedesk.mail.inbound import inbound_process, inbound_store
from servicedesk.mail.models import Mailbox

logger = logging.getLogger(__name__)

BATCH = 20
# A test hook (tests/mail/test_imap_killed.py): the poller stops at this point and waits to be
# killed — "after_fetch" (fetched, nothing stored) or "after_commit" (processed and committed,
# the server not told yet). Read from the environment only when set; never set in production.
PAUSE_ENV = "SERVICEDESK_MAIL_POLL_PAUSE"


class PollError(Exception):
    """A poll that could not run; the message is for administrators (the health page)."""


@dataclass
class PollResult:
    mailbox_id: int
    fetched: int = 0
    stored: int = 0  # new rows (the others were known: a re-fetch after a crash)
    done_on_server: int = 0  # flagged \Seen or deleted
    states: dict[str, int] = field(default_factory=dict)
    error: str = ""
    locked: bool = False  # another poll of this mailbox was running: nothing done


# --- Connecting --------------------------------------------------------------------------------


def _timeout() -> float:
    return float(settings.MAIL_IMAP_TIMEOUT)


@functools.cache
def _tls_context(ca_file: str) -> ssl.SSLContext:
    """One per process: loading the system's CA certificates costs ~20 ms of CPU, more than the
    rest of an idle poll (bench/README.md). Verifies the server's certificate and name, against
    the system's CAs plus MAIL_IMAP_CA_FILE (a company's own CA) when set."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def imap_connect(mailbox: Mailbox, *, password: str | None = None) -> IMAPClient:
    """A logged-in client (ssl / starttls / none, with a timeout); raises PollError with a
    message an administrator understands."""
    host, port = mailbox.imap_host, int(mailbox.imap_port)
    where = f"{host}:{port}"
    if not host or not mailbox.imap_login:
        raise PollError(_("The IMAP server and login are not set."))
    secure = mailbox.imap_security != Mailbox.Security.NONE
    context = _tls_context(settings.MAIL_IMAP_CA_FILE) if secure else None
    client: IMAPClient | None = None
    try:
        client = IMAPClient(
            host,
            port=port,
            ssl=mailbox.imap_security == Mailbox.Security.SSL,
            ssl_context=context,
            timeout=_timeout(),
        )
        if mailbox.imap_security == Mailbox.Security.STARTTLS:
            client.starttls(context)
        client.login(
            mailbox.imap_login, mailbox.imap_password_plain() if password is None else password
        )
        return client
    except LoginError:
        _close(client)
        raise PollError(
            _("%(where)s refused the login or the password for %(login)s.")
            % {"where": where, "login": mailbox.imap_login}
        ) from None
    except ssl.SSLError as error:
        _close(client)
        raise PollError(
            _("The secure connection to %(where)s failed: %(error)s")
            % {"where": where, "error": getattr(error, "reason", None) or error}
        ) from None
    except ConnectionRefusedError:
        raise PollError(
            _("%(where)s refused the connection: is the server running and the port right?")
            % {"where": where}
        ) from None
    except socket.gaierror:
        raise PollError(_("The server name %(host)s is not known.") % {"host": host}) from None
    except TimeoutError:
        _close(client)
        raise PollError(
            _("%(where)s did not answer within %(seconds)s seconds.")
            % {"where": where, "seconds": int(_timeout())}
        ) from None
    except (OSError, IMAPClientError) as error:
        _close(client)
        raise PollError(
            _("Could not connect to %(where)s: %(error)s") % {"where": where, "error": error}
        ) from None


def _close(client: IMAPClient | None) -> None:
    if client is None:
        return
    with contextlib.suppress(Exception):
        client.logout()
    with contextlib.suppress(Exception):
        client.shutdown()


def imap_check(mailbox: Mailbox, *, password: str | None = None) -> tuple[bool, str]:
    """«Test connection»: log in and open the folder; (True, how many unseen) or (False, why),
    in the active language (the administrator's, on the settings page)."""
    try:
        client = imap_connect(mailbox, password=password)
    except PollError as error:
        return False, str(error)
    try:
        try:
            client.select_folder(mailbox.imap_folder, readonly=True)
            unseen = len(client.search(["UNSEEN"]))
        except (IMAPClientError, OSError) as error:
            return False, _("The folder %(folder)s cannot be opened: %(error)s") % {
                "folder": mailbox.imap_folder,
                "error": error,
            }
        return True, _("Connected; %(count)s unread message(s) in %(folder)s.") % {
            "count": unseen,
            "folder": mailbox.imap_folder,
        }
    finally:
        _close(client)


# --- The lock ----------------------------------------------------------------------------------


def _lock_key(mailbox_id: int) -> int:
    digest = hashlib.sha256(f"servicedesk.mail.poll:{mailbox_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def poll_lock(mailbox_id: int) -> Iterator[bool]:
    """True while this process holds the mailbox's poll lock, False when someone else does."""
    if connection.vendor == "postgresql":
        key = _lock_key(mailbox_id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    directory = Path(getattr(settings, "VAR_DIR", "var")) / "locks"
    directory.mkdir(parents=True, exist_ok=True)
    database = str(connection.settings_dict.get("NAME"))
    if connection.is_in_memory_db():  # type: ignore[attr-defined]
        database += f"-{os.getpid()}"  # private to this process (tests)
    name = f"mail-poll-{database}-{mailbox_id}"
    path = directory / (hashlib.sha256(name.encode()).hexdigest()[:24] + ".lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --- Polling -----------------------------------------------------------------------------------


def _pause(point: str) -> None:
    if os.environ.get(PAUSE_ENV) != point:
        return
    print(f"paused {point}", flush=True)  # noqa: T201 - the test waits for this line
    while True:  # until the test kills the process
        signal.pause()


def mailbox_poll(mailbox_id: int, *, limit: int | None = None) -> PollResult:
    """Poll one mailbox (under its lock); never raises for the server's or the message's sake.
    `limit`: at most this many messages this time (the rest wait for the next poll)."""
    result = PollResult(mailbox_id=mailbox_id)
    with poll_lock(mailbox_id) as acquired:
        if not acquired:
            result.locked = True
            return result
        mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
        if mailbox is None or not mailbox.is_active or not mailbox.imap_host:
            return result
        started = timezone.now()
        try:
            with override(settings.LANGUAGE_CODE):
                _poll(mailbox, result, limit=limit)
        except PollError as error:
            result.error = str(error)
        except Exception as error:  # the database or storage: stop, the server keeps the mail
            logger.exception("Polling mailbox %s failed", mailbox_id)
            result.error = f"{type(error).__name__}: {error}"
        fields: dict[str, Any] = {"last_polled_at": started, "last_poll_error": result.error}
        if not result.error:
            fields["last_success_at"] = started
        Mailbox.objects.filter(pk=mailbox_id).update(**fields)
    if result.error:
        logger.warning("Mailbox %s: %s", mailbox_id, result.error)
    return result


def _poll(mailbox: Mailbox, result: PollResult, *, limit: int | None) -> None:
    client = imap_connect(mailbox)
    try:
        try:
            selected = client.select_folder(mailbox.imap_folder)
        except IMAPClientError as error:
            raise PollError(
                _("The folder %(folder)s cannot be opened: %(error)s")
                % {"folder": mailbox.imap_folder, "error": error}
            ) from None
        deleting = mailbox.after_processing == Mailbox.AfterProcessing.DELETE
        # An empty folder (the usual idle case with deletion on) needs no search at all.
        if selected.get(b"EXISTS", 1) == 0:
            return
        uids = sorted(client.search(["NOT", "DELETED"] if deleting else ["UNSEEN"]))
        if limit is not None:
            uids = uids[:limit]
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            done: list[int] = []
            for uid in batch:
                data = fetched.get(uid)
                raw = data.get(b"BODY[]") if data else None
                if raw is None:  # gone meanwhile (another client deleted it)
                    continue
                result.fetched += 1
                _pause("after_fetch")
                message, created = inbound_store(
                    mailbox=mailbox, raw=bytes(raw), source="imap", imap_uid=str(uid)
                )
                result.stored += int(created)
                message = inbound_process(message)
                result.states[message.state] = result.states.get(message.state, 0) + 1
                _pause("after_commit")
                done.append(uid)
            if done:
                if deleting:
                    client.add_flags(done, [b"\\Deleted"], silent=True)
                    # UID EXPUNGE removes exactly these; without UIDPLUS, every \Deleted one.
                    client.uid_expunge(done) if _has_uidplus(client) else client.expunge()
                else:
                    client.add_flags(done, [b"\\Seen"], silent=True)
                result.done_on_server += len(done)
    except (OSError, IMAPClientError) as error:
        raise PollError(
            _("The connection to %(where)s broke off: %(error)s")
            % {"where": f"{mailbox.imap_host}:{mailbox.imap_port}", "error": error}
        ) from None
    finally:
        _close(client)


def _has_uidplus(client: IMAPClient) -> bool:
    try:
        return bool(client.has_capability("UIDPLUS"))
    except Exception:
        return False


def mailboxes_to_poll() -> list[int]:
    return list(
        Mailbox.objects.filter(is_active=True)
        .exclude(imap_host="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def poll_all(*, limit: int | None = None) -> list[PollResult]:
    return [mailbox_poll(pk, limit=limit) for pk in mailboxes_to_poll()]
