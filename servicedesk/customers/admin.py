from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    PassportPublication,
    PassportTemplate,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.customers.services import site_save


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin[Company]):
    list_display = ("name", "code", "tax_id", "country", "phone", "email", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("name", "legal_name", "code", "tax_id")
    fieldsets = (
        (None, {"fields": ("name", "legal_name", "code", "is_active")}),
        (_("Registration"), {"fields": ("country", "tax_id", "kpp")}),
        (_("Contacts"), {"fields": ("address", "phone", "email")}),
    )


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("name", "company", "parent", "address", "is_active")
    list_filter = ("is_active", "company")
    search_fields = ("name", "address", "company__name")
    autocomplete_fields = ("company", "parent")
    list_select_related = ("company", "parent")

    def save_model(self, request: HttpRequest, obj: Site, form: Any, change: bool) -> None:
        site_save(obj)


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin[Equipment]):
    list_display = ("name", "company", "site", "model", "serial_number", "warranty_until")
    list_filter = ("is_active", "company")
    search_fields = ("name", "model", "serial_number", "company__name", "site__name")
    autocomplete_fields = ("company", "site")
    list_select_related = ("company", "site")
    readonly_fields = ("passport_token",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    list_display = ("number", "name", "company", "valid_from", "valid_to")
    list_filter = ("company",)
    search_fields = ("number", "name", "company__name")
    autocomplete_fields = ("company", "sites", "equipment")
    list_select_related = ("company",)
    date_hierarchy = "valid_from"


class ReferenceAdmin(admin.ModelAdmin[Any]):
    list_display: tuple[str, ...] = ("name_ru", "name_en", "code", "sort_order", "is_active")
    list_editable: ClassVar[list[str] | tuple[str, ...]] = ("sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_ru", "name_en", "code")


@admin.register(TicketType)
class TicketTypeAdmin(ReferenceAdmin):
    list_display = (
        "name_ru",
        "name_en",
        "code",
        "requires_signed_act",
        "requires_presence_scan",
        "sort_order",
        "is_active",
    )
    list_editable = ("requires_signed_act", "requires_presence_scan", "sort_order", "is_active")


admin.site.register(Product, ReferenceAdmin)


@admin.register(WorkType)
class WorkTypeAdmin(ReferenceAdmin):
    list_display = ("name_ru", "name_en", "code", "price", "sort_order", "is_active")
    list_editable = ("price", "sort_order", "is_active")


@admin.register(Criticality)
class CriticalityAdmin(ReferenceAdmin):
    list_display = ("name_ru", "name_en", "code", "color", "is_default", "sort_order", "is_active")


@admin.register(PassportPublication)
class PassportPublicationAdmin(admin.ModelAdmin[PassportPublication]):
    """What anyone with a passport link sees, per equipment type (decision record «passport»)."""

    list_display = (
        "__str__",
        "show_name",
        "show_photo",
        "show_type",
        "show_model",
        "show_serial",
        "show_address",
        "show_warranty",
    )
    list_editable = (
        "show_name",
        "show_photo",
        "show_type",
        "show_model",
        "show_serial",
        "show_address",
        "show_warranty",
    )
    search_fields = ("equipment_type",)


@admin.register(PassportTemplate)
class PassportTemplateAdmin(admin.ModelAdmin[PassportTemplate]):
    """The ticket a QR code files, per company (and optionally per equipment type)."""

    list_display = (
        "company",
        "equipment_type",
        "ticket_type",
        "work_type",
        "criticality",
        "allow_self_registration",
        "allow_anonymous",
        "is_active",
    )
    list_filter = ("is_active", "allow_self_registration", "allow_anonymous")
    search_fields = ("company__name", "equipment_type")
    autocomplete_fields = ("company",)
    list_select_related = ("company", "ticket_type", "work_type", "criticality")
