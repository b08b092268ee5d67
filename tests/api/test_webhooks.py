"""Webhooks over the API, for administrators only: anyone else gets 404 (as for a missing one)
and changes nothing; the service's checks hold (the SSRF guard); the secret is in the creating
answer only; deliveries page newest first."""

from __future__ import annotations

import pytest

from servicedesk.accounts.models import ApiTokenScope
from servicedesk.webhooks.models import Webhook, WebhookDelivery
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db
GOOD = {"name": "ERP", "url": "https://93.184.216.34/in", "events": ["ticket.created"]}


def test_an_administrator_registers_lists_and_deletes(world, api_for):
    api = api_for(world.users["admin"])
    created = api.post("/api/v1/webhooks", GOOD)
    assert created.status_code == 201, created.content
    body = created.json()
    webhook = Webhook.objects.get()
    assert body["secret"] == webhook.secret
    listed = api.get("/api/v1/webhooks").json()
    assert [w["id"] for w in listed] == [webhook.pk]
    assert "secret" not in listed[0]
    assert api.delete(f"/api/v1/webhooks/{webhook.pk}").status_code == 204
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1/", "webhook_url"),
        ("http://169.254.169.254/latest/meta-data/", "webhook_url"),
        ("http://localhost/", "webhook_url"),
        ("gopher://93.184.216.34/", "webhook_url"),
    ],
)
def test_refused_urls_are_400_in_the_error_shape_and_nothing_stored(world, api_for, url, code):
    response = api_for(world.users["admin"]).post("/api/v1/webhooks", {**GOOD, "url": url})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code
    assert "url" in error["fields"]
    assert Webhook.objects.count() == 0


def test_unknown_events_and_wrong_types_are_422(world, api_for):
    api = api_for(world.users["admin"])
    assert api.post("/api/v1/webhooks", {**GOOD, "events": ["nope"]}).status_code == 422
    assert api.post("/api/v1/webhooks", {**GOOD, "events": "ticket.created"}).status_code == 422
    assert api.post("/api/v1/webhooks", "{not json").status_code == 400
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize("role", ["dispatcher", "engineer", "cust_a"])
def test_anyone_else_gets_404_and_changes_nothing(world, api_for, role):
    webhook = Webhook.objects.create(
        owner=world.users["admin"], name="ERP", url=GOOD["url"], events=GOOD["events"]
    )
    api = api_for(world.users[role])
    for response in (
        api.get("/api/v1/webhooks"),
        api.post("/api/v1/webhooks", GOOD),
        api.delete(f"/api/v1/webhooks/{webhook.pk}"),
        api.get(f"/api/v1/webhooks/{webhook.pk}/deliveries"),
    ):
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert list(Webhook.objects.values_list("pk", flat=True)) == [webhook.pk]


def test_a_read_only_token_cannot_register(world, api_for):
    response = api_for(world.users["admin"], ApiTokenScope.READ).post("/api/v1/webhooks", GOOD)
    assert response.status_code == 403
    assert Webhook.objects.count() == 0


def test_deliveries_page_newest_first_at_a_fixed_query_count(
    world, api_for, django_assert_max_num_queries
):
    webhook = Webhook.objects.create(
        owner=world.users["admin"], name="ERP", url=GOOD["url"], events=GOOD["events"]
    )
    for n in range(5):
        WebhookDelivery.objects.create(webhook=webhook, event="ticket.created", attempts=n)
    api = api_for(world.users["admin"])
    path = f"/api/v1/webhooks/{webhook.pk}/deliveries"
    with django_assert_max_num_queries(8):
        first = api.get(path, {"limit": 3}).json()
    second = api.get(path, {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [d["attempts"] for d in first["items"] + second["items"]] == [4, 3, 2, 1, 0]
    assert second["next_cursor"] is None
    assert api.get("/api/v1/webhooks/99999/deliveries").status_code == 404
