"""Personal API tokens: made and revoked in the profile, listed and revoked by admins, and how
the API treats them (hashed at rest, read-only, expired, revoked, a deactivated owner, a removed
membership, the last use written at most once a minute, rate limits)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from servicedesk.accounts.models import ApiToken, ApiTokenScope, AuditEvent, Membership
from servicedesk.accounts.services import api_token_create, api_token_revoke
from servicedesk.accounts.services.api_tokens import token_hash
from tests.api.conftest import ApiClient, error_of
from tests.conftest import AUTH_BACKEND

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_kept_and_the_secret_works_once_made(world):
    new = api_token_create(user=world.users["cust_a"], name="ERP", scope=ApiTokenScope.READ)

    row = ApiToken.objects.get()
    assert new.secret.startswith("sdt_")
    assert row.hash == token_hash(new.secret)
    assert new.secret not in {row.hash, row.prefix, row.name}
    assert new.secret.startswith(row.prefix)
    assert AuditEvent.objects.filter(kind="api_token_created", user=world.users["cust_a"]).exists()
    assert ApiClient(new.secret).get("/api/v1/me").status_code == 200


def test_a_revoked_token_is_refused_on_the_next_call(world):
    new = api_token_create(user=world.users["cust_a"], name="r", scope="read")
    client = ApiClient(new.secret)
    assert client.get("/api/v1/me").status_code == 200

    api_token_revoke(token=new.token, actor=world.users["cust_a"])

    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_an_expired_token_is_refused(world):
    expires = timezone.now() + dt.timedelta(days=1)
    secret = api_token_create(user=world.users["cust_a"], name="r", expires_at=expires).secret

    with time_machine.travel(expires + dt.timedelta(seconds=1)):
        response = ApiClient(secret).get("/api/v1/me")

    assert response.status_code == 401


def test_deactivating_the_owner_counts_from_the_next_call(world):
    user = world.users["cust_a"]
    client = ApiClient(api_token_create(user=user, name="r").secret)
    assert client.get("/api/v1/me").status_code == 200

    type(user).objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/api/v1/me").status_code == 401


def test_removing_a_membership_counts_from_the_next_call(world):
    user = world.users["cust_ab"]
    client = ApiClient(api_token_create(user=user, name="r").secret)
    assert len(client.get("/api/v1/me").json()["memberships"]) == 2

    Membership.objects.filter(user=user, company=world.companies["B"]).delete()

    assert [m["company_name"] for m in client.get("/api/v1/me").json()["memberships"]] == [
        "Alphacorp"
    ]


def test_the_last_use_is_written_at_most_once_a_minute(world):
    new = api_token_create(user=world.users["cust_a"], name="r")
    client = ApiClient(new.secret)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get("/api/v1/me")
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        client.get("/api/v1/me")
    assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        client.get("/api/v1/me")

    assert ApiToken.objects.get().last_used_at == start + dt.timedelta(seconds=61)


def test_too_many_calls_per_token_are_429_with_retry_after(world, settings):
    settings.API_RATE_PER_TOKEN = "3/min"
    client = ApiClient(api_token_create(user=world.users["cust_a"], name="r").secret)

    statuses = [client.get("/api/v1/me").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me")
    assert error_of(response)["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token of another person is not slowed down.
    other = ApiClient(api_token_create(user=world.users["cust_b"], name="r").secret)
    assert other.get("/api/v1/me").status_code == 200


def test_too_many_calls_from_one_address_are_429_whichever_token(world, settings):
    settings.API_RATE_PER_ADDRESS = "2/min"
    first = ApiClient(api_token_create(user=world.users["cust_a"], name="r").secret)
    second = ApiClient(api_token_create(user=world.users["cust_b"], name="r").secret)

    assert first.get("/api/v1/me").status_code == 200
    assert second.get("/api/v1/me").status_code == 200
    assert second.get("/api/v1/me").status_code == 429


def test_the_profile_makes_a_token_and_shows_the_secret_once(world, client_for):
    client = client_for(world.users["cust_a"])

    response = client.post(
        "/me/api-tokens/", {"name": "1C", "scope": "read_write", "expires_on": ""}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.users["cust_a"])
    secret = response.context["secret"]
    assert token_hash(secret) == token.hash
    assert secret in response.content.decode()
    assert token.scope == "read_write"
    again = client.get("/me/api-tokens/").content.decode()
    assert secret not in again
    assert token.prefix in again


def test_the_profile_refuses_a_past_expiry_and_makes_nothing(world, client_for):
    client = client_for(world.users["cust_a"])

    response = client.post(
        "/me/api-tokens/", {"name": "old", "scope": "read", "expires_on": "2000-01-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_reloaded_form_makes_no_second_token_of_the_same_name(world, client_for):
    client = client_for(world.users["cust_a"])
    form = {"name": "1C", "scope": "read", "expires_on": ""}
    client.post("/me/api-tokens/", form)

    again = client.post("/me/api-tokens/", form)  # the browser's "send the form again"

    assert again.context["secret"] == ""
    assert "«1C»" in str(again.context["form"].errors["name"])
    assert ApiToken.objects.filter(user=world.users["cust_a"]).count() == 1
    # Another person may use the name; so may the owner once that token is revoked
    other = api_token_create(user=world.users["cust_b"], name="1C")
    assert other.token.name == "1C"
    api_token_revoke(
        token=ApiToken.objects.get(user=world.users["cust_a"]), actor=world.users["cust_a"]
    )
    assert client.post("/me/api-tokens/", form).context["secret"]


def test_the_owner_revokes_their_token_but_not_anothers(world, client_for):
    mine = api_token_create(user=world.users["cust_a"], name="mine").token
    theirs = api_token_create(user=world.users["cust_b"], name="theirs").token
    client = client_for(world.users["cust_a"])

    assert client.post(f"/me/api-tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/me/api-tokens/{mine.pk}/revoke/").status_code == 302

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None


# --- The back office's list, for admins ---------------------------------------------------------


def test_admins_list_everyones_tokens_in_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    for key in ("cust_a", "cust_b", "engineer", "dispatcher"):
        api_token_create(user=world.users[key], name=f"t-{key}")
    client = client_for(world.users["admin"])

    with django_assert_max_num_queries(8):
        response = client.get("/backoffice/api-tokens/")

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 4


@pytest.mark.parametrize("key", ["dispatcher", "engineer", "cust_a"])
def test_others_may_neither_list_nor_revoke_tokens(world, client_for, key):
    token = api_token_create(user=world.users["cust_b"], name="t").token
    client = client_for(world.users[key])

    assert client.get("/backoffice/api-tokens/").status_code in (302, 403, 404)
    assert client.post(f"/backoffice/api-tokens/{token.pk}/revoke/").status_code in (
        302,
        403,
        404,
    )
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_admin_revokes_anyones_token(world, client_for):
    token = api_token_create(user=world.users["cust_b"], name="t").token

    response = client_for(world.users["admin"]).post(f"/backoffice/api-tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(
        kind="api_token_revoked", actor=world.users["admin"], user=world.users["cust_b"]
    ).exists()


def test_wrong_tokens_from_one_address_are_429_then_even_a_right_one(
    world, settings, django_assert_num_queries
):
    settings.API_TOKEN_FAILURE_LIMIT = "3/10min"
    right = api_token_create(user=world.users["cust_a"], name="ERP").secret
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        # Right tokens do not count; the three wrong ones allowed are answered 401 as ever.
        assert ApiClient(right).get("/api/v1/me").status_code == 200
        guesses = [ApiClient(f"sdt_guess{i}").get("/api/v1/me") for i in range(2)]
        assert ApiClient(right).get("/api/v1/me").status_code == 200  # under the limit
        guesses.append(ApiClient("sdt_guess2").get("/api/v1/me"))
        assert [r.status_code for r in guesses] == [401, 401, 401]

        # A fourth try, and any token from this address until the window ends: 429, and the
        # token is not even looked up.
        with django_assert_num_queries(0):
            refused = ApiClient("sdt_guess3").get("/api/v1/me", **{"Accept-Language": "en"})
        assert refused.status_code == 429
        assert error_of(refused) == {
            "code": "throttled",
            "message": (
                "Too many attempts with a wrong API token from your address; try again later."
            ),
        }
        assert 1 <= int(refused["Retry-After"]) <= 600
        right_here = ApiClient(right)
        assert right_here.get("/api/v1/me").status_code == 429
        assert right_here.post("/api/v1/tickets", {"subject": "x"}).status_code == 429

        # Another address: the right token works, and its wrong ones count on their own.
        elsewhere = ApiClient(right)
        elsewhere.client = Client(REMOTE_ADDR="192.0.2.7")
        assert elsewhere.get("/api/v1/me").status_code == 200
        wrong_elsewhere = ApiClient("sdt_guess4")
        wrong_elsewhere.client = Client(REMOTE_ADDR="192.0.2.7")
        assert wrong_elsewhere.get("/api/v1/me").status_code == 401
        # A signed-in session from the refused address is not a bearer token: not refused.
        session = Client()
        session.force_login(world.users["cust_a"], backend=AUTH_BACKEND)
        assert session.get("/api/v1/me").status_code == 200

    # When the window has passed, the address may try again.
    with time_machine.travel(start + dt.timedelta(minutes=10, seconds=1), tick=False):
        assert ApiClient(right).get("/api/v1/me").status_code == 200


def test_no_failure_limit_when_the_setting_is_empty(world, settings):
    settings.API_TOKEN_FAILURE_LIMIT = ""
    statuses = {ApiClient(f"sdt_guess{i}").get("/api/v1/me").status_code for i in range(25)}
    assert statuses == {401}
