"""Language and time zone: the profile's choice wins over the browser's, switching is saved."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation

from servicedesk.accounts.middleware import UserPreferencesMiddleware
from servicedesk.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def html_lang(response):
    html = response.content.decode()
    start = html.index("<html lang=") + len('<html lang="')
    return html[start : html.index('"', start)]


def test_user_with_english_in_the_profile_gets_english_pages_after_login(client):
    # Given a customer whose profile says English, and a browser asking for Russian
    UserFactory(email="anna@example.test", language="en")
    ru = {"accept-language": "ru-RU,ru;q=0.9"}

    # When they sign in and open the portal
    credentials = {"login": "anna@example.test", "password": PASSWORD}
    client.post("/accounts/login/", credentials, headers=ru)
    response = client.get("/portal/", headers=ru)

    # Then the page is English
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert ">Tickets<" in html
    assert "My companies" in html


def test_user_without_a_language_gets_the_browsers(client_for):
    client = client_for(UserFactory(language=""))
    assert html_lang(client.get("/portal/", headers={"accept-language": "en-GB"})) == "en"
    assert html_lang(client.get("/portal/", headers={"accept-language": "ru"})) == "ru"


def test_russian_profile_gets_the_russian_shell(client_for):
    client = client_for(UserFactory(language="ru"))
    response = client.get("/portal/", headers={"accept-language": "en"})
    assert html_lang(response) == "ru"
    html = response.content.decode()
    for label in ("Заявки", "Сообщения", "Мои компании", "Портал клиента"):
        assert label in html


def test_switching_language_saves_it_in_the_profile(client_for):
    # Given a signed-in customer using Russian
    user = UserFactory(language="ru")
    client = client_for(user)

    # When they switch to English
    response = client.post("/me/language/", {"language": "en", "next": "/portal/messages/"})

    # Then the choice is saved, they return to where they were, and the next page is English
    assert response.status_code == 302
    assert response["Location"] == "/portal/messages/"
    user.refresh_from_db()
    assert user.language == "en"
    page = client.get("/portal/messages/", headers={"accept-language": "ru"})
    assert html_lang(page) == "en"
    assert "<h1" in page.content.decode()
    assert ">Messages</h1>" in page.content.decode()


def test_switching_to_an_unknown_language_changes_nothing(client_for):
    user = UserFactory(language="ru")
    client = client_for(user)
    client.post("/me/language/", {"language": "de", "next": "/portal/"})
    user.refresh_from_db()
    assert user.language == "ru"


def test_anonymous_switch_sets_the_cookie_only(client):
    # Given some users with Russian profiles
    UserFactory(language="ru")
    before = list(User.objects.values_list("pk", "language"))

    # When an anonymous visitor switches to English
    response = client.post("/me/language/", {"language": "en", "next": "/accounts/login/"})

    # Then only the language cookie is set, and the login page is English
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert list(User.objects.values_list("pk", "language")) == before
    assert html_lang(client.get("/accounts/login/", headers={"accept-language": "ru"})) == "en"


def test_language_switch_needs_post(client):
    assert client.get("/me/language/?language=en").status_code == 405


def test_language_switch_ignores_an_unsafe_next(client_for):
    client = client_for(UserFactory())
    response = client.post("/me/language/", {"language": "en", "next": "https://evil.test/"})
    assert response.status_code == 302
    assert "evil.test" not in response["Location"]


# --- The middleware, through a request ----------------------------------------------------------


def run_middleware(user, accept_language="ru"):
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()
        seen["lang"] = translation.get_language()
        seen["request_lang"] = request.LANGUAGE_CODE
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers={"accept-language": accept_language})
    request.user = user
    request.LANGUAGE_CODE = accept_language
    translation.activate(accept_language)
    UserPreferencesMiddleware(view)(request)
    return seen


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [
        ("Asia/Vladivostok", "Asia/Vladivostok"),
        ("America/New_York", "America/New_York"),
        ("", "Europe/Moscow"),
    ],
)
def test_middleware_activates_the_users_time_zone(time_zone, expected):
    user = UserFactory(time_zone=time_zone)
    assert run_middleware(user)["tz"] == expected


def test_middleware_survives_a_time_zone_that_no_longer_exists():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(time_zone="Mars/Olympus_Mons")
    user.refresh_from_db()
    assert run_middleware(user)["tz"] == "Europe/Moscow"


def test_time_zone_does_not_leak_to_the_next_request_on_the_same_thread():
    # Given a request by a user in Vladivostok handled on this thread
    assert run_middleware(UserFactory(time_zone="Asia/Vladivostok"))["tz"] == "Asia/Vladivostok"

    # When the same thread then serves an anonymous visitor
    seen = run_middleware(AnonymousUser())

    # Then the visitor gets the provider's zone, not the previous user's
    assert seen["tz"] == "Europe/Moscow"


@pytest.mark.parametrize(
    ("profile", "browser", "expected"), [("en", "ru", "en"), ("ru", "en", "ru"), ("", "en", "en")]
)
def test_middleware_activates_the_profile_language(profile, browser, expected):
    seen = run_middleware(UserFactory(language=profile), accept_language=browser)
    assert (seen["lang"], seen["request_lang"]) == (expected, expected)


def test_dates_render_in_the_users_time_zone(client_for):
    user = UserFactory(time_zone="Asia/Vladivostok", language="en")
    client = client_for(user)
    response = client.get("/me/profile/")
    assert response.status_code == 200
    assert response.context["TIME_ZONE"] == "Asia/Vladivostok"
