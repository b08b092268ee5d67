"""The scoping layer for customer data: what a user may see, decided here and nowhere else.

- Staff of the provider see everything.
- A customer sees the companies they are a member of. With a whole-company membership they see
  all of that company's sites, equipment and contracts. With a membership limited to listed
  sites and equipment they see those sites and everything beneath them, the listed equipment
  and the equipment beneath listed sites (and the site a listed piece stands on, for its
  address), and the contracts that cover something they see or cover the whole company.
- Anyone else (anonymous, inactive) sees nothing.

The memberships are read once per user object (accounts/scopes.py) and turned into literal ids
and path prefixes, so a whole-company customer's filter is a plain `company_id IN (...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value

from servicedesk.accounts.scopes import MembershipScope, membership_scopes

if TYPE_CHECKING:
    # Used in the QuerySet[...] base classes below (strings, invisible to ruff).
    from servicedesk.customers.models import Company, Contract, Equipment, Site  # noqa: F401

_NOTHING = Q(pk__in=[])


def _is_anonymous_or_inactive(user: Any) -> bool:
    return not (getattr(user, "is_authenticated", False) and user.is_active)


def _whole(scopes: list[MembershipScope]) -> list[int]:
    return [s.company_id for s in scopes if s.whole_company]


def _listed(scopes: list[MembershipScope]) -> list[MembershipScope]:
    return [s for s in scopes if not s.whole_company]


def _under(paths: tuple[str, ...], field: str) -> Q:
    condition = _NOTHING
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


class CompanyQuerySet(models.QuerySet["Company"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if user.is_provider_staff:
            return self
        return self.filter(pk__in=[s.company_id for s in membership_scopes(user)])


class SiteQuerySet(models.QuerySet["Site"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if user.is_provider_staff:
            return self
        scopes = membership_scopes(user)
        condition = Q(company_id__in=_whole(scopes))
        for scope in _listed(scopes):
            beneath = _under(scope.site_paths, "path")
            if scope.equipment_ids:
                equipment = apps.get_model("customers", "Equipment")
                beneath |= Q(
                    pk__in=equipment.objects.filter(pk__in=scope.equipment_ids).values("site_id")
                )
            condition |= Q(company_id=scope.company_id) & beneath
        return self.filter(condition)


class EquipmentQuerySet(models.QuerySet["Equipment"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if user.is_provider_staff:
            return self
        scopes = membership_scopes(user)
        condition = Q(company_id__in=_whole(scopes))
        for scope in _listed(scopes):
            listed = Q(pk__in=scope.equipment_ids) | _under(scope.site_paths, "site__path")
            condition |= Q(company_id=scope.company_id) & listed
        return self.filter(condition)


class ContractQuerySet(models.QuerySet["Contract"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if user.is_provider_staff:
            return self
        scopes = membership_scopes(user)
        condition = Q(company_id__in=_whole(scopes))
        listed = _listed(scopes)
        if listed:
            site_model = apps.get_model("customers", "Site")
            equipment_model = apps.get_model("customers", "Equipment")
            covers = self.model.sites.through.objects
            covers_equipment = self.model.equipment.through.objects
            whole_company_contract = ~Exists(covers.filter(contract_id=OuterRef("pk"))) & ~Exists(
                covers_equipment.filter(contract_id=OuterRef("pk"))
            )
            sites = site_model.objects.visible_to(user).values("pk")
            equipment = equipment_model.objects.visible_to(user).values("pk")
            condition |= Q(company_id__in=[s.company_id for s in listed]) & (
                whole_company_contract
                | Q(pk__in=covers.filter(site_id__in=sites).values("contract_id"))
                | Q(
                    pk__in=covers_equipment.filter(equipment_id__in=equipment).values("contract_id")
                )
            )
        return self.filter(condition)

    def covering(self, *, site: Any = None, equipment: Any = None) -> Self:
        """Contracts that cover the site or equipment: those that list nothing (the whole
        company), list the equipment, or list a site at or above where the equipment (or the
        chosen site) stands. With neither given, every contract applies."""
        if site is None and equipment is None:
            return self
        site_links = self.model.sites.through.objects
        equipment_links = self.model.equipment.through.objects
        covered: Any = ~Exists(site_links.filter(contract_id=OuterRef("pk"))) & ~Exists(
            equipment_links.filter(contract_id=OuterRef("pk"))
        )
        if equipment is not None:
            covered |= Exists(
                equipment_links.filter(contract_id=OuterRef("pk"), equipment_id=equipment.pk)
            )
        where = site
        if equipment is not None and (site is None or equipment.site_id != site.pk):
            where = equipment.site or site  # read only when the site given is not its own
        if where is not None and where.path:
            covered |= Exists(
                site_links.filter(contract_id=OuterRef("pk"), site__path__gt="")
                .annotate(where_path=Value(where.path))
                .filter(where_path__startswith=F("site__path"))  # type: ignore[misc]
            )
        return self.filter(covered)

    def valid_on(self, day: Any) -> Self:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))
