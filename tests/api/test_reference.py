"""Reference lists and countries: active entries in their order, names in the caller's language,
inactive ones for staff only when asked; no token, no list."""

from __future__ import annotations

import pytest

from servicedesk.customers.models import Criticality, TicketType

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["ticket-types", "criticalities", "work-types", "products", "countries"]
)
def test_every_list_answers_in_the_documented_shape(world, api_for, path):
    response = api_for(world.users["cust_a"]).get(f"/api/v1/reference/{path}")
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_inactive_entries_are_for_staff_who_ask(world, api_for):
    retired = TicketType.objects.create(code="retired", name_ru="Старый", is_active=False)
    customer = api_for(world.users["cust_a"])
    staff = api_for(world.users["dispatcher"])

    def codes(api, **query):
        return [t["code"] for t in api.get("/api/v1/reference/ticket-types", query).json()]

    assert retired.code not in codes(customer)
    assert retired.code not in codes(customer, all="true")
    assert retired.code not in codes(staff)
    assert retired.code in codes(staff, all="true")


def test_names_follow_the_language_and_the_order(world, api_for):
    Criticality.objects.all().delete()
    Criticality.objects.create(code="low", name_ru="Низкая", name_en="Low", sort_order=20)
    Criticality.objects.create(code="high", name_ru="Высокая", name_en="High", sort_order=10)
    api = api_for(world.users["cust_a"])
    body = api.get("/api/v1/reference/criticalities", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(c["code"], c["name_ru"]) for c in body] == [("high", "Высокая"), ("low", "Низкая")]


def test_countries_are_iso_codes(world, api_for):
    body = api_for(world.users["cust_a"]).get("/api/v1/reference/countries").json()
    assert {"RU", "KZ", "DE"} <= {c["code"] for c in body}


def test_without_a_token_nothing(db, api_for):
    assert api_for(None).get("/api/v1/reference/ticket-types").status_code == 401
