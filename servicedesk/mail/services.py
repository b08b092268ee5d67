"""Queueing and sending outgoing email through the outbound log (models.OutboundMessage).

`outbound_queue` gives a rendered message its headers (Message-ID, Date, the ticket's thread,
Auto-Submitted, Reply-To), stores it and returns the row; the caller has the worker send it
(`mail.tasks.mail_send`) once its transaction has committed. `outbound_send` makes one attempt:
it claims the row (one UPDATE, so two workers never send it twice), sends the stored bytes over
Django's email backend and records the outcome; a failure is retried after
MAIL_RETRY_MINUTES[attempt - 1] minutes, and after the last one the row is marked failed.
"""

import email
import logging
import re
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.utils import formatdate, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from servicedesk.mail.addresses import new_message_id, reply_address, thread_root_id
from servicedesk.mail.models import OutboundMessage

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
# Headers the stored message carries for the email backends' bookkeeping, not for people.
_STRUCTURAL = frozenset(
    {"content-type", "mime-version", "content-transfer-encoding", "subject", "from", "to"}
)


def retry_delays() -> list[timedelta]:
    return [timedelta(minutes=int(m)) for m in settings.MAIL_RETRY_MINUTES]


def max_attempts() -> int:
    return len(retry_delays()) + 1


# --- Queueing ----------------------------------------------------------------------------------


