"""Companies, sites, equipment and contracts: lists and details through the one scoping layer
(`visible_to()` / `access_*`): staff see every customer's, a customer sees their companies'
(and, with a listed scope, only the sites and equipment listed and the contracts that touch
them). Another company's id answers 404, exactly like a missing one. Read-only here: these are
changed in the back office (and its imports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from servicedesk.api.errors import responses
from servicedesk.api.lists import keyset_page
from servicedesk.api.pagination import PageParams
from servicedesk.customers.access import (
    access_company,
    access_contract,
    access_equipment,
    access_site,
)
from servicedesk.customers.models import Company, Contract, Equipment, Site

router = Router(tags=["customers"])
BY_ID = [("id", False)]


class CompanyOut(Schema):
    id: int
    name: str
    legal_name: str
    code: str
    country: str
    tax_id: str
    kpp: str
    address: str
    phone: str
    email: str
    is_active: bool


class CompanyPage(Schema):
    items: list[CompanyOut]
    next_cursor: str | None


class SiteOut(Schema):
    id: int
    company_id: int
    parent_id: int | None
    name: str
    address: str
    is_active: bool


class SitePage(Schema):
    items: list[SiteOut]
    next_cursor: str | None


class EquipmentOut(Schema):
    id: int
    company_id: int
    site_id: int | None
    name: str
    equipment_type: str
    model: str
    serial_number: str
    warranty_until: dt.date | None
    is_active: bool


class EquipmentPage(Schema):
    items: list[EquipmentOut]
    next_cursor: str | None


class ContractOut(Schema):
    id: int
    company_id: int
    number: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None


class ContractDetailOut(ContractOut):
    terms: str
    site_ids: list[int] = Field(description="The sites it covers; none: the whole company.")
    equipment_ids: list[int] = Field(description="The equipment it covers.")


class ContractPage(Schema):
    items: list[ContractOut]
    next_cursor: str | None


class CompanyFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Part of the name or code.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false).")


class PlaceFilters(Schema):
    company_id: int | None = Field(None, ge=1, description="Of this company only.")
    q: str | None = Field(None, max_length=200, description="Part of the name.")


def _company(company: Company) -> dict[str, Any]:
    return {
        "id": company.pk,
        "name": company.name,
        "legal_name": company.legal_name,
        "code": company.code,
        "country": str(company.country.code or ""),
        "tax_id": company.tax_id,
        "kpp": company.kpp,
        "address": company.address,
        "phone": str(company.phone or ""),
        "email": company.email,
        "is_active": company.is_active,
    }


@router.get(
    "/companies",
    response=responses({200: CompanyPage}),
    summary="Companies",
    description="The customer companies the caller sees, by id. Компании-клиенты.",
)
def company_list(
    request: HttpRequest, filters: Query[CompanyFilters], page: Query[PageParams]
) -> dict[str, Any]:
    rows = Company.objects.visible_to(request.user)
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    items, cursor = keyset_page(rows.order_by("id"), BY_ID, page, "companies")
    return {"items": [_company(c) for c in items], "next_cursor": cursor}


@router.get(
    "/companies/{company_id}",
    response=responses({200: CompanyOut}, 404),
    summary="A company",
)
def company_detail(request: HttpRequest, company_id: int) -> dict[str, Any]:
    return _company(access_company(request.user, company_id))


def _site(site: Site) -> dict[str, Any]:
    return {
        "id": site.pk,
        "company_id": site.company_id,
        "parent_id": site.parent_id,
        "name": site.name,
        "address": site.address,
        "is_active": site.is_active,
    }


@router.get(
    "/sites",
    response=responses({200: SitePage}),
    summary="Sites",
    description="The sites (objects) the caller sees, by id. Объекты.",
)
def site_list(
    request: HttpRequest, filters: Query[PlaceFilters], page: Query[PageParams]
) -> dict[str, Any]:
    rows = Site.objects.visible_to(request.user)
    if filters.company_id:
        rows = rows.filter(company_id=filters.company_id)
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    items, cursor = keyset_page(rows.order_by("id"), BY_ID, page, "sites")
    return {"items": [_site(s) for s in items], "next_cursor": cursor}


@router.get("/sites/{site_id}", response=responses({200: SiteOut}, 404), summary="A site")
def site_detail(request: HttpRequest, site_id: int) -> dict[str, Any]:
    return _site(access_site(request.user, site_id))


def _equipment(item: Equipment) -> dict[str, Any]:
    return {
        "id": item.pk,
        "company_id": item.company_id,
        "site_id": item.site_id,
        "name": item.name,
        "equipment_type": item.equipment_type,
        "model": item.model,
        "serial_number": item.serial_number,
        "warranty_until": item.warranty_until,
        "is_active": item.is_active,
    }


@router.get(
    "/equipment",
    response=responses({200: EquipmentPage}),
    summary="Equipment",
    description="The equipment the caller sees, by id; `q` searches the name and serial "
    "number. Оборудование.",
)
def equipment_list(
    request: HttpRequest, filters: Query[PlaceFilters], page: Query[PageParams]
) -> dict[str, Any]:
    rows = Equipment.objects.visible_to(request.user)
    if filters.company_id:
        rows = rows.filter(company_id=filters.company_id)
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(serial_number__icontains=filters.q))
    items, cursor = keyset_page(rows.order_by("id"), BY_ID, page, "equipment")
    return {"items": [_equipment(e) for e in items], "next_cursor": cursor}


@router.get(
    "/equipment/{equipment_id}",
    response=responses({200: EquipmentOut}, 404),
    summary="A piece of equipment",
)
def equipment_detail(request: HttpRequest, equipment_id: int) -> dict[str, Any]:
    return _equipment(access_equipment(request.user, equipment_id))


def _contract(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "company_id": contract.company_id,
        "number": contract.number,
        "name": contract.name,
        "valid_from": contract.valid_from,
        "valid_to": contract.valid_to,
    }


@router.get(
    "/contracts",
    response=responses({200: ContractPage}),
    summary="Contracts",
    description="The service contracts the caller sees (a customer: their companies'). Договоры.",
)
def contract_list(
    request: HttpRequest, filters: Query[PlaceFilters], page: Query[PageParams]
) -> dict[str, Any]:
    rows = Contract.objects.visible_to(request.user)
    if filters.company_id:
        rows = rows.filter(company_id=filters.company_id)
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(number__icontains=filters.q))
    items, cursor = keyset_page(rows.order_by("id"), BY_ID, page, "contracts")
    return {"items": [_contract(c) for c in items], "next_cursor": cursor}


@router.get(
    "/contracts/{contract_id}",
    response=responses({200: ContractDetailOut}, 404),
    summary="A contract",
)
def contract_detail(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    contract = access_contract(request.user, contract_id)
    sites = Site.objects.visible_to(request.user).filter(contracts=contract)
    equipment = Equipment.objects.visible_to(request.user).filter(contracts=contract)
    return {
        **_contract(contract),
        "terms": contract.terms,
        "site_ids": sorted(sites.values_list("pk", flat=True)),
        "equipment_ids": sorted(equipment.values_list("pk", flat=True)),
    }
