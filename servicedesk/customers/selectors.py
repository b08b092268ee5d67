from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from servicedesk.customers.models import Company, Contract, Equipment, Site


def company_list_for_user(user: Any) -> QuerySet[Company]:
    """The user's companies with what they may see of each, in a fixed number of queries."""
    return (
        Company.objects.visible_to(user)
        .filter(is_active=True)
        .prefetch_related(
            Prefetch(
                "sites",
                queryset=Site.objects.visible_to(user).filter(is_active=True).order_by("path"),
                to_attr="visible_sites",
            ),
            Prefetch(
                "equipment",
                queryset=Equipment.objects.visible_to(user)
                .filter(is_active=True)
                .select_related("site")
                .order_by("name"),
                to_attr="visible_equipment",
            ),
            Prefetch(
                "contracts",
                queryset=Contract.objects.visible_to(user).order_by("-valid_from"),
                to_attr="visible_contracts",
            ),
        )
    )


def customer_data_counts() -> dict[str, int]:
    """Totals for the back-office dashboard (staff see everything)."""
    return Company.objects.aggregate(
        companies=Count("pk", distinct=True),
        sites=Count("sites", distinct=True),
        equipment=Count("equipment", distinct=True),
        contracts=Count("contracts", distinct=True),
    )


def site_chain(user: Any, site: Site | None) -> list[Site]:
    """The site and the sites above it that `user` may see, outermost first («HQ › Floor ›
    Room»): one query. A customer scoped to a floor is not shown the building around it."""
    if site is None:
        return []
    ids = [int(part) for part in site.path.split("/") if part.isdigit()] or [site.pk]
    chain = list(Site.objects.visible_to(user).filter(pk__in=ids).order_by())
    return sorted(chain, key=lambda row: len(row.path))


def site_address(chain: list[Site]) -> str:
    """The address of the innermost site of the chain that has one (a floor has its
    building's)."""
    return next((site.address for site in reversed(chain) if site.address.strip()), "")
