from typing import Any

from django.contrib import admin

from servicedesk.tickets.models import Ticket, TicketAttachment, TicketEvent


class TicketEventInline(admin.TabularInline[TicketEvent, Ticket]):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "kind", "field", "old_value", "new_value", "is_public")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class TicketAttachmentInline(admin.TabularInline[TicketAttachment, Ticket]):
    model = TicketAttachment
    extra = 0
    fields = ("name", "size", "content_type", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    """For inspection and repairs by administrators; tickets are worked in the back office."""

    list_display = ("number", "subject", "company", "contact", "status", "origin", "created_at")
    list_filter = ("status", "origin", "ticket_type", "criticality")
    search_fields = ("number", "subject")
    list_select_related = ("company", "contact")
    raw_id_fields = (
        "company",
        "contact",
        "created_by",
        "site",
        "equipment",
        "contract",
        "assignee",
    )
    readonly_fields = ("number", "created_at", "updated_at")
    inlines = (TicketAttachmentInline, TicketEventInline)

    def get_readonly_fields(self, request: Any, obj: Ticket | None = None) -> Any:
        """Who may see a ticket is decided by its company and contact: they are not changed
        here, where no event would record it and no service would check it (issue 21)."""
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "company", "contact")

    show_full_result_count = False  # no COUNT(*) over a million rows on every page
