from django.contrib import admin

from servicedesk.notifications.models import (
    DigestEntry,
    Notification,
    NotificationPreference,
    NotificationSettings,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """For inspection: people read their notifications on the bell's pages."""

    list_display = ("created_at", "user", "kind", "ticket", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "ticket__number")
    raw_id_fields = ("user", "ticket", "message", "actor")
    list_select_related = ("user", "ticket")
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "event", "email", "in_app")
    list_filter = ("event",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin[NotificationSettings]):
    list_display = ("user", "message_digest")
    list_filter = ("message_digest",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(DigestEntry)
class DigestEntryAdmin(admin.ModelAdmin[DigestEntry]):
    list_display = ("created_at", "user", "message")
    raw_id_fields = ("user", "message")
