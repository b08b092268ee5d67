"""“Forgot your password?” (allauth): the same answer for any address, the mail in the person's
language, and the link only to the stored address."""

import re

import pytest
from django.core import mail
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def ask(client, email: str, language: str = "en"):
    return client.post(RESET, {"email": email}, headers={"accept-language": language}, follow=True)


def normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_an_unknown_address_gets_exactly_the_same_answer_as_a_known_one(client):
    UserFactory(email="anna@alfa.test")

    known = ask(client, "anna@alfa.test")
    unknown = ask(client, "nobody@alfa.test")

    assert (
        known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/done/", 302)]
    )
    assert known.status_code == unknown.status_code == 200
    assert normalised(known.content.decode()) == normalised(unknown.content.decode())


def test_the_reset_link_goes_only_to_the_stored_address(client):
    UserFactory(email="anna@alfa.test")

    ask(client, "ANNA@alfa.test")

    [message] = mail.outbox
    assert message.to == ["anna@alfa.test"]
    assert re.search(r"http://testserver/accounts/password/reset/key/\S+/", message.body)


def test_an_unknown_address_is_sent_nothing(client):
    # Else the form would be a way to make us mail anyone (the page stays identical: above)
    UserFactory(email="anna@alfa.test")
    ask(client, "nobody@alfa.test")
    assert mail.outbox == []


def test_an_unknown_address_is_told_how_to_ask_for_access_when_the_setting_asks(client, settings):
    settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
    settings.SITE_URL = "https://desk.example.test"

    ask(client, "nobody@alfa.test")

    [message] = mail.outbox
    assert message.to == ["nobody@alfa.test"]
    assert "If it was you and you work for one of our customers, ask for access here:" in (
        message.body
    )
    assert "https://desk.example.test/access/request/" in message.body
    assert "/accounts/signup/" not in message.body
    assert "/accounts/password/reset/key/" not in message.body


@pytest.mark.parametrize(("profile", "browser"), [("ru", "en"), ("en", "ru")])
def test_the_reset_mail_is_in_the_language_of_the_profile_not_the_browser(client, profile, browser):
    # Given a person whose profile says one language, asking from a browser set to the other
    UserFactory(email="anna@alfa.test", language=profile)

    ask(client, "anna@alfa.test", language=browser)

    # Then the mail is in the profile's language
    [message] = mail.outbox
    with translation.override(profile):
        expected = translation.gettext("Servicedesk: choose a new password")
    assert message.subject == expected
    cyrillic = bool(re.search("[а-яА-Я]", message.subject + message.body))
    assert cyrillic is (profile == "ru")


def test_without_a_profile_language_the_page_language_is_used(client):
    UserFactory(email="anna@alfa.test", language="")
    ask(client, "anna@alfa.test", language="ru")
    [message] = mail.outbox
    assert re.search("[а-яА-Я]", message.body)


def test_the_reset_mail_speaks_for_the_product_not_the_server(client, settings):
    settings.SITE_URL = "https://desk.example.test"
    UserFactory(email="anna@alfa.test", full_name="Anna Petrova", language="en")
    ask(client, "anna@alfa.test")
    [message] = mail.outbox
    assert message.subject == "Servicedesk: choose a new password"
    assert message.body.startswith("Hello, Anna Petrova!")
    assert "Hello from" not in message.body and "testserver" not in message.body.split("http")[0]
    assert "https://desk.example.test" in message.body
    [(html, mime)] = message.alternatives
    assert mime == "text/html" and "Servicedesk" in html and "Choose a new password" in html
    assert re.search(r'href="http://testserver/accounts/password/reset/key/\S+/"', html)
