"""Filings without an account and their status links, read-only, in Django's admin; «Revoke»
cuts a leaked or forwarded link (the person can be sent a new one by filing again, or staff
give them an account). Web forms are edited in the back office (Web forms)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.accounts.models import User
from servicedesk.intake.links import guest_links_revoke_selected
from servicedesk.intake.models import GuestFiling, GuestLink


@admin.register(GuestFiling)
class GuestFilingAdmin(admin.ModelAdmin[GuestFiling]):
    list_display = ("created_at", "ticket", "name", "email", "phone", "webform", "existing")
    list_filter = ("origin", "existing", "webform")
    search_fields = ("email", "phone", "name", "ticket__number")
    raw_id_fields = ("ticket", "contact", "webform")
    readonly_fields = (
        "ticket", "contact", "webform", "origin", "name", "email", "phone", "company_name",
        "equipment_model", "existing", "created_at",
    )  # fmt: skip
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(GuestLink)
class GuestLinkAdmin(admin.ModelAdmin[GuestLink]):
    list_display = ("created_at", "ticket", "contact", "last_used_at", "revoked_at", "revoked_by")
    list_filter = ("revoked_at",)
    search_fields = ("ticket__number", "contact__email")
    raw_id_fields = ("ticket", "contact", "revoked_by")
    readonly_fields = (
        "ticket",
        "contact",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    exclude = ("key",)
    actions = ("revoke",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected status links"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[GuestLink]) -> None:
        by = request.user if isinstance(request.user, User) else None
        count = guest_links_revoke_selected(ids=list(queryset.values_list("pk", flat=True)), by=by)
        self.message_user(
            request,
            ngettext("%(count)d link revoked.", "%(count)d links revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
