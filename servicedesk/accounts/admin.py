from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import AccessRequest, AuditEvent, Invitation, Membership, User


class UserCreationForm(AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "phone", "full_name", "role")


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.StackedInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ("company", "sites", "equipment")


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("full_name", "email")
    list_display = ("full_name", "email", "phone", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "language")
    search_fields = ("full_name", "email", "phone", "position")
    readonly_fields = ("last_login", "date_joined", "activated_at", "created_at", "updated_at")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Person"), {"fields": ("full_name", "position", "language", "time_zone")}),
        (_("Access"), {"fields": ("role", "is_active")}),
        (
            _("Dates"),
            {"fields": ("last_login", "date_joined", "activated_at", "created_at", "updated_at")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "phone", "full_name", "role", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ()

    def get_inlines(self, request: Any, obj: User | None = None) -> Any:
        # Memberships only make sense for customer users.
        return self.inlines if obj is not None and obj.is_customer else ()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "company", "scope", "sees_all_tickets")
    list_filter = ("scope", "sees_all_tickets")
    search_fields = ("user__full_name", "user__email", "company__name")
    autocomplete_fields = ("user", "company", "sites", "equipment")
    list_select_related = ("user", "company")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Read-only: invitations are sent from the People pages, which go through the services."""

    list_display = (
        "user",
        "channel",
        "created_at",
        "sent_at",
        "expires_at",
        "used_at",
        "revoked_at",
    )
    list_filter = ("channel",)
    search_fields = ("user__full_name", "user__email", "user__phone")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin[AccessRequest]):
    """Read-only: requests are decided in the back office (Access requests)."""

    list_display = ("full_name", "company_name", "email", "phone", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("full_name", "company_name", "email", "phone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log is append-only: nobody edits or deletes it here."""

    list_display = ("created_at", "kind", "actor", "user", "identifier", "ip")
    list_filter = ("kind",)
    search_fields = ("identifier", "user__full_name", "user__email", "actor__full_name")
    list_select_related = ("actor", "user")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
