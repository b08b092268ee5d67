"""Getting into the portal, in Chromium, with mail delivered to a real SMTP server (aiosmtpd):
an invitation from staff, a temporary password, and a public access request approved in the
back office."""

import re

import pytest
from playwright.sync_api import Page, expect

from servicedesk.accounts.models import AccessRequest, Role, User
from servicedesk.accounts.services import (
    MembershipData,
    user_create,
    user_temporary_password_issue,
)
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, SiteFactory, UserFactory
from tests.mail_server import html_part, text_part

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "Amber-Valley-Rocket-58"
LINK = re.compile(r"(http://[^/\s]+/invite/[^/\s]+/)")


@pytest.fixture
def site_url(settings, live_server):
    """Links in messages point at the live server."""
    settings.SITE_URL = live_server.url
    return live_server.url


def invitation_link(message) -> str:
    found = LINK.search(text_part(message))
    assert found, text_part(message)
    link = found.group(1)
    assert f'href="{link}"' in html_part(message)
    return link


def set_password(page: Page) -> None:
    form = page.locator("[data-testid=invitation-form]")
    form.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    form.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def assert_clean(*pages: Page) -> None:
    for page in pages:
        assert page.failed_responses == []
        assert page.console_errors == []


def test_an_invited_customer_follows_the_email_and_lands_on_the_portal(
    live_server, site_url, smtp_email, page_for, tmp_path
):
    # Given staff create a customer of Альфа-Ритейл (through the service, as the People form does)
    company = CompanyFactory(name="Альфа-Ритейл")
    user_create(
        by=UserFactory(dispatcher=True),
        full_name="Анна Петрова",
        role=Role.CUSTOMER,
        email="anna@alfa.test",
        language="ru",
        memberships=[MembershipData(company=company)],
    )

    # Then the invitation arrives at the SMTP server, with the link in both parts
    [message] = smtp_email.wait_for(1)
    assert smtp_email.recipients == [["anna@alfa.test"]]
    link = invitation_link(message)

    # When she opens the link
    page = page_for(locale="ru-RU")
    page.goto(link)

    # Then the token has left the address bar, and the page greets her by name
    expect(page).to_have_url(f"{live_server.url}/invite/accept/")
    expect(page.locator("h1")).to_contain_text("Анна Петрова")
    expect(page.locator("[data-testid=login-email]")).to_have_text("anna@alfa.test")
    page.screenshot(path=str(tmp_path / "accept.png"), full_page=True)

    # When she sets a password
    set_password(page)

    # Then she is in the portal, signed in, and sees her company
    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.locator(".alert-success")).to_contain_text("Анна Петрова")
    page.goto(f"{live_server.url}/portal/companies/")
    expect(page.locator("[data-testid=company]")).to_contain_text("Альфа-Ритейл")
    user = User.objects.get(email="anna@alfa.test")
    assert user.activated_at is not None
    assert user.check_password(NEW_PASSWORD)

    # And the link does not work a second time
    page.goto(link)
    expect(page).to_have_url(f"{live_server.url}/invite/invalid/")
    expect(page.locator("[data-testid=invalid-link]")).to_be_visible()
    assert_clean(page)


def test_a_temporary_password_must_be_changed_at_the_first_sign_in(live_server, page_for, tmp_path):
    # Given staff issued a temporary password (shown to them once, told by phone)
    customer = MembershipFactory(
        user__email="oleg@alfa.test", user__language="en", company__name="Alfa Retail"
    ).user
    temporary = user_temporary_password_issue(by=UserFactory(dispatcher=True), user=customer)
    page = page_for(locale="en-US")

    # When the customer signs in with it
    sign_in(page, live_server.url, "oleg@alfa.test", temporary)

    # Then they must choose a new password before anything else
    expect(page).to_have_url(f"{live_server.url}/me/password/required/")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.goto(f"{live_server.url}/portal/messages/")
    expect(page).to_have_url(f"{live_server.url}/me/password/required/")
    page.screenshot(path=str(tmp_path / "required.png"), full_page=True)

    # When they choose one
    form = page.locator("[data-testid=password-required-form]")
    form.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    form.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()

    # Then they land on the portal, still signed in
    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.locator(".alert-success")).to_have_text(re.compile("Your new password is set."))
    page.goto(f"{live_server.url}/portal/companies/")
    expect(page.locator("[data-testid=company]")).to_contain_text("Alfa Retail")
    customer.refresh_from_db()
    assert customer.must_change_password is False
    assert customer.check_password(NEW_PASSWORD)
    assert_clean(page)


