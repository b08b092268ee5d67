"""The scoping layer for customer data: what a user may see, decided here and nowhere else.

- Staff of the provider see everything.
- A customer sees the companies they are a member of. With a whole-company membership they see
  all of that company's sites, equipment and contracts. With a membership limited to listed
  sites and equipment they see those sites and everything beneath them, the listed equipment
  (and the site it stands on, for its address), and the contracts that cover something they see
  or that cover the whole company.
- Anyone else (anonymous, inactive) sees nothing.

Every filter is a subquery, so the querysets stay lazy, compose with other filters and never
return duplicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, Q

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

    # Used in the QuerySet[...] base classes below (strings, invisible to ruff).
    from servicedesk.customers.models import Company, Contract, Equipment, Site  # noqa: F401


def _sees_everything(user: Any) -> bool:
    return bool(user.is_provider_staff)


def _is_anonymous_or_inactive(user: Any) -> bool:
    return not (getattr(user, "is_authenticated", False) and user.is_active)


def _memberships(user: User, scope: str | None = None) -> models.QuerySet[Any]:
    membership = apps.get_model("accounts", "Membership")
    qs = membership.objects.filter(user=user, company__is_active=True)
    if scope is not None:
        qs = qs.filter(scope=scope)
    return qs


def _whole_company_ids(user: User) -> models.QuerySet[Any]:
    return _memberships(user, "company").values("company_id")


def _listed_site_links(user: User) -> models.QuerySet[Any]:
    membership = apps.get_model("accounts", "Membership")
    # A site without a path (never saved through site_save) must not match everything.
    return membership.sites.through.objects.filter(
        membership__in=_memberships(user, "listed"),
        site__company_id=F("membership__company_id"),
        site__path__gt="",
    )


def _listed_equipment_links(user: User) -> models.QuerySet[Any]:
    membership = apps.get_model("accounts", "Membership")
    return membership.equipment.through.objects.filter(
        membership__in=_memberships(user, "listed"),
        equipment__company_id=F("membership__company_id"),
    )


def _under_listed_site(user: User, path_ref: str) -> Exists:
    """True where the outer row's site path starts with the path of a listed site."""
    return Exists(
        _listed_site_links(user)
        .annotate(outer_path=ExpressionWrapper(OuterRef(path_ref), output_field=CharField()))
        .filter(outer_path__startswith=F("site__path"))
    )


class CompanyQuerySet(models.QuerySet["Company"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if _sees_everything(user):
            return self
        return self.filter(pk__in=_memberships(user).values("company_id"))


class SiteQuerySet(models.QuerySet["Site"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if _sees_everything(user):
            return self
        return self.filter(
            Q(company_id__in=_whole_company_ids(user))
            | _under_listed_site(user, "path")
            | Q(pk__in=_listed_equipment_links(user).values("equipment__site_id"))
        )


class EquipmentQuerySet(models.QuerySet["Equipment"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if _sees_everything(user):
            return self
        return self.filter(
            Q(company_id__in=_whole_company_ids(user))
            | Q(pk__in=_listed_equipment_links(user).values("equipment_id"))
            | (Q(site__isnull=False) & _under_listed_site(user, "site__path"))
        )


class ContractQuerySet(models.QuerySet["Contract"]):
    def visible_to(self, user: Any) -> Self:
        if _is_anonymous_or_inactive(user):
            return self.none()
        if _sees_everything(user):
            return self
        site_model = apps.get_model("customers", "Site")
        equipment_model = apps.get_model("customers", "Equipment")
        covers = self.model.sites.through.objects
        covers_equipment = self.model.equipment.through.objects
        visible_sites = site_model.objects.visible_to(user).values("pk")
        visible_equipment = equipment_model.objects.visible_to(user).values("pk")
        covers_whole_company = ~Exists(covers.filter(contract_id=OuterRef("pk"))) & ~Exists(
            covers_equipment.filter(contract_id=OuterRef("pk"))
        )
        return self.filter(
            Q(company_id__in=_whole_company_ids(user))
            | (Q(company_id__in=_memberships(user).values("company_id")) & covers_whole_company)
            | Q(pk__in=covers.filter(site_id__in=visible_sites).values("contract_id"))
            | Q(
                pk__in=covers_equipment.filter(equipment_id__in=visible_equipment).values(
                    "contract_id"
                )
            )
        )

    def valid_on(self, day: Any) -> Self:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))
