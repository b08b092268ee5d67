"""The outbound log: every email the product sends about tickets, as it was sent.

A row is written (status `queued`) together with what caused it, holding the rendered message
(headers and body, `raw`), and sent by the worker (`mail.services.outbound_send`): so a page
never waits for the mail server, a failed send is retried later with exactly the same bytes and
Message-ID, and administrators see what failed and why (back office, «Outgoing mail»).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboundMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.CharField(pgettext_lazy("email", "to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=1000)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    # Makes queueing idempotent: a task run twice queues each email once ("" = no key).
    key = models.CharField(_("key"), max_length=150, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raw = models.TextField(_("message"), help_text=_("Headers and body, exactly as sent."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="outbound_key_unique"
            ),
        ]
        indexes = [
            # The retry pick-up: queued rows by when they are due (a small set).
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="outbound_due",
            ),
            models.Index(fields=["-created_at", "-id"], name="outbound_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="outbound_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


# --- Inbound mail (issue 17) --------------------------------------------------------------------


class Mailbox(models.Model):
    """An address people write to, and how its mail comes in (IMAP polling, the MTA pipe
    `manage.py receive_mail`, or the inbound webhook) and is turned into tickets."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (plain text)")

    class AfterProcessing(models.TextChoices):
        FLAG = "flag", _("Mark as read")
        DELETE = "delete", _("Delete from the server")

    class UnknownSender(models.TextChoices):
        INVITE = "invite", _("Create a contact in the matched company and invite them")
        TICKET = "ticket", _("Create a ticket without an account")
        HOLD = "hold", _("Hold for staff")
        REJECT = "reject", _("Reject with a reply")

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(
        _("address"), unique=True, help_text=_("The address people write to.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    imap_login = models.CharField(_("IMAP login"), max_length=255, blank=True)
    # Encrypted (Fernet, key derived from ENCRYPTION_KEY, MAIL_SECRET_KEY or SECRET_KEY): see
    # core/crypto.py.
    imap_password = models.TextField(_("IMAP password (encrypted)"), blank=True, editable=False)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    after_processing = models.CharField(
        _("after processing"),
        max_length=10,
        choices=AfterProcessing.choices,
        default=AfterProcessing.FLAG,
    )
    webhook_token_hash = models.CharField(
        _("webhook token (hash)"), max_length=128, blank=True, editable=False
    )
    unknown_sender = models.CharField(
        _("unknown senders"),
        max_length=10,
        choices=UnknownSender.choices,
        default=UnknownSender.HOLD,
    )
    flood_per_minute = models.PositiveIntegerField(
        _("messages per sender per minute"), default=5, help_text=_("0: no limit.")
    )
    flood_per_hour = models.PositiveIntegerField(
        _("messages per sender per hour"), default=30, help_text=_("0: no limit.")
    )
    last_polled_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_poll_error = models.TextField(_("last poll error"), blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def set_imap_password(self, plain: str) -> None:
        from servicedesk.core.crypto import MAIL, encrypt

        self.imap_password = encrypt(plain, purpose=MAIL) if plain else ""

    def imap_password_plain(self) -> str:
        from servicedesk.core.crypto import MAIL, decrypt

        return decrypt(self.imap_password, purpose=MAIL) if self.imap_password else ""

    def set_webhook_token(self, token: str) -> None:
        from servicedesk.core.crypto import token_hash

        self.webhook_token_hash = token_hash(token) if token else ""

    def check_webhook_token(self, token: str) -> bool:
        from django.utils.crypto import constant_time_compare

        from servicedesk.core.crypto import token_hash

        if not self.webhook_token_hash or not token:
            return False
        return constant_time_compare(token_hash(token), self.webhook_token_hash)


class SenderRule(models.Model):
    """Who may write to a mailbox (first matching row by `position` wins) and what their
    tickets look like."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveIntegerField(_("order"), default=100)
    pattern = models.CharField(
        _("sender"),
        max_length=254,
        help_text=_("An exact address, *@domain or *@* (anyone)."),
    )
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket_type = models.ForeignKey(
        "customers.TicketType",
        verbose_name=_("type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    criticality = models.ForeignKey(
        "customers.Criticality",
        verbose_name=_("criticality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    work_type = models.ForeignKey(
        "customers.WorkType",
        verbose_name=_("work type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    equipment = models.ForeignKey(
        "customers.Equipment",
        verbose_name=_("equipment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    send_confirmation = models.BooleanField(_("send a confirmation"), default=True)
    replies_by_email = models.BooleanField(_("chat replies by email"), default=True)
    # [{"field": "subject"|"site"|…, "source": "subject"|"body", "pattern": "<regex, 1 group>"}]
    extract = models.JSONField(_("fields from the text"), default=list, blank=True)

    class Meta:
        verbose_name = _("allowed sender")
        verbose_name_plural = _("allowed senders")
        ordering = ["mailbox", "position", "id"]

    def __str__(self) -> str:
        return self.pattern


def inbound_raw_path(instance: "InboundMessage", filename: str) -> str:
    return f"mail/inbound/{timezone.now():%Y/%m}/{instance.sha256 or 'message'}.eml"


class InboundMessage(models.Model):
    """One received email, stored raw before anything else happens to it, and what became
    of it. Unique per mailbox and Message-ID (or content hash): receiving it again is a no-op."""

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP")
        PIPE = "pipe", _("Mail server pipe")
        WEBHOOK = "webhook", _("Webhook")
        MANUAL = "manual", _("By hand")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        HELD = "held", _("Held for staff")
        REJECTED = "rejected", _("Rejected")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", pgettext_lazy("incoming email", "Failed")

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.CASCADE, related_name="messages"
    )
    raw = models.FileField(_("original message"), upload_to=inbound_raw_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=255)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    imap_uid = models.CharField(_("IMAP UID"), max_length=40, blank=True)
    from_address = models.CharField(_("from"), max_length=998, blank=True)
    subject = models.CharField(_("subject"), max_length=1000, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RECEIVED
    )
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Not `message`: its column would be `message_id`, the Message-ID header's field above.
    chat_message = models.ForeignKey(
        "conversations.Message",
        verbose_name=_("chat message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming email")
        verbose_name_plural = _("incoming mail")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "dedupe_key"], name="inbound_mailbox_dedupe_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["mailbox", "state", "-received_at"], name="inbound_mailbox_state"),
            # The flood check: a sender's recent messages.
            models.Index(fields=["from_address", "received_at"], name="inbound_from_received"),
            models.Index(fields=["-received_at", "-id"], name="inbound_received"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"

    @property
    def reason_label(self) -> str:
        """The reason, as people read it (an unknown code as it is)."""
        return str(REASONS.get(self.reason, self.reason))


# What `InboundMessage.reason` says (mail/inbound.py and mail/parsing.py set the codes).
REASONS = {
    "new_ticket": _("new ticket"),
    "reply": _("reply in the conversation"),
    "manual": _("filed by hand"),
    "loop": _("our own mail (a loop)"),
    "bounce": _("a bounce"),
    "auto_reply": _("an automatic reply"),
    "flood": _("too many emails from this sender"),
    "limits": _("over the size limits"),
    "too_large": _("too large"),
    "parse_error": _("could not be read"),
    "bad_sender": _("the sender's address is not a plain address"),
    "company_unknown": _("the sender's company is not clear"),
    "empty": _("no text and no files"),
    "not_participant": _("the sender does not take part in that ticket"),
    "sender_not_allowed": _("no allowed-sender row matches"),
    "staff_without_token": _("a staff address without a signed reply address"),
    "ticket_invalid": _("the ticket could not be filed"),
    "unknown_sender": _("unknown sender"),
    "by_staff": _("rejected by staff"),
    "error": _("an error"),
}
