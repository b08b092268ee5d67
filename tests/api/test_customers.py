"""Companies, sites, equipment and contracts over the API: per role, exactly what the scoping
layer shows; another company's id answers 404 exactly like a missing one; lists page with a
cursor at a fixed number of queries; writes do not exist (405, nothing changed)."""

from __future__ import annotations

import pytest

from servicedesk.customers.models import Company, Contract, Equipment, Site
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

ALL_OF = {
    "companies": Company,
    "sites": Site,
    "equipment": Equipment,
    "contracts": Contract,
}


def ids(api, path, **params):
    found, cursor = [], None
    while True:
        query = {**params, "limit": 2}
        if cursor:
            query["cursor"] = cursor
        response = api.get(f"/api/v1/{path}", query)
        assert response.status_code == 200, response.content
        body = response.json()
        found += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return found


def names(world, kind, keys):
    return sorted(world.objects(kind)[key].pk for key in keys)


@pytest.mark.parametrize("path", ["companies", "sites", "equipment", "contracts"])
@pytest.mark.parametrize("role", ["admin", "dispatcher", "engineer"])
def test_staff_see_every_customer(world, api_for, path, role):
    assert ids(api_for(world.users[role]), path) == sorted(
        ALL_OF[path].objects.values_list("pk", flat=True)
    )


def test_a_customer_sees_their_company_only(world, api_for):
    api = api_for(world.users["cust_a"])
    assert ids(api, "companies") == [world.companies["A"].pk]
    assert ids(api, "sites") == names(world, "sites", ["a_hq", "a_floor", "a_room", "a_shop"])
    assert ids(api, "equipment") == names(
        world, "equipment", ["eq_a_hq", "eq_a_floor", "eq_a_room", "eq_a_shop", "eq_a_nosite"]
    )
    assert ids(api, "contracts") == names(world, "contracts", ["c_a_all", "c_a_shop", "c_a_hq"])


def test_a_listed_scope_sees_the_listed_equipment_only(world, api_for):
    api = api_for(world.users["cust_eq"])
    assert ids(api, "equipment") == names(world, "equipment", ["eq_a_shop"])
    assert world.equipment["eq_b"].pk not in ids(
        api, "equipment", company_id=world.companies["B"].pk
    )


def test_a_customer_of_two_companies_filters_by_company(world, api_for):
    api = api_for(world.users["cust_ab"])
    assert ids(api, "sites", company_id=world.companies["B"].pk) == names(world, "sites", ["b_wh"])
    assert ids(api, "companies", q="beta") == [world.companies["B"].pk]


@pytest.mark.parametrize(
    ("path", "kind", "key"),
    [
        ("companies", "companies", "B"),
        ("sites", "sites", "b_wh"),
        ("equipment", "equipment", "eq_b"),
        ("contracts", "contracts", "c_b"),
    ],
)
def test_a_foreign_id_is_404_identical_to_a_missing_one(world, api_for, path, kind, key):
    api = api_for(world.users["cust_a"])
    foreign = api.get(f"/api/v1/{path}/{world.objects(kind)[key].pk}")
    missing = api.get(f"/api/v1/{path}/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert error_of(foreign)["code"] == "not_found"


def test_details_for_a_customer(world, api_for):
    api = api_for(world.users["cust_a"])
    company = api.get(f"/api/v1/companies/{world.companies['A'].pk}").json()
    assert company["name"] == world.companies["A"].name
    contract = api.get(f"/api/v1/contracts/{world.contracts['c_a_hq'].pk}").json()
    assert contract["site_ids"] == [world.sites["a_hq"].pk]
    assert contract["equipment_ids"] == []
    equipment = api.get(f"/api/v1/equipment/{world.equipment['eq_a_room'].pk}").json()
    assert equipment["site_id"] == world.sites["a_room"].pk


@pytest.mark.parametrize("path", ["companies", "sites", "equipment", "contracts"])
def test_lists_run_a_fixed_number_of_queries(world, api_for, path, django_assert_max_num_queries):
    api = api_for(world.users["cust_a"])
    api.get(f"/api/v1/{path}")  # warm the session-independent caches
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/{path}", {"limit": 100})
    assert response.status_code == 200


def test_writes_are_not_offered_and_change_nothing(world, api_for):
    api = api_for(world.users["admin"])
    before = list(Company.objects.values_list("pk", "name"))
    response = api.post("/api/v1/companies", {"name": "Hacked"})
    assert response.status_code == 405
    response = api.patch(f"/api/v1/companies/{world.companies['A'].pk}", {"name": "Hacked"})
    assert response.status_code == 405
    assert list(Company.objects.values_list("pk", "name")) == before


def test_huge_page_sizes_and_forged_cursors_are_refused(world, api_for):
    api = api_for(world.users["admin"])
    assert error_of(api.get("/api/v1/sites", {"limit": 100000}))["code"] == "validation"
    assert error_of(api.get("/api/v1/sites", {"cursor": "forged"}))["code"] == "invalid_cursor"
    cursor = api.get("/api/v1/companies", {"limit": 1}).json()["next_cursor"]
    assert error_of(api.get("/api/v1/sites", {"cursor": cursor}))["code"] == "invalid_cursor"
