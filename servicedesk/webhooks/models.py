"""Outgoing webhooks: an administrator's subscription of a URL to events (`Webhook`), and each
event sent to it (`WebhookDelivery`: the payload kept as sent, its attempts, the receiver's last
answer). Delivery, signing, retries and pausing: delivery.py; the SSRF guard: guard.py;
docs/decisions/0029-webhooks.md says why."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.core import crypto
from servicedesk.core.models import TimeStampedModel
from servicedesk.webhooks.querysets import WebhookQuerySet


class Event(models.TextChoices):
    """What a webhook may subscribe to; the value is the `event` of the payload and of the
    X-Servicedesk-Event header."""

    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket fields changed")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    TICKET_ASSIGNED = "ticket.assigned", _("Ticket assigned")
    MESSAGE_CREATED = "message.created", _("Message added")
    SLA_WARNING = "sla.warning", _("Deadline near (SLA warning)")
    SLA_BREACH = "sla.breach", _("Deadline passed (SLA breach)")
    SURVEY_ANSWERED = "survey.answered", _("Satisfaction survey answered")
    ACT_SIGNED = "act.signed", _("Act of completed work signed")


# Sent by hand from the webhook's page («Send a test ping»), whatever it subscribes to.
PING = "ping"
# Staff-only: the provider's deadlines are not sent to a customer's system.
STAFF_ONLY_EVENTS = frozenset({Event.SLA_WARNING, Event.SLA_BREACH})


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def secret_new_encrypted() -> str:
    """A new secret, as stored (the default of `Webhook.secret_encrypted`)."""
    return crypto.encrypt(secret_new(), purpose=crypto.WEBHOOKS)


class Webhook(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=2000)
    # Encrypted (core/crypto.py): signing needs it back, a database dump must not give it away.
    # Shown once, when made or regenerated (see the decision); read through `secret`.
    secret_encrypted = models.TextField(
        _("secret (encrypted)"), default=secret_new_encrypted, editable=False
    )
    events = models.JSONField(_("events"), default=list, blank=True)
    customer_facing = models.BooleanField(
        _("customer-facing"),
        default=False,
        help_text=_(
            "The receiver belongs to a customer: only that company's tickets, never internal "
            "notes, staff-only fields or SLA events."
        ),
    )
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_reason = models.CharField(_("why paused"), max_length=300, blank=True)
    # Failed attempts in a row (any delivery); a success starts it again from 0.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer_facing=False) | models.Q(company__isnull=False),
                name="webhook_customer_has_company",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        """The signing secret in clear; `crypto.SecretUnreadableError` when the encryption key
        it was stored with is gone (a new secret must be made)."""
        return crypto.decrypt(self.secret_encrypted, purpose=crypto.WEBHOOKS)

    @secret.setter
    def secret(self, plain: str) -> None:
        self.secret_encrypted = crypto.encrypt(plain, purpose=crypto.WEBHOOKS)

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to recognise it (`whsec_abc…wxyz`); empty when unreadable."""
        try:
            secret = self.secret
        except crypto.SecretUnreadableError:
            return ""
        return f"{secret[:10]}…{secret[-4:]}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("webhook delivery", "Waiting")
        SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "Delivered")
        FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # X-Servicedesk-Delivery and the body's "id": the receiver's key for idempotency.
    uid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time, ms"), null=True, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.TextField(_("error"), blank=True)
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("re-sent from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-created_at", "-id"], name="webhook_delivery_log"),
            # The retry sweep: pending rows by when they are due (a small set).
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due",
            ),
            # The nightly clean-up (services.deliveries_prune): finished rows, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(state__in=["succeeded", "failed"]),
                name="webhook_delivery_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id}"
