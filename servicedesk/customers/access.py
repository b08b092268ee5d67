"""`access_<entity>(user, pk)`: the object if the user may see it, else 404.

A foreign object and a missing one give the same 404, so ids reveal nothing.
"""

from typing import Any

from django.shortcuts import get_object_or_404

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


def sees_equipment(user: Any, equipment_id: int | None) -> bool:
    """Whether the equipment's page would open for `user` (a ticket they see may stand on a
    piece outside their scope: they are its contact, or follow it). One query; none without an
    id."""
    if equipment_id is None:
        return False
    return Equipment.objects.visible_to(user).filter(pk=equipment_id).exists()
