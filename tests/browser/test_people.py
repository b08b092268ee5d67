"""People in a real browser: a dispatcher adds a customer who sees only listed equipment, and
finds them in the list, invited."""

import re

import pytest
from playwright.sync_api import Page, expect

from servicedesk.accounts.models import Membership, User
from tests.factories import PASSWORD, CompanyFactory, EquipmentFactory, SiteFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()


def test_a_dispatcher_adds_a_customer_with_listed_equipment(live_server, page_for, tmp_path):
    # Given two companies with their own sites and equipment, and a dispatcher
    alfa = CompanyFactory(name="Alfa Retail")
    beta = CompanyFactory(name="Beta Logistics")
    shop = SiteFactory(company=alfa, name="Alfa shop")
    till = EquipmentFactory(site=shop, name="Alfa till", serial_number="T-1")
    SiteFactory(company=beta, name="Beta warehouse")
    EquipmentFactory(company=beta, name="Beta forklift", serial_number="F-1")
    UserFactory(dispatcher=True, email="dispatcher@provider.test", language="en")
    page = page_for(locale="en-US")
    sign_in(page, live_server.url, "dispatcher@provider.test")

    # When they open the People list and start a new person
    page.goto(f"{live_server.url}/backoffice/people/")
    page.locator("[data-testid=new-person]").click()
    expect(page).to_have_url(re.compile(r"/backoffice/people/new/$"))
    form = page.locator("[data-testid=person-form]")
    form.locator("input[name=full_name]").fill("Nina Newcomer")
    form.locator("input[name=email]").fill("nina@alfa.test")
    form.locator("input[name=phone]").fill("+7 912 345-67-89")

    # and pick a company: its sites and equipment appear, the other company's do not
    row = form.locator("[data-testid=membership-row]").first
    row.locator("select[name=memberships-0-company]").select_option(label="Beta Logistics")
    expect(row.locator("[data-testid=equipment-choices]")).to_contain_text("Beta forklift")
    row.locator("select[name=memberships-0-company]").select_option(label="Alfa Retail")
    equipment = row.locator("[data-testid=equipment-choices]")
    expect(equipment).to_contain_text("Alfa till")
    expect(equipment).not_to_contain_text("Beta forklift")
    expect(row.locator("[data-testid=site-choices]")).to_contain_text("Alfa shop")

    # and limit the person to the till
    expect(equipment).to_be_hidden()  # whole company: no lists
    row.get_by_label("Listed sites and equipment only").check()
    expect(equipment).to_be_visible()
    equipment.get_by_label(re.compile("Alfa till")).check()
    page.screenshot(path=str(tmp_path / "people-form.png"), full_page=True)
    form.locator("[data-testid=save]").click()

    # Then they are on the person's page, invited, and the membership is exactly that
    expect(page.locator("[data-testid=person-name]")).to_have_text("Nina Newcomer")
    expect(page.locator("[data-testid=status]")).to_have_text("Invited")
    nina = User.objects.get(email="nina@alfa.test")
    membership = Membership.objects.get(user=nina)
    assert (membership.company, membership.scope) == (alfa, "listed")
    assert list(membership.equipment.all()) == [till]
    assert list(membership.sites.all()) == []

    # And the list shows them with the "Invited" badge, found by the search box
    page.goto(f"{live_server.url}/backoffice/people/")
    page.locator("input[name=q]").fill("newcomer")
    expect(page).to_have_url(re.compile(r"[?&]q=newcomer"))
    rows = page.locator("[data-testid=person-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nina Newcomer")
    expect(rows.first).to_contain_text("Alfa Retail")
    expect(rows.first.locator("[data-testid=status]:visible")).to_have_text("Invited")
    expect(page.locator("[data-testid=export-xlsx]")).to_have_attribute(
        "href", re.compile(r"/backoffice/people/export/\?.*q=newcomer")
    )
    page.screenshot(path=str(tmp_path / "people-list.png"), full_page=True)
    assert page.failed_responses == []
    assert page.console_errors == []
