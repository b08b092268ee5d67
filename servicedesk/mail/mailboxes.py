"""Administrators' side of incoming mail: saving mailboxes and their sender rows, the webhook's
token, putting a held message aside by hand, and the numbers of the mail health page.

(The pipeline itself — storing, parsing, threading, filing — is mail/inbound.py; polling is
mail/imap.py.)
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.mail.models import InboundMessage, Mailbox, OutboundMessage, SenderRule

logger = logging.getLogger(__name__)

State = InboundMessage.State
POSITION_STEP = 10
HEALTH_HOURS = 24


@transaction.atomic
def mailbox_save(*, mailbox: Mailbox, password: str | None = None, clear: bool = False) -> Mailbox:
    """Save the settings; `password` replaces the stored one when given (never read back),
    `clear` forgets it."""
    if clear:
        mailbox.set_imap_password("")
    elif password:
        mailbox.set_imap_password(password)
    mailbox.save()
    return mailbox


@transaction.atomic
def mailbox_webhook_token_new(*, mailbox: Mailbox) -> str:
    """A new token for the inbound webhook; only its hash is kept, so this is the one time it
    can be shown. The old token stops working."""
    token = secrets.token_urlsafe(32)
    mailbox.set_webhook_token(token)
    mailbox.save(update_fields=["webhook_token_hash"])
    return token


@transaction.atomic
def mailbox_webhook_token_revoke(*, mailbox: Mailbox) -> None:
    mailbox.set_webhook_token("")
    mailbox.save(update_fields=["webhook_token_hash"])


@transaction.atomic
def sender_rule_save(*, rule: SenderRule) -> SenderRule:
    """A new row goes last."""
    if rule.pk is None:
        last = SenderRule.objects.filter(mailbox=rule.mailbox).aggregate(m=Max("position"))["m"]
        rule.position = (last or 0) + POSITION_STEP
    rule.save()
    return rule


@transaction.atomic
def sender_rule_move(*, rule: SenderRule, up: bool) -> None:
    """One place up or down (the first matching row wins); positions renumbered 10, 20, …"""
    rows = list(SenderRule.objects.select_for_update().filter(mailbox_id=rule.mailbox_id))
    index = next(i for i, row in enumerate(rows) if row.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for number, row in enumerate(rows, start=1):
        row.position = number * POSITION_STEP
    SenderRule.objects.bulk_update(rows, ["position"])


@transaction.atomic
def sender_rule_delete(*, rule: SenderRule) -> None:
    rule.delete()


@transaction.atomic
def inbound_dismiss(*, message: InboundMessage, by: User) -> InboundMessage:
    """An admin decides a held or failed message needs nothing: it stays in the list as
    rejected (no reply goes out). A finished message is left as it is."""
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.state in (State.HELD, State.FAILED, State.RECEIVED):
        locked.state, locked.reason = State.REJECTED, "by_staff"
        locked.processed_at = timezone.now()
        locked.save(update_fields=["state", "reason", "processed_at"])
        logger.info("Incoming email %s rejected by %s", locked.pk, by.pk)
    return locked


# --- The health page ---------------------------------------------------------------------------


@dataclass
class MailboxHealth:
    mailbox: Mailbox
    held: int = 0
    failed: int = 0
    last_day: int = 0
    hours: list[int] = field(default_factory=list)  # messages per hour, oldest first

    @property
    def peak(self) -> int:
        return max(self.hours, default=0)

    @property
    def status(self) -> str:
        """ "off", "error", "never" (IMAP set, not polled yet), "ok" or "push" (no IMAP)."""
        if not self.mailbox.is_active:
            return "off"
        if not self.mailbox.imap_host:
            return "push"
        if self.mailbox.last_poll_error:
            return "error"
        return "ok" if self.mailbox.last_success_at else "never"


def mail_health(*, now: datetime, hours: int = HEALTH_HOURS) -> list[MailboxHealth]:
    """Per mailbox: held and failed messages, and messages per hour over the last `hours` — in
    three queries, whatever the number of messages."""
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    mailboxes = list(Mailbox.objects.order_by("name", "pk"))
    rows = {m.pk: MailboxHealth(mailbox=m, hours=[0] * hours) for m in mailboxes}
    counts = (
        InboundMessage.objects.filter(state__in=[State.HELD, State.FAILED])
        .values("mailbox_id")
        .annotate(
            held=Count("pk", filter=Q(state=State.HELD)),
            failed=Count("pk", filter=Q(state=State.FAILED)),
        )
        .order_by()
    )
    for item in counts:
        if item["mailbox_id"] in rows:
            rows[item["mailbox_id"]].held = item["held"]
            rows[item["mailbox_id"]].failed = item["failed"]
    per_hour = (
        InboundMessage.objects.filter(received_at__gte=start)
        .annotate(hour=TruncHour("received_at", tzinfo=UTC))
        .values("mailbox_id", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for bucket in per_hour:
        row = rows.get(bucket["mailbox_id"])
        if row is None or bucket["hour"] is None:
            continue
        index = int((bucket["hour"] - start).total_seconds() // 3600)
        if 0 <= index < hours:
            row.hours[index] += bucket["n"]
            row.last_day += bucket["n"]
    return [rows[m.pk] for m in mailboxes]


def outbound_summary() -> dict[str, int]:
    """The outbound log by status (one query)."""
    counts = dict(
        OutboundMessage.objects.values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    return {value: counts.get(value, 0) for value in OutboundMessage.Status.values}
