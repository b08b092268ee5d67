"""GET /api/v1/me — the pattern every endpoint's tests follow: roles, the error shape, the
credentials (token, session), and nothing changed by a refusal."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from servicedesk.accounts.models import ApiTokenScope
from tests.api.conftest import error_of
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_customer_token_says_who_and_which_companies(world, api_for):
    response = api_for(world.users["cust_ab"]).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == world.users["cust_ab"].pk
    assert body["role"] == "customer"
    assert body["is_staff"] is False
    assert body["token_scope"] == "read_write"
    assert sorted(m["company_name"] for m in body["memberships"]) == ["Alphacorp", "Betaworks"]


def test_staff_have_no_memberships(world, api_for):
    body = api_for(world.users["dispatcher"], ApiTokenScope.READ).get("/api/v1/me").json()

    assert body["is_staff"] is True
    assert body["token_scope"] == "read"
    assert body["memberships"] == []


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer sdt_nope", "Basic Zm9vOmJhcg==", "Bearer " + "x" * 500]
)
def test_no_or_a_bad_token_is_401_in_the_error_shape(db, header):
    headers = {"Authorization": header} if header else {}

    response = Client().get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_signed_in_session_works_too(world):
    client = login(Client(), world.users["engineer"])

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["token_scope"] is None


def test_an_unknown_address_under_the_api_is_a_json_404(world, api_for):
    response = api_for(world.users["cust_a"]).get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_schema_and_the_docs_are_served(db):
    schema = Client().get("/api/v1/openapi.json")
    docs = Client().get("/api/v1/docs")

    assert schema.status_code == 200
    assert schema.json()["info"]["version"] == "1"
    assert "/api/v1/me" in schema.json()["paths"]
    assert docs.status_code == 200


def test_the_schema_has_no_duplicate_keys(db):
    """A key given twice (e.g. a status code as a number and as a string) breaks Swagger UI's
    parser, though Python's json keeps the last one silently."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _value in items]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=pairs)

    assert duplicates == []
