"""Notifications: a person's bell (`Notification`), what each person wants to be told and how
(`NotificationPreference`, `NotificationSettings`), and the message emails waiting for a
person's digest (`DigestEntry`).

A notification says what happened (`kind`) about which ticket, by whom (`actor`), with the
message or the old and new status (`data`) where it matters; its text is made when it is shown,
in the reader's language (notifications/texts.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Event(models.TextChoices):
    """What a person can choose to be told about (per channel: email, in-app). Absent
    preference rows mean the default (`EVENT_DEFAULTS`)."""

    TICKET_CREATED = "ticket_created", _("Ticket registered / new ticket")
    COMPANY_TICKET = "company_ticket", _("A colleague's new ticket")
    MESSAGE_NEW = "message_new", _("New message")
    NOTE_NEW = "note_new", _("New internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    TICKET_RESOLVED = "ticket_resolved", _("Solution proposed")
    TICKET_CLOSED = "ticket_closed", _("Ticket closed")
    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned to me")
    DEADLINE = "deadline", _("Deadline near or passed")
    ACT_READY = "act_ready", _("Act of completed work ready")
    ACT_ANSWERED = "act_answered", _("The customer signed or disputed an act")


# (email, in-app) when the person has not chosen: everything on, except email about every
# colleague's ticket (a large company would drown in it).
EVENT_DEFAULTS: dict[str, tuple[bool, bool]] = dict.fromkeys(Event.values, (True, True))
EVENT_DEFAULTS[Event.COMPANY_TICKET] = (False, True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        TICKET_CREATED = "ticket_created", _("Ticket registered")
        COMPANY_TICKET = "company_ticket", _("New ticket for your company")
        MESSAGE_NEW = "message_new", _("New message")
        NOTE_NEW = "note_new", _("New internal note")
        STATUS_CHANGED = "status_changed", _("Status changed")
        TICKET_RESOLVED = "ticket_resolved", _("Solution proposed")
        TICKET_CLOSED = "ticket_closed", pgettext_lazy("notification", "Ticket closed")
        TICKET_ASSIGNED = "ticket_assigned", _("Assigned to you")
        ACT_READY = "act_ready", _("Act ready")
        ACT_SIGNED = "act_signed", _("Act signed")
        ACT_DISPUTED = "act_disputed", _("Act disputed")
        RESPONSE_WARNING = "response_warning", _("First response due soon")
        RESPONSE_BREACH = "response_breach", _("First response overdue")
        RESOLUTION_WARNING = "resolution_warning", _("Resolution due soon")
        RESOLUTION_BREACH = "resolution_breach", _("Resolution overdue")
        MAIL_HELD = "mail_held", _("Incoming mail held")
        WEBHOOK_PAUSED = "webhook_paused", _("Webhook paused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Small facts for the text: {"old": status, "new": status}.
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Makes writing idempotent: one row per person and event ("" for rows without a key).
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_key"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class NotificationPreference(models.Model):
    """A person's choice for one event: by email, in the app (bell), both or neither."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    email = models.BooleanField(_("email"), default=True)
    in_app = models.BooleanField(_("in the app"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}: {self.email}/{self.in_app}"


class Digest(models.TextChoices):
    IMMEDIATELY = "immediately", _("One email per message")
    HOURLY = "hourly", _("Hourly digest")
    DAILY = "daily", _("Daily digest")


class NotificationSettings(models.Model):
    """A person's settings beyond the per-event grid: how message emails reach them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    message_digest = models.CharField(
        _("message emails"), max_length=20, choices=Digest.choices, default=Digest.IMMEDIATELY
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.message_digest}"


class DigestEntry(models.Model):
    """A message a person is to hear about in their next digest email (deleted when sent)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        ordering = ["user", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="digest_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.message_id}"


def kind_event(kind: str) -> str:
    """The preference that governs a notification kind."""
    if kind in (
        Notification.Kind.RESPONSE_WARNING,
        Notification.Kind.RESPONSE_BREACH,
        Notification.Kind.RESOLUTION_WARNING,
        Notification.Kind.RESOLUTION_BREACH,
    ):
        return Event.DEADLINE
    if kind in (Notification.Kind.ACT_SIGNED, Notification.Kind.ACT_DISPUTED):
        return Event.ACT_ANSWERED
    return kind
