from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.works.models import CompletedWork, Material, WorkEngineer, WorkMaterial


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin[Material]):
    """The materials list, edited like the other reference lists."""

    list_display = ("name_ru", "name_en", "code", "unit", "price", "sort_order", "is_active")
    list_editable = ("price", "sort_order", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name_ru", "name_en", "code")


class _ReadOnlyInline(admin.TabularInline[Any, CompletedWork]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkEngineerInline(_ReadOnlyInline):
    model = WorkEngineer
    fields = ("engineer", "hourly_rate", "started_at", "finished_at")


class WorkMaterialInline(_ReadOnlyInline):
    model = WorkMaterial
    fields = ("material", "name", "quantity", "unit", "price")


@admin.register(CompletedWork)
class CompletedWorkAdmin(admin.ModelAdmin[CompletedWork]):
    """For inspection: works are recorded and changed on the ticket's «Works» tab, through the
    services (each change is on the ticket's timeline)."""

    list_display = ("ticket", "work_type", "started_at", "finished_at", "created_by")
    list_select_related = ("ticket", "work_type", "created_by")
    search_fields = ("ticket__number",)
    date_hierarchy = "started_at"
    inlines = (WorkEngineerInline, WorkMaterialInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
