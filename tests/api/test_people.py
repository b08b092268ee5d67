"""People over the API (administrators and dispatchers): the list at a fixed query count,
inviting, deactivating (the person's token refused on the very next call) and importing with
the back office's import code; anyone else gets 404; a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.accounts.models import Invitation, Role, User
from tests.api.conftest import ApiClient, error_of, token_for
from tests.fixtures.imports import csv_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

IVAN = ["Ivanov", "Ivan", "ivan@alfa.test", "+7 912 345-67-89", "customer", "", "", "Buyer"]


@pytest.fixture(autouse=True)
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "servicedesk.core.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"


def test_the_list_pages_by_id_at_a_fixed_query_count(world, api_for, django_assert_max_num_queries):
    api = api_for(world.users["dispatcher"])
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/people", {"limit": 100}).json()
    assert [p["id"] for p in body["items"]] == sorted(User.objects.values_list("pk", flat=True))
    customers = api.get("/api/v1/people", {"company_id": world.companies["B"].pk}).json()
    assert {p["id"] for p in customers["items"]} == {
        world.users["cust_ab"].pk,
        world.users["cust_b"].pk,
    }


@pytest.mark.parametrize("role", ["engineer", "cust_a"])
def test_anyone_else_gets_404_and_changes_nothing(world, api_for, role):
    api = api_for(world.users[role])
    victim = world.users["cust_b"]
    for response in (
        api.get("/api/v1/people"),
        api.post("/api/v1/people", {"full_name": "X", "role": "admin", "email": "x@x.test"}),
        api.post(f"/api/v1/people/{victim.pk}/deactivate"),
    ):
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    victim.refresh_from_db()
    assert victim.is_active
    assert not User.objects.filter(email="x@x.test").exists()


def test_a_dispatcher_invites_a_customer_but_not_an_administrator(world, api_for):
    api = api_for(world.users["dispatcher"])
    made = api.post(
        "/api/v1/people",
        {
            "full_name": "Nina New",
            "role": "customer",
            "email": "nina@alpha.test",
            "company_ids": [world.companies["A"].pk],
        },
    )
    assert made.status_code == 201, made.content
    nina = User.objects.get(email="nina@alpha.test")
    assert made.json()["company_ids"] == [world.companies["A"].pk]
    assert Invitation.objects.filter(user=nina).exists()
    refused = api.post(
        "/api/v1/people", {"full_name": "Evil", "role": "admin", "email": "evil@x.test"}
    )
    assert refused.status_code == 403
    assert not User.objects.filter(email="evil@x.test").exists()


def test_a_customer_without_a_company_or_with_a_bad_email_is_refused(world, api_for):
    api = api_for(world.users["admin"])
    no_company = api.post(
        "/api/v1/people", {"full_name": "Orphan", "role": "customer", "email": "o@x.test"}
    )
    assert (no_company.status_code, error_of(no_company)["code"]) == (400, "no_company")
    foreign = api.post(
        "/api/v1/people",
        {"full_name": "F", "role": "customer", "email": "f@x.test", "company_ids": [999999]},
    )
    assert foreign.status_code == 404
    assert not User.objects.filter(email__in=["o@x.test", "f@x.test"]).exists()


def test_deactivation_takes_effect_on_the_next_call(world, api_for):
    victim = world.users["cust_a"]
    victims_api = ApiClient(token_for(victim))
    assert victims_api.get("/api/v1/me").status_code == 200
    response = api_for(world.users["dispatcher"]).post(f"/api/v1/people/{victim.pk}/deactivate")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert victims_api.get("/api/v1/me").status_code == 401


def test_a_dispatcher_may_not_deactivate_staff(world, api_for):
    engineer = world.users["engineer"]
    response = api_for(world.users["dispatcher"]).post(f"/api/v1/people/{engineer.pk}/deactivate")
    assert response.status_code == 404
    engineer.refresh_from_db()
    assert engineer.is_active


def test_import_previews_then_applies(world, api_for):
    api = api_for(world.users["admin"])
    data = csv_bytes([[*IVAN[:6], world.companies["A"].code, IVAN[7]]])

    def send(**form):
        upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")
        return api.multipart("/api/v1/people/import", {"file": upload, **form})

    preview = send()
    assert preview.status_code == 200, preview.content
    assert preview.json()["counts"]["create"] == 1
    assert not User.objects.filter(email="ivan@alfa.test").exists()
    applied = send(apply="true")
    assert applied.json()["applied"] is True
    ivan = User.objects.get(email="ivan@alfa.test")
    assert applied.json()["created_ids"] == [ivan.pk]
    assert ivan.role == Role.CUSTOMER


def test_an_import_with_a_bad_row_changes_nothing(world, api_for):
    api = api_for(world.users["admin"])
    good = [*IVAN[:6], world.companies["A"].code, IVAN[7]]
    bad = ["Bad", "Row", "not-an-email", "", "customer", "", "no-such-company", ""]
    upload = SimpleUploadedFile("people.csv", csv_bytes([good, bad]), content_type="text/csv")
    response = api.multipart("/api/v1/people/import", {"file": upload, "apply": "true"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "not_applied"
    assert not User.objects.filter(email="ivan@alfa.test").exists()
    junk = SimpleUploadedFile("x.csv", b"\x00\x01\x02garbage", content_type="text/csv")
    assert api.multipart("/api/v1/people/import", {"file": junk}).status_code == 400
