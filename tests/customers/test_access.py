"""`access_<entity>(user, pk)`: the object when visible, otherwise the same 404 for a foreign id
and for one that does not exist."""

import pytest
from django.http import Http404

from servicedesk.customers.access import (
    access_company,
    access_contract,
    access_equipment,
    access_site,
)
from servicedesk.customers.models import Company, Contract, Equipment, Site
from tests.customers.test_querysets import EXPECTED

ACCESS = {
    "companies": (access_company, Company),
    "sites": (access_site, Site),
    "equipment": (access_equipment, Equipment),
    "contracts": (access_contract, Contract),
}
MATRIX = [(user, kind) for user in EXPECTED for kind in ACCESS]


def snapshot():
    return {name: model.objects.count() for name, (_, model) in ACCESS.items()}


@pytest.mark.parametrize(("user_key", "kind"), MATRIX)
def test_access_returns_visible_objects_and_404s_the_rest(world, user_key, kind):
    # Given a user and every object of one kind
    user = world.user(user_key)
    access, model = ACCESS[kind]
    before = snapshot()
    missing_pk = model.objects.order_by("-pk").first().pk + 1000

    # When each is asked for by id
    granted, refused = set(), {}
    for key, obj in world.objects(kind).items():
        try:
            got = access(user, obj.pk)
        except Http404 as exc:
            refused[key] = str(exc)
        else:
            assert got == obj
            granted.add(key)
    with pytest.raises(Http404) as missing:
        access(user, missing_pk)

    # Then exactly the visible ones are returned; foreign and missing ids give the same 404
    assert granted == EXPECTED[user_key][kind]
    assert set(refused.values()) <= {str(missing.value)}
    assert str(missing.value) == f"No {model._meta.object_name} matches the given query."
    # And looking things up changed nothing
    assert snapshot() == before


@pytest.mark.parametrize("kind", list(ACCESS))
def test_access_with_no_id_is_a_404(world, kind):
    access, _ = ACCESS[kind]
    with pytest.raises(Http404):
        access(world.users["admin"], None)


def test_access_site_loads_company_in_the_same_query(world, django_assert_num_queries):
    user = world.users["admin"]
    with django_assert_num_queries(1):
        site = access_site(user, world.sites["a_floor"].pk)
        assert site.company.name == world.companies["A"].name
    with django_assert_num_queries(1):
        equipment = access_equipment(user, world.equipment["eq_a_floor"].pk)
        assert (equipment.company.pk, equipment.site.pk) == (
            world.companies["A"].pk,
            world.sites["a_floor"].pk,
        )
