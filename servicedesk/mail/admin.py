from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.mail.models import InboundMessage, Mailbox, OutboundMessage, SenderRule
from servicedesk.mail.services import outbound_retry_now


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin[OutboundMessage]):
    """The outbound log, read-only (the back office's «Outgoing mail» page is the everyday
    view); «Retry now» gives queued or failed emails another attempt."""

    list_display = ("created_at", "to", "subject", "kind", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "message_id")
    raw_id_fields = ("ticket", "user")
    readonly_fields = (
        "to",
        "subject",
        "message_id",
        "kind",
        "key",
        "ticket",
        "user",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
        "raw",
    )
    actions = ("retry_now",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        count = sum(outbound_retry_now(pk=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class SenderRuleInline(admin.TabularInline[SenderRule, Mailbox]):
    model = SenderRule
    extra = 0
    raw_id_fields = ("company", "site", "equipment")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    """Mailboxes; the password and the webhook token are never shown (the back office's mail
    settings page sets them)."""

    list_display = (
        "name",
        "address",
        "is_active",
        "imap_host",
        "last_polled_at",
        "last_success_at",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "address")
    readonly_fields = ("last_polled_at", "last_poll_error", "last_success_at", "created_at")
    exclude = ("imap_password", "webhook_token_hash")
    inlines = (SenderRuleInline,)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    """Incoming mail, read-only: what came in and what became of it."""

    list_display = ("received_at", "mailbox", "from_address", "subject", "state", "reason")
    list_filter = ("state", "reason", "source", "mailbox")
    search_fields = ("from_address", "subject", "message_id")
    raw_id_fields = ("ticket", "chat_message")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
