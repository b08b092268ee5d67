"""The signed-in shell in a real browser: sign in, see the menu in Russian, switch to English in
the user menu, sign out. One journey for each audience."""

import re

import pytest
from playwright.sync_api import Page, expect

from servicedesk.accounts.models import User
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PORTAL_RU = ["Заявки", "Сообщения", "Акты", "Аналитика", "База знаний", "Мои компании"]
PORTAL_EN = ["Tickets", "Messages", "Acts", "Analytics", "Knowledge base", "My companies"]


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()


def menu_labels(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=main-menu] a").all_inner_texts()]


def switch_to_english(page: Page) -> None:
    page.locator("[data-testid=user-menu]").click()
    switch = page.locator(".dropdown-menu.show [data-testid=language-switch]")
    expect(switch).to_be_visible()
    switch.locator("button[value=en]").click()


def sign_out(page: Page, base_url: str) -> None:
    page.locator("[data-testid=user-menu]").click()
    logout = page.locator(".dropdown-menu.show [data-testid=logout]")
    expect(logout).to_be_visible()
    logout.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("[data-testid=login-form]")).to_be_visible()


def test_customer_switches_the_portal_to_english_and_signs_out(live_server, page_for, tmp_path):
    # Given a customer whose profile says Russian
    user = UserFactory(email="anna@alfa.test", full_name="Анна Альфина", language="ru")
    MembershipFactory(user=user, company__name="Альфа-Ритейл")
    page = page_for(locale="en-US")

    # When they sign in
    sign_in(page, live_server.url, "anna@alfa.test")

    # Then the portal shell is Russian
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert menu_labels(page) == PORTAL_RU
    page.locator("[data-testid=main-menu] a", has_text="Мои компании").click()
    expect(page.locator("[data-testid=company]")).to_have_count(1)
    expect(page.get_by_text("Альфа-Ритейл").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "portal-ru.png"), full_page=True)

    # When they switch to English in the user menu
    switch_to_english(page)

    # Then the same page is English, and the choice is saved in the profile
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/portal/companies/$"))
    assert menu_labels(page) == PORTAL_EN
    user.refresh_from_db()
    assert user.language == "en"
    page.screenshot(path=str(tmp_path / "portal-en.png"), full_page=True)

    # When they sign out, they land on the login page
    sign_out(page, live_server.url)
    assert page.failed_responses == []
    assert page.console_errors == []


def test_staff_switches_the_back_office_to_english_and_signs_out(live_server, page_for, tmp_path):
    # Given a dispatcher with no language in the profile and a Russian browser
    UserFactory(email="dispatcher@provider.test", dispatcher=True, language="")
    page = page_for(locale="ru-RU")

    # When they sign in
    sign_in(page, live_server.url, "dispatcher@provider.test")

    # Then the back office is Russian
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert menu_labels(page) == [
        "Сводка",
        "Заявки",
        "Сообщения",
        "Новая заявка",
        "Оборудование",
        "База знаний",
        "Отчёты",
        "Пользователи",
        "Запросы доступа",
        "Акты",
    ]
    expect(page.locator("h1")).to_have_text("Сводка")
    expect(page.locator("[data-testid=counts] .card")).to_have_count(5)
    page.screenshot(path=str(tmp_path / "backoffice-ru.png"), full_page=True)

    # When they switch to English
    switch_to_english(page)

    # Then the back office is English and the profile remembers it
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert menu_labels(page) == [
        "Dashboard",
        "Tickets",
        "Messages",
        "New ticket",
        "Equipment",
        "Knowledge base",
        "Reports",
        "People",
        "Access requests",
        "Acts",
    ]
    expect(page.locator("h1")).to_have_text("Dashboard")
    assert User.objects.get(email="dispatcher@provider.test").language == "en"
    page.screenshot(path=str(tmp_path / "backoffice-en.png"), full_page=True)

    # When they sign out, they land on the login page
    sign_out(page, live_server.url)
    assert page.failed_responses == []
    assert page.console_errors == []


def test_a_wrong_password_shows_the_error_in_the_browser(live_server, page_for):
    UserFactory(email="anna@alfa.test")
    page = page_for(locale="en-US")
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("anna@alfa.test")
    page.locator("input[name=password]").fill("wrong-password")
    page.locator("[data-testid=login-form] button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The email or phone and the password you entered do not match an account."
    )
    expect(page.locator("input[name=login]")).to_have_value("anna@alfa.test")
