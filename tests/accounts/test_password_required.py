"""After a temporary password: the person must choose their own before anything else."""

import pytest

from servicedesk.accounts.models import AuditEvent
from servicedesk.accounts.services import user_temporary_password_issue
from tests.conftest import login
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REQUIRED = "/me/password/required/"
NEW_PASSWORD = "Quiet-Meadow-Falcon-17"
EN = {"accept-language": "en"}


@pytest.fixture
def customer():
    return MembershipFactory(
        user__email="olga@alfa.test", user__full_name="Olga Smirnova", user__language="en"
    ).user


def sign_in(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password}, headers=EN)


def change(client, password: str = NEW_PASSWORD, confirmation: str | None = None):
    data = {"new_password1": password, "new_password2": confirmation or password}
    return client.post(REQUIRED, data, headers=EN)


def test_signing_in_with_a_temporary_password_leads_to_the_change_page(client, customer):
    # Given staff issued a temporary password
    temporary = user_temporary_password_issue(by=UserFactory(dispatcher=True), user=customer)

    # When the customer signs in with it
    response = sign_in(client, "olga@alfa.test", temporary)

    # Then every page sends them to choose a new password first
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == REQUIRED
    page = client.get(REQUIRED, headers=EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose a new password" in html
    assert "You signed in with a temporary password." in html
    assert 'data-testid="password-required-form"' in html


def test_choosing_a_new_password_keeps_the_person_signed_in_and_goes_home(client, customer):
    temporary = user_temporary_password_issue(by=UserFactory(dispatcher=True), user=customer)
    sign_in(client, "olga@alfa.test", temporary)
    AuditEvent.objects.all().delete()

    response = change(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    customer.refresh_from_db()
    assert customer.must_change_password is False
    assert customer.check_password(NEW_PASSWORD)
    assert not customer.check_password(temporary)
    assert customer.activated_at is not None
    # Still signed in (the session survived the password change), and the portal opens
    assert client.session["_auth_user_id"] == str(customer.pk)
    portal = client.get("/portal/", headers=EN)
    assert portal.status_code == 200
    assert "Your new password is set." in portal.content.decode()
    assert list(AuditEvent.objects.values_list("kind", "actor", "user")) == [
        ("password_changed", customer.pk, customer.pk)
    ]


def test_the_temporary_password_cannot_be_chosen_again(client, customer):
    temporary = user_temporary_password_issue(by=UserFactory(dispatcher=True), user=customer)
    sign_in(client, "olga@alfa.test", temporary)

    response = change(client, temporary)

    assert response.status_code == 200
    assert "Choose a new password, not the temporary one." in response.content.decode()
    customer.refresh_from_db()
    assert customer.must_change_password is True


@pytest.mark.parametrize(
    ("password", "confirmation", "error"),
    [
        ("short1", None, "This password is too short. It must contain at least 8 characters."),
        ("olga.alfa.test", None, "The password is too similar to the email."),
        (NEW_PASSWORD, "Different-Password-99", "The two password fields didn’t match."),
    ],
)
def test_a_bad_new_password_is_refused(client, customer, password, confirmation, error):
    customer.must_change_password = True
    customer.save()
    login(client, customer)

    response = change(client, password, confirmation)

    assert response.status_code == 200
    assert error in response.content.decode()
    customer.refresh_from_db()
    assert customer.must_change_password is True
    assert customer.check_password(PASSWORD)


def test_without_the_flag_the_page_sends_home(client, customer):
    login(client, customer)
    assert client.get(REQUIRED)["Location"] == "/"
    response = change(client)
    assert response["Location"] == "/"
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_signed_out_people_are_sent_to_the_login_page(client):
    response = client.get(REQUIRED)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/me/password/required/"


def test_staff_with_a_temporary_password_land_in_the_back_office(client):
    engineer = UserFactory(engineer=True, email="eng@provider.test")
    temporary = user_temporary_password_issue(by=UserFactory(admin=True), user=engineer)
    sign_in(client, "eng@provider.test", temporary)

    assert change(client)["Location"] == "/"
    assert client.get("/")["Location"] == "/backoffice/"
