"""The ticket endpoints per role: customers of A and of B, a customer limited to listed
equipment, an engineer, a dispatcher, an admin. Foreign ids answer exactly as missing ones;
fields a role may not set are refused; stale versions are refused; every refusal changes
nothing; lists run a fixed number of queries whatever the page size."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from servicedesk.accounts.models import ApiTokenScope
from servicedesk.tickets.models import Ticket, TicketEvent
from servicedesk.tickets.services import ticket_assign
from tests.api.conftest import ApiClient, error_of, token_for
from tests.conftest import login
from tests.factories import CriticalityFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(world) -> dict[str, Any]:
    a, b = world.companies["A"], world.companies["B"]
    return {
        "a": TicketFactory(company=a, contact=world.users["cust_a"], subject="alpha printer"),
        "a_shop": TicketFactory(
            equipment=world.equipment["eq_a_shop"], contact=world.users["cust_eq"]
        ),
        "b": TicketFactory(company=b, contact=world.users["cust_b"], subject="beta forklift"),
    }


def numbers(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


def snapshot() -> list[tuple[Any, ...]]:
    return list(Ticket.objects.order_by("pk").values_list("pk", "version", "status", "subject"))


@pytest.mark.parametrize(
    ("key", "visible"),
    [
        ("cust_a", {"a", "a_shop"}),
        ("cust_b", {"b"}),
        ("cust_eq", {"a_shop"}),
        ("cust_ab", {"a", "a_shop", "b"}),
        ("engineer", {"a", "a_shop", "b"}),
        ("dispatcher", {"a", "a_shop", "b"}),
        ("admin", {"a", "a_shop", "b"}),
    ],
)
def test_each_role_lists_what_its_pages_list(world, tickets, api_for, key, visible):
    client = api_for(world.users[key])
    view = {"view": "company"} if key.startswith("cust") and key != "cust_eq" else {}

    got = numbers(client.get("/api/v1/tickets", view))

    assert got == {tickets[k].number for k in visible}


@pytest.mark.parametrize("key", ["cust_a", "cust_b", "cust_eq"])
def test_a_foreign_ticket_is_404_exactly_as_a_missing_one(world, tickets, api_for, key):
    client = api_for(world.users[key])
    foreign = {"cust_a": "b", "cust_b": "a", "cust_eq": "a"}[key]
    number = tickets[foreign].number

    for path in ("", "/events", "/followers"):
        missing = client.get(f"/api/v1/tickets/99999999{path}")
        other = client.get(f"/api/v1/tickets/{number}{path}")
        assert other.status_code == missing.status_code == 404
        assert other.json() == missing.json()
        assert error_of(other)["code"] == "not_found"
    before = snapshot()
    for method, path, body in (
        ("patch", "", {"subject": "x"}),
        ("post", "/transitions", {"code": "start"}),
        ("post", "/assign", {"assignee": world.users["engineer"].pk}),
        ("post", "/accept", {}),
    ):
        response = getattr(client, method)(
            f"/api/v1/tickets/{number}{path}", body, **{"If-Match": '"1"'}
        )
        assert response.status_code == 404, (method, path, response.content)
    assert client.put(f"/api/v1/tickets/{number}/followers/me").status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "foreign_key"),
    [("company", "B"), ("site", "b_wh"), ("equipment", "eq_b")],
)
def test_a_foreign_id_in_a_filter_is_404_as_a_missing_one(
    world, tickets, api_for, field, foreign_key
):
    client = api_for(world.users["cust_a"])
    kind = {"company": "companies", "site": "sites", "equipment": "equipment"}[field]
    foreign = world.objects(kind)[foreign_key].pk

    other = client.get("/api/v1/tickets", {field: foreign})
    missing = client.get("/api/v1/tickets", {field: 99999999})

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert list(error_of(other)["fields"]) == [field]


def test_filters_search_and_sorting_are_the_pages(world, tickets, api_for):
    client = api_for(world.users["dispatcher"])

    assert numbers(client.get("/api/v1/tickets", {"q": "forklift"})) == {tickets["b"].number}
    assert numbers(client.get("/api/v1/tickets", {"company": world.companies["A"].pk})) == {
        tickets["a"].number,
        tickets["a_shop"].number,
    }
    ordered = client.get("/api/v1/tickets", {"sort": "number"}).json()["items"]
    assert [i["number"] for i in ordered] == sorted(i["number"] for i in ordered)
    assert client.get("/api/v1/tickets", {"sort": "nonsense"}).status_code == 422
    assert client.get("/api/v1/tickets", {"view": "nonsense"}).status_code == 422


@pytest.mark.parametrize("sort", ["-created", "number", "company", "-due"])
def test_cursor_pages_walk_the_whole_list_once(world, api_for, sort):
    made = {
        TicketFactory(company=world.companies["A"], contact=world.users["cust_a"]).number
        for _ in range(7)
    }
    client = api_for(world.users["dispatcher"])
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 3, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/tickets", params).json()
        seen += [item["number"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break

    assert sorted(seen) == sorted(made)


def test_bad_page_parameters_are_refused(world, api_for):
    client = api_for(world.users["cust_a"])

    huge = client.get("/api/v1/tickets", {"limit": 1_000_000})
    forged = client.get("/api/v1/tickets", {"cursor": "forged"})
    typed = client.get("/api/v1/tickets", {"limit": "many"})

    assert huge.status_code == 422
    assert error_of(huge)["code"] == "validation"
    assert "limit" in error_of(huge)["fields"]
    assert forged.status_code == 400
    assert error_of(forged)["code"] == "invalid_cursor"
    assert typed.status_code == 422


@pytest.mark.parametrize("key", ["cust_a", "dispatcher"])
def test_the_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    world, api_for, django_assert_num_queries, key
):
    for _ in range(30):
        TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    client = api_for(world.users[key])
    client.get("/api/v1/tickets", {"limit": 1})  # the token's last use written, caches filled

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for limit in (5, 30):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/tickets", {"limit": limit}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 8


def test_the_detail_carries_the_version_as_etag(world, tickets, api_for):
    response = api_for(world.users["cust_a"]).get(f"/api/v1/tickets/{tickets['a'].number}")

    assert response.status_code == 200
    assert response["ETag"] == f'"{tickets["a"].version}"'
    body = response.json()
    assert body["company"]["name"] == "Alphacorp"
    assert body["transitions"] == []


# --- Filing ------------------------------------------------------------------------------------


def _new(world: Any, **extra: Any) -> dict[str, Any]:
    criticality = CriticalityFactory()
    from servicedesk.customers.models import TicketType

    ticket_type = TicketType.objects.create(code="api-type", name_ru="Тип", name_en="Type")
    return {
        "subject": "Не печатает принтер",
        "ticket_type": ticket_type.pk,
        "criticality": criticality.pk,
        "company": world.companies["A"].pk,
        **extra,
    }


def test_a_customer_files_a_ticket(world, api_for):
    response = api_for(world.users["cust_a"]).post("/api/v1/tickets", _new(world))

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.contact == world.users["cust_a"]
    assert ticket.origin == "api"
    assert response["Location"] == f"/api/v1/tickets/{ticket.number}"
    assert response["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("company", lambda w: w.companies["B"].pk),
        ("site", lambda w: w.sites["b_wh"].pk),
        ("equipment", lambda w: w.equipment["eq_b"].pk),
        ("contract", lambda w: w.contracts["c_b"].pk),
    ],
)
def test_filing_with_a_foreign_id_is_404_as_a_missing_one_and_files_nothing(
    world, api_for, field, value_of
):
    client = api_for(world.users["cust_a"])
    body = _new(world)

    other = client.post("/api/v1/tickets", {**body, field: value_of(world)})
    missing = client.post("/api/v1/tickets", {**body, field: 99999999})

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert field in error_of(other)["fields"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"contact": "self"}, 403, "field"),
        ({"origin": "phone"}, 403, "field"),
        ({"status": "closed"}, 422, "validation"),
        ({"assignee": 1}, 422, "validation"),
        ({"version": 7}, 422, "validation"),
        ({"criticality": "high"}, 422, "validation"),
        ({"subject": ""}, 422, "validation"),
        ({"subject": ["a"]}, 422, "validation"),
    ],
)
def test_a_customer_may_not_set_what_the_portal_does_not_let_them(
    world, api_for, extra, status, code
):
    body = _new(world)
    if extra.get("contact") == "self":
        extra = {"contact": world.users["cust_a"].pk}

    response = api_for(world.users["cust_a"]).post("/api/v1/tickets", {**body, **extra})

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    assert not Ticket.objects.exists()


def test_malformed_json_and_oversized_bodies_are_refused_in_the_error_shape(
    world, api_for, settings
):
    client = api_for(world.users["cust_a"])

    malformed = client.post("/api/v1/tickets", '{"subject": ')
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    huge = client.post("/api/v1/tickets", {**_new(world), "description": "x" * 5000})

    assert malformed.status_code == 400
    assert error_of(malformed)["code"] == "malformed"
    assert huge.status_code == 413
    assert error_of(huge)["code"] == "too_large"
    assert not Ticket.objects.exists()


def test_staff_file_for_a_customers_person(world, api_for):
    client = api_for(world.users["dispatcher"])
    body = _new(world)

    without = client.post("/api/v1/tickets", body)
    assert without.status_code == 422
    assert "contact" in error_of(without)["fields"]
    assert not Ticket.objects.exists()

    response = client.post(
        "/api/v1/tickets", {**body, "contact": world.users["cust_a"].pk, "origin": "phone"}
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert (ticket.contact, ticket.created_by, ticket.origin) == (
        world.users["cust_a"],
        world.users["dispatcher"],
        "phone",
    )


def test_a_read_only_token_files_nothing(world):
    client = ApiClient(token_for(world.users["cust_a"], ApiTokenScope.READ))

    response = client.post("/api/v1/tickets", _new(world))

    assert response.status_code == 403
    assert error_of(response)["code"] == "read_only_token"
    assert not Ticket.objects.exists()


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    login(client, world.users["cust_a"])

    response = client.post(
        "/api/v1/tickets", json.dumps(_new(world)), content_type="application/json"
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf"
    assert not Ticket.objects.exists()


# --- Editing, versions ---------------------------------------------------------------------------


def test_a_customer_changes_no_field(world, tickets, api_for):
    before = snapshot()

    response = api_for(world.users["cust_a"]).patch(
        f"/api/v1/tickets/{tickets['a'].number}", {"subject": "mine now"}, **{"If-Match": '"1"'}
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "field"
    assert snapshot() == before


def test_staff_edit_with_if_match_and_the_version_moves_on(world, tickets, api_for):
    client = api_for(world.users["dispatcher"])
    url = f"/api/v1/tickets/{tickets['a'].number}"
    before = snapshot()

    missing = client.patch(url, {"subject": "Новая тема"})
    stale = client.patch(url, {"subject": "Новая тема"}, **{"If-Match": '"7"'})
    assert (missing.status_code, stale.status_code) == (428, 412)
    assert error_of(missing)["code"] == "precondition_required"
    assert error_of(stale)["code"] == "precondition_failed"
    assert snapshot() == before

    done = client.patch(url, {"subject": "Новая тема"}, **{"If-Match": '"1"'})
    assert done.status_code == 200, done.content
    assert done["ETag"] == '"2"'
    assert done.json()["subject"] == "Новая тема"
    again = client.patch(url, {"subject": "Третья"}, **{"If-Match": '"1"'})
    assert again.status_code == 412
    assert Ticket.objects.get(pk=tickets["a"].pk).subject == "Новая тема"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"status": "closed"}, 422),
        ({"assignee": 1}, 422),
        ({"company": 1}, 422),
        ({"subject": None}, 422),
        ({"site": "b_wh"}, 400),
        ({}, 422),
    ],
)
def test_staff_cannot_set_what_editing_does_not_change(world, tickets, api_for, body, status):
    if body.get("site") == "b_wh":
        body = {"site": world.sites["b_wh"].pk}
    before = snapshot()

    response = api_for(world.users["dispatcher"]).patch(
        f"/api/v1/tickets/{tickets['a'].number}", body, **{"If-Match": '"1"'}
    )

    assert response.status_code == status, response.content
    error_of(response)
    assert snapshot() == before


def test_an_engineer_edits_only_the_tickets_assigned_to_them(world, tickets, api_for):
    client = api_for(world.users["engineer"])
    url = f"/api/v1/tickets/{tickets['a'].number}"

    refused = client.patch(url, {"subject": "x"}, **{"If-Match": '"1"'})
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=tickets["a"].pk).subject == "alpha printer"

    ticket_assign(
        by=world.users["dispatcher"], ticket=tickets["a"], assignee=world.users["engineer"]
    )
    done = client.patch(url, {"subject": "x"}, **{"If-Match": '"2"'})
    assert done.status_code == 200, done.content


# --- Workflow, assignment, bulk ---------------------------------------------------------------


def test_assign_then_start_then_resolve_then_the_customer_accepts(world, tickets, api_for):
    url = f"/api/v1/tickets/{tickets['a'].number}"
    dispatcher = api_for(world.users["dispatcher"])
    engineer = api_for(world.users["engineer"])
    customer = api_for(world.users["cust_a"])

    assert customer.post(f"{url}/transitions", {"code": "start"}).status_code == 403
    assert (
        customer.post(f"{url}/assign", {"assignee": world.users["engineer"].pk}).status_code == 403
    )
    assert (
        engineer.post(f"{url}/assign", {"assignee": world.users["engineer"].pk}).status_code == 403
    )
    assert Ticket.objects.get(pk=tickets["a"].pk).status == "new"

    assigned = dispatcher.post(f"{url}/assign", {"assignee": world.users["engineer"].pk})
    assert assigned.json()["status"] == "assigned"
    assert engineer.post(f"{url}/transitions", {"code": "start"}).json()["status"] == "in_progress"
    no_solution = engineer.post(f"{url}/transitions", {"code": "resolve"})
    assert no_solution.status_code == 400
    assert error_of(no_solution)["code"] == "resolution"
    resolved = engineer.post(f"{url}/transitions", {"code": "resolve", "resolution": "Заменили"})
    assert resolved.json()["status"] == "resolved"
    accepted = customer.post(f"{url}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "closed"


def test_a_transition_from_the_wrong_status_is_409(world, tickets, api_for):
    response = api_for(world.users["dispatcher"]).post(
        f"/api/v1/tickets/{tickets['a'].number}/transitions", {"code": "close"}
    )

    assert response.status_code == 409
    assert error_of(response)["code"] == "stage"


def test_bulk_gives_a_result_per_ticket(world, tickets, api_for):
    client = api_for(world.users["dispatcher"])

    response = client.post(
        "/api/v1/tickets/bulk",
        {
            "numbers": [tickets["a"].number, tickets["b"].number, "00000000"],
            "action": "assign",
            "value": world.users["engineer"].pk,
        },
    )

    assert response.status_code == 200, response.content
    results = {r["number"]: r for r in response.json()["results"]}
    assert results[tickets["a"].number]["ok"] and results[tickets["b"].number]["ok"]
    assert results["00000000"] == {
        "number": "00000000",
        "ok": False,
        "code": "not_found",
        "message": results["00000000"]["message"],
        "version": None,
    }
    assert results["00000000"]["message"]
    assert set(Ticket.objects.values_list("assignee_id", flat=True)) == {
        world.users["engineer"].pk,
        None,
    }


def test_customers_have_no_bulk(world, tickets, api_for):
    before = snapshot()

    response = api_for(world.users["cust_a"]).post(
        "/api/v1/tickets/bulk",
        {"numbers": [tickets["a"].number], "action": "status", "value": "cancel", "reason": "x"},
    )

    assert response.status_code == 403
    assert snapshot() == before


# --- Followers, timeline ------------------------------------------------------------------------


def test_follow_and_unfollow(world, tickets, api_for):
    client = api_for(world.users["cust_a"])
    url = f"/api/v1/tickets/{tickets['a'].number}"

    assert client.put(f"{url}/followers/me").status_code == 204
    assert client.get(url).json()["following"] is True
    assert [f["id"] for f in client.get(f"{url}/followers").json()] == [world.users["cust_a"].pk]
    assert client.delete(f"{url}/followers/me").status_code == 204
    assert client.get(url).json()["following"] is False


def test_the_customer_timeline_has_only_public_events(world, tickets, api_for):
    ticket = tickets["a"]
    TicketEvent.objects.create(ticket=ticket, kind="created", actor=world.users["cust_a"])
    TicketEvent.objects.create(
        ticket=ticket, kind="field_changed", field="due_at", new_value="x", is_public=False
    )

    customer = api_for(world.users["cust_a"]).get(f"/api/v1/tickets/{ticket.number}/events")
    staff = api_for(world.users["engineer"]).get(f"/api/v1/tickets/{ticket.number}/events")

    assert [e["kind"] for e in customer.json()["items"]] == ["created"]
    assert [e["kind"] for e in staff.json()["items"]] == ["created", "field_changed"]
