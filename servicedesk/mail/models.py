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