def test_an_access_request_approved_in_the_back_office_leads_to_the_portal(
    live_server, site_url, smtp_email, page_for, tmp_path
):
    company = CompanyFactory(name="Alfa Retail")
    SiteFactory(company=company, name="Kazan shop")
    SiteFactory(company=company, name="Moscow office")
    UserFactory(email="dispatcher@provider.test", dispatcher=True, language="en")

    # Given someone asks for access on the public form, from the login page
    visitor = page_for(locale="en-US")
    visitor.goto(f"{live_server.url}/accounts/login/")
    visitor.locator("[data-testid=request-access]").click()
    form = visitor.locator("[data-testid=access-request-form]")
    form.locator("input[name=full_name]").fill("Ivan Sidorov")
    form.locator("input[name=email]").fill("ivan@alfa.test")
    form.locator("input[name=company_name]").fill("Alfa Retail")
    form.locator("input[name=position]").fill("Shop manager")
    form.locator("textarea[name=comment]").fill("I run the Kazan shop.")
    form.locator("button[type=submit]").click()
    expect(visitor.locator("[data-testid=request-sent]")).to_be_visible()
    request = AccessRequest.objects.get()
    assert (request.email, request.language, request.status) == ("ivan@alfa.test", "en", "pending")

    # When a dispatcher, in another browser, approves it for the Kazan shop only
    desk = page_for(locale="en-US")
    sign_in(desk, live_server.url, "dispatcher@provider.test", PASSWORD)
    desk.locator("[data-testid=main-menu] a", has_text="Access requests").click()
    expect(desk.locator("[data-testid=access-request-row]")).to_have_count(1)
    desk.locator("[data-testid=access-request-row] a", has_text="Ivan Sidorov").click()
    approve = desk.locator("[data-testid=approve-form]")
    expect(approve.locator("select[name=company]")).to_have_value(str(company.pk))
    approve.locator("input[name=scope][value=listed]").check()
    sites = approve.locator("[data-field=sites]")  # loaded by htmx for the chosen company
    expect(sites).to_be_visible()
    expect(sites.locator("input[name=sites]")).to_have_count(2)
    sites.get_by_label("Kazan shop").check()
    desk.screenshot(path=str(tmp_path / "approve.png"), full_page=True)
    approve.locator("[data-testid=approve]").click()
    expect(desk).to_have_url(f"{live_server.url}/backoffice/access-requests/")
    expect(desk.locator(".alert-success")).to_contain_text("Ivan Sidorov is now a customer")

    # Then the invitation arrives at the SMTP server
    [message] = smtp_email.wait_for(1)
    assert message["To"] == "ivan@alfa.test"
    assert message["Subject"] == "Your invitation to the Servicedesk customer portal"
    link = invitation_link(message)

    # When the person follows it and sets a password
    visitor.goto(link)
    set_password(visitor)

    # Then they see the portal, limited to the Kazan shop
    expect(visitor).to_have_url(f"{live_server.url}/portal/")
    visitor.goto(f"{live_server.url}/portal/companies/")
    card = visitor.locator("[data-testid=company]")
    expect(card).to_contain_text("Alfa Retail")
    expect(card).to_contain_text("Kazan shop")
    expect(card).not_to_contain_text("Moscow office")
    assert_clean(visitor, desk)
