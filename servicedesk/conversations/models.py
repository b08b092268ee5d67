"""Messages on a ticket: the conversation between the customer's people and the provider, and
the provider's internal notes (`is_internal`), which no customer ever sees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 10_000


class Message(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    is_internal = models.BooleanField(
        _("internal note"),
        default=False,
        help_text=_("Seen by the provider's staff only, never by the customer."),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"
