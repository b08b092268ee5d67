"""Messages on a ticket: the conversation between the customer's people and the provider, and
the provider's internal notes (`is_internal`), which no customer ever sees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.models import ReferenceItem

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


class Participant(models.Model):
    """A person's place in a ticket's conversation: how far they have read, how many messages
    they have not, and the newest message they may see (the inbox's order and excerpt).

    Kept up to date by `message_post` in the same transaction as the message, so the inbox and
    the unread badge are index reads, whatever the number of messages (docs/decisions/0007).
    A customer's row only ever moves for public messages.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    last_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    # The id of the newest message the person has seen (0: none).
    last_read_id = models.PositiveBigIntegerField(default=0)
    unread = models.PositiveIntegerField(_("unread"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation participant")
        verbose_name_plural = _("conversation participants")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="participant_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "-last_message_at", "-id"], name="participant_inbox"),
            models.Index(
                fields=["user"], condition=models.Q(unread__gt=0), name="participant_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.ticket_id}: {self.unread}"


class SurveyCriterion(ReferenceItem):
    """What a customer rates a finished ticket on (1–5 each), e.g. «Качество выполненных работ»."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("survey criterion")
        verbose_name_plural = _("survey criteria")


class SurveyResponse(models.Model):
    """A customer's rating of a resolved or closed ticket: one per ticket, from the portal or
    from the signed link in the email."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="survey_response"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction survey response")
        verbose_name_plural = _("satisfaction survey responses")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class SurveyRating(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(SurveyCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["response", "criterion__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "criterion"], name="rating_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
