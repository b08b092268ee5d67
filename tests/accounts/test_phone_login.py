"""People invited by SMS sign in with their phone number."""

import pytest
from django.contrib.auth import get_user

from servicedesk.accounts.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

MISMATCH = "The email or phone and the password you entered do not match an account."


@pytest.fixture
def phone_only_customer():
    return MembershipFactory(user__email=None, user__phone="+79123456789").user


@pytest.mark.parametrize("typed", ["+79123456789", "+7 912 345-67-89", "8 (912) 345-67-89"])
def test_a_phone_only_customer_signs_in_with_the_phone_in_any_usual_format(
    client, phone_only_customer, typed
):
    response = client.post("/accounts/login/", {"login": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert get_user(client) == phone_only_customer


@pytest.mark.parametrize(
    ("typed", "password"),
    [
        ("+79123456789", "wrong-password"),  # right phone, wrong password
        ("+79990000000", PASSWORD),  # nobody has this phone
        ("not a phone", PASSWORD),  # neither an email nor a phone
    ],
)
def test_wrong_phone_logins_get_the_same_generic_answer(
    client, phone_only_customer, english, typed, password
):
    response = client.post(
        "/accounts/login/",
        {"login": typed, "password": password},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 200
    assert MISMATCH in response.content.decode()
    assert not get_user(client).is_authenticated


def test_failed_phone_logins_are_throttled_per_phone(client, phone_only_customer, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "100/m/ip,3/5m/key",
    }
    for _ in range(3):
        client.post("/accounts/login/", {"login": "+79123456789", "password": "nope"})

    # The right password no longer helps for this phone...
    response = client.post("/accounts/login/", {"login": "+79123456789", "password": PASSWORD})
    assert response.status_code == 200
    assert not get_user(client).is_authenticated
    # ...while another account is not affected
    other = MembershipFactory(user__email="other@example.test").user
    client.post("/accounts/login/", {"login": "other@example.test", "password": PASSWORD})
    assert get_user(client) == other
    assert AuditEvent.objects.filter(kind="login_failed", identifier="+79123456789").count() == 3


def test_an_inactive_phone_user_cannot_sign_in(client, phone_only_customer):
    phone_only_customer.is_active = False
    phone_only_customer.save()
    client.post("/accounts/login/", {"login": "+79123456789", "password": PASSWORD})
    assert not get_user(client).is_authenticated