def outbound_headers(
    message: EmailMessage,
    *,
    ticket_id: int | None = None,
    internal_reply: bool = False,
    user_id: int | None = None,
) -> None:
    """Give the message the headers every notification carries (see mail/addresses.py)."""
    headers = message.extra_headers
    headers["Message-ID"] = new_message_id()
    headers["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
    headers["Auto-Submitted"] = "auto-generated"
    headers["X-Auto-Response-Suppress"] = "All"
    if ticket_id is not None:
        root = thread_root_id(ticket_id)
        headers["In-Reply-To"] = root
        headers["References"] = root
        # Bound to the recipient too (issue 17): a staff member's reply is known by it.
        reply_to = reply_address(ticket_id, internal=internal_reply, user_id=user_id)
        if reply_to:
            message.reply_to = [reply_to]


def outbound_queue(
    message: EmailMessage,
    *,
    kind: str,
    key: str = "",
    ticket: Any = None,
    user: Any = None,
    internal_reply: bool = False,
    headers: dict[str, str] | None = None,
) -> OutboundMessage | None:
    """Store the message (one recipient) for the worker to send; None if `key` was queued
    before (a task running again queues nothing twice). The caller runs `mail_send(row.pk)`
    after its transaction commits. `headers` override the usual ones (the email channel's
    automatic answers say `Auto-Submitted: auto-replied`)."""
    row = _outbound_row(message, kind, key, ticket, user, internal_reply, headers)
    if not key:
        row.save(force_insert=True)
        return row
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if OutboundMessage.objects.filter(key=key).exists():
            return None
        raise
    return row


def _outbound_row(
    message: EmailMessage,
    kind: str,
    key: str,
    ticket: Any,
    user: Any,
    internal_reply: bool,
    headers: dict[str, str] | None = None,
) -> OutboundMessage:
    recipients = message.recipients()
    if len(recipients) != 1:
        raise ValueError("An outbound message has exactly one recipient.")
    outbound_headers(
        message,
        ticket_id=getattr(ticket, "pk", None),
        internal_reply=internal_reply,
        user_id=getattr(user, "pk", None),
    )
    message.extra_headers.update(headers or {})
    mime: Any = message.message()  # Django's SafeMIME*, whose as_bytes takes a linesep
    raw = mime.as_bytes(linesep="\n").decode("utf-8", "surrogateescape")
    return OutboundMessage(
        to=recipients[0],
        subject=str(message.subject)[:1000],
        message_id=message.extra_headers["Message-ID"],
        kind=kind,
        key=key,
        ticket=ticket,
        user=user,
        raw=raw,
        next_attempt_at=timezone.now(),
    )


@dataclass(frozen=True)
class Outgoing:
    """One message for `outbound_queue_many`, with its key (what makes it once-only)."""

    message: EmailMessage
    key: str
    ticket: Any = None
    user: Any = None


def outbound_queue_many(items: Iterable[Outgoing], *, kind: str) -> list[int]:
    """Store several messages in one statement (as `outbound_queue` does one); a key queued
    before is skipped. Returns the ids of the rows stored now, for `mail_send_many` after the
    caller's transaction commits."""
    rows = [_outbound_row(i.message, kind, i.key, i.ticket, i.user, False) for i in items]
    if not rows:
        return []
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
    # Message-IDs are new for each message: the rows found by them are the ones stored now.
    return list(
        OutboundMessage.objects.filter(message_id__in=[r.message_id for r in rows])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Sending -----------------------------------------------------------------------------------


class _RawMessage:
    """What Django's email backends ask of `EmailMessage.message()`: the stored bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return re.sub(rb"\r?\n", linesep.encode(), self.data)

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8", "surrogateescape")

    def get_charset(self) -> None:
        return None


class StoredEmail(EmailMultiAlternatives):
    """An outbound row as an email backend sends it: `message()` is the stored message, byte for
    byte (Message-ID and Date included). The other attributes (subject, body, alternatives,
    headers) are read from it for those who look, e.g. the test outbox."""

    def __init__(self, row: OutboundMessage) -> None:
        parsed: Any = email.message_from_string(row.raw, policy=policy.default)
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        headers = {
            name: str(value) for name, value in parsed.items() if name.lower() not in _STRUCTURAL
        }
        super().__init__(
            subject=row.subject,
            body=text.get_content() if text is not None else "",
            from_email=parseaddr(str(parsed["From"] or settings.DEFAULT_FROM_EMAIL))[1],
            to=[row.to],
            headers=headers,
            alternatives=[(html.get_content(), "text/html")] if html is not None else None,
        )
        self.raw = row.raw

    def message(self, *, policy: Any = None) -> Any:
        return _RawMessage(self.raw.encode("utf-8", "surrogateescape"))


def _claim(pk: int, now: datetime) -> bool:
    return bool(
        OutboundMessage.objects.filter(pk=pk, status=OutboundMessage.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=settings.MAIL_CLAIM_SECONDS),
        )
    )


def _permanent(error: Exception) -> bool:
    """The server refused every recipient for good (5xx): trying again would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return False


def outbound_send(pk: int, *, now: datetime | None = None) -> bool:
    """One attempt at sending the row, if it is queued and due; True when it went out."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return False
    row = OutboundMessage.objects.get(pk=pk)
    try:
        sent = get_connection().send_messages([StoredEmail(row)])
        if not sent:
            raise RuntimeError("The email backend sent nothing.")
    except Exception as error:  # any failure is recorded and retried, never lost
        _failed(row, error, now)
        return False
    OutboundMessage.objects.filter(pk=pk).update(
        status=OutboundMessage.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
    )
    return True


def _failed(row: OutboundMessage, error: Exception, now: datetime) -> None:
    delays = retry_delays()
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    if row.attempts > len(delays) or _permanent(error):
        status, next_attempt_at = OutboundMessage.Status.FAILED, None
        logger.error("Outgoing email %s to %s failed for good: %s", row.pk, row.to, text)
    else:
        status, next_attempt_at = OutboundMessage.Status.QUEUED, now + delays[row.attempts - 1]
        logger.warning(
            "Outgoing email %s to %s failed (attempt %s), retrying at %s: %s",
            row.pk,
            row.to,
            row.attempts,
            next_attempt_at.isoformat(),
            text,
        )
    OutboundMessage.objects.filter(pk=row.pk).update(
        status=status, next_attempt_at=next_attempt_at, last_error=text
    )


def outbound_due(now: datetime, limit: int = 500) -> list[int]:
    """The queued rows whose next attempt is due (the partial index `outbound_due`)."""
    return list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.Status.QUEUED, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def outbound_retry_now(*, pk: int) -> bool:
    """An administrator asks for another attempt at a queued or failed email, now. The worker
    makes it after the commit; False if the email was sent meanwhile (or does not exist)."""
    updated = OutboundMessage.objects.filter(
        pk=pk, status__in=[OutboundMessage.Status.QUEUED, OutboundMessage.Status.FAILED]
    ).update(status=OutboundMessage.Status.QUEUED, next_attempt_at=timezone.now())
    if updated:
        from servicedesk.mail.tasks import mail_send

        transaction.on_commit(lambda: mail_send(pk))
    return bool(updated)


PRUNE_CHUNK = 1000


def outbound_prune(*, now: datetime, days: int) -> int:
    """Delete the emails sent before `days` ago (queued and failed ones stay for the
    administrators), PRUNE_CHUNK at a time from the (status, created_at) index, so the table
    is never locked for long. Returns how many went."""
    if days <= 0:
        return 0
    old = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENT, created_at__lt=now - timedelta(days=days)
    )
    deleted = 0
    while True:
        pks = list(old.order_by("created_at", "id").values_list("pk", flat=True)[:PRUNE_CHUNK])
        if not pks:
            return deleted
        # Nothing refers to these rows and no signal listens: one DELETE statement.
        deleted += OutboundMessage.objects.filter(pk__in=pks).delete()[0]
