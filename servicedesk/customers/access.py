"""`access_<entity>(user, pk)`: the object if the user may see it, else 404.

A foreign object and a missing one give the same 404, so ids reveal nothing.
"""

from typing import Any

from django.shortcuts import get_object_or_404

from servicedesk.accounts.scopes import membership_scopes
from servicedesk.customers.models import Company, Contract, Equipment, Site


def access_company(user: Any, company_id: Any) -> Company:
    return get_object_or_404(Company.objects.visible_to(user), pk=company_id)


def access_site(user: Any, site_id: Any) -> Site:
    return get_object_or_404(Site.objects.visible_to(user).select_related("company"), pk=site_id)


def access_equipment(user: Any, equipment_id: Any) -> Equipment:
    return get_object_or_404(
        Equipment.objects.visible_to(user).select_related("company", "site"), pk=equipment_id
    )


def access_contract(user: Any, contract_id: Any) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_to(user).select_related("company"), pk=contract_id
    )


def sees_equipment(user: Any, equipment: Equipment | None) -> bool:
    """Whether the equipment's page would open for `user`: a ticket they see may stand on a piece
    outside their scope (they are its contact, or follow it). A member of the piece's whole
    company sees it (the first rule of `EquipmentQuerySet.visible_to`, asked without a query:
    the memberships are read once a request); anyone else is asked of the scoping layer."""
    if equipment is None or not getattr(user, "is_authenticated", False):
        return False
    if any(
        scope.whole_company and scope.company_id == equipment.company_id
        for scope in membership_scopes(user)
    ):
        return bool(user.is_active)
    return Equipment.objects.visible_to(user).filter(pk=equipment.pk).exists()
