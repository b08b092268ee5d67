"""The reference lists (ticket types, criticalities, work types, products) and countries: what
a ticket's fields take. Short lists, whole, in their order, active entries only unless
`?all=true` (staff). The same cached rows the pages' forms use (customers/reference.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django_countries import countries
from ninja import Query, Router, Schema
from pydantic import Field

from servicedesk.api.errors import responses
from servicedesk.customers.models import Criticality, Product, TicketType, WorkType
from servicedesk.customers.reference import CACHED_MODELS, reference_rows

router = Router(tags=["reference"])


class ReferenceOut(Schema):
    id: int
    code: str = Field(description="Stable; what the API's ticket fields take.")
    name: str = Field(description="In the caller's language.")
    name_ru: str
    name_en: str
    sort_order: int
    is_active: bool


class CriticalityOut(ReferenceOut):
    color: str


class TicketTypeOut(ReferenceOut):
    requires_signed_act: bool


class CountryOut(Schema):
    code: str
    name: str


class ListParams(Schema):
    all: bool = Field(False, description="Inactive entries too (staff only; ignored otherwise).")


def _rows(request: HttpRequest, model: type[Model], params: ListParams) -> list[Any]:
    if model in CACHED_MODELS:  # forgotten when a row changes (customers/reference.py)
        rows = list(reference_rows(model)[model].values())
    else:
        rows = list(model._default_manager.all())
    show_all = params.all and getattr(request.user, "is_provider_staff", False)
    rows = [row for row in rows if show_all or row.is_active]
    return sorted(rows, key=lambda row: (row.sort_order, row.name_ru, row.pk))


def _item(row: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "code": row.code,
        "name": row.name,
        "name_ru": row.name_ru,
        "name_en": row.name_en,
        "sort_order": row.sort_order,
        "is_active": row.is_active,
        **extra,
    }


@router.get(
    "/reference/ticket-types",
    response=responses({200: list[TicketTypeOut]}),
    summary="Ticket types",
    description="Типы заявок.",
)
def ticket_types(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, Any]]:
    return [
        _item(row, requires_signed_act=row.requires_signed_act)
        for row in _rows(request, TicketType, params)
    ]


@router.get(
    "/reference/criticalities",
    response=responses({200: list[CriticalityOut]}),
    summary="Criticalities",
    description="Критичность.",
)
def criticalities(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, Any]]:
    return [_item(row, color=row.color) for row in _rows(request, Criticality, params)]


@router.get(
    "/reference/work-types",
    response=responses({200: list[ReferenceOut]}),
    summary="Work types",
    description="Виды работ.",
)
def work_types(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, Any]]:
    return [_item(row) for row in _rows(request, WorkType, params)]


@router.get(
    "/reference/products",
    response=responses({200: list[ReferenceOut]}),
    summary="Products",
    description="Продукты.",
)
def products(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, Any]]:
    return [_item(row) for row in _rows(request, Product, params)]


@router.get(
    "/reference/countries",
    response=responses({200: list[CountryOut]}),
    summary="Countries",
    description="ISO 3166-1 alpha-2 codes, named in the caller's language. Страны.",
)
def country_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": code, "name": str(name)} for code, name in countries]
