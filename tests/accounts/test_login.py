"""Signing in through allauth: generic errors, throttling, inactive users, case-insensitivity."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MISMATCH = "The email or phone and the password you entered do not match an account."
THROTTLED = "Too many failed login attempts. Try again later."


def post_login(client, login, password, **headers):
    return client.post(
        LOGIN, {"login": login, "password": password}, headers={"accept-language": "en", **headers}
    )


def errors(response):
    assert response.status_code == 200
    return list(response.context["form"].non_field_errors())


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_renders(client):
    response = client.get(LOGIN, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert 'data-testid="login-form"' in response.content.decode()


def test_login_with_the_right_password_signs_in_and_goes_home(client):
    user = UserFactory(email="anna@example.test")
    response = post_login(client, "anna@example.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize("typed", ["ANNA@EXAMPLE.TEST", "Anna@Example.Test", " anna@example.test "])
def test_login_is_case_insensitive_on_email(client, typed):
    user = UserFactory(email="anna@example.test")
    response = post_login(client, typed, PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_wrong_password_and_unknown_email_get_the_same_generic_error(client):
    # Given an existing account
    UserFactory(email="anna@example.test")

    # When one person types a wrong password and another an unknown address
    wrong_password = post_login(client, "anna@example.test", "not-the-password")
    unknown_email = post_login(client, "nobody@example.test", "not-the-password")

    # Then both get the same single message, and nobody is signed in
    assert errors(wrong_password) == [MISMATCH]
    assert errors(unknown_email) == [MISMATCH]
    assert wrong_password.context["form"].errors == unknown_email.context["form"].errors
    assert signed_in_user_id(client) is None


def test_the_error_is_shown_on_the_page_and_the_email_is_kept(client):
    UserFactory(email="anna@example.test")
    response = post_login(client, "anna@example.test", "not-the-password")
    html = response.content.decode()
    assert MISMATCH in html
    assert 'value="anna@example.test"' in html


def test_repeated_failures_throttle_the_login_even_with_the_right_password(client):
    # Given five failed attempts for one address (the "5/5m/key" limit)
    user = UserFactory(email="anna@example.test")
    for _ in range(5):
        assert errors(post_login(client, "anna@example.test", "wrong")) == [MISMATCH]

    # When the sixth attempt has the right password
    response = post_login(client, "ANNA@example.test", PASSWORD)

    # Then it is refused as throttled and nobody is signed in
    assert errors(response) == [THROTTLED]
    assert signed_in_user_id(client) is None
    user.refresh_from_db()
    assert user.last_login is None


def test_throttling_is_per_address(client):
    UserFactory(email="anna@example.test")
    other = UserFactory(email="boris@example.test")
    for _ in range(5):
        post_login(client, "anna@example.test", "wrong")
    response = post_login(client, "boris@example.test", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(other.pk)


def test_a_successful_login_does_not_count_as_a_failure(client):
    user = UserFactory(email="anna@example.test")
    for _ in range(4):
        post_login(client, "anna@example.test", "wrong")
    assert post_login(client, "anna@example.test", PASSWORD).status_code == 302
    client.logout()
    # The success left the count at four: the fifth failure is still judged, the sixth is not.
    assert errors(post_login(client, "anna@example.test", "wrong")) == [MISMATCH]
    assert errors(post_login(client, "anna@example.test", PASSWORD)) == [THROTTLED]
    assert signed_in_user_id(client) is None
    user.refresh_from_db()
    assert user.last_login is not None


def test_inactive_user_cannot_log_in(client):
    # Given a deactivated account
    user = UserFactory(email="anna@example.test", is_active=False)

    # When the right password is typed
    response = post_login(client, "anna@example.test", PASSWORD)

    # Then the person is told the account is inactive and is not signed in
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("portal:tickets")).status_code == 302
    user.refresh_from_db()
    assert user.last_login is None


def test_inactive_user_with_a_wrong_password_gets_the_generic_error(client):
    UserFactory(email="anna@example.test", is_active=False)
    assert errors(post_login(client, "anna@example.test", "wrong")) == [MISMATCH]


def test_sign_up_is_closed(client):
    response = client.get("/accounts/signup/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "signup_closed" in response.templates[0].name
