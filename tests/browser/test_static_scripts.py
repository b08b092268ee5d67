"""The behaviour that used to be inline script, now in static/js (ready for `script-src 'self'`),
in a real browser: «Add another company» on the person form, the People filter leaving empty
fields out of the address, «Copy» beside a temporary password, and «Print» on a printable
ticket."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_people import sign_in
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_people_pages_behave_from_their_static_file(live_server, page_for):
    # Given a dispatcher and a customer of a company
    alfa = CompanyFactory(name="Alfa Retail")
    CompanyFactory(name="Beta Logistics")
    customer = MembershipFactory(company=alfa, user__full_name="Carla Customer").user
    UserFactory(dispatcher=True, email="dispatcher@provider.test", language="en")
    page: Page = page_for(locale="en-US")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server.url, "dispatcher@provider.test")

    # When they add a second company row to a new person
    page.goto(f"{live_server.url}/backoffice/people/new/")
    form = page.locator("[data-testid=person-form]")
    expect(form.locator("[data-testid=membership-row]")).to_have_count(1)
    form.locator("[data-testid=add-company]").click()

    # Then the row is numbered after the first, counted, and its company list has the focus
    expect(form.locator("[data-testid=membership-row]")).to_have_count(2)
    expect(form.locator("input[name=memberships-TOTAL_FORMS]")).to_have_value("2")
    expect(form.locator("select[name=memberships-1-company]")).to_be_focused()

    # When they search the People list
    page.goto(f"{live_server.url}/backoffice/people/")
    page.locator("input[name=q]").fill("carla")

    # Then the address holds what was typed and no empty field
    expect(page).to_have_url(re.compile(r"[?&]q=carla"))
    expect(page.locator("[data-testid=person-row]")).to_have_count(1)
    assert not re.search(r"[?&][\w-]+=(&|$)", page.url), page.url

    # When they issue the customer a temporary password and copy it
    page.goto(f"{live_server.url}/backoffice/people/{customer.pk}/temporary-password/")
    page.locator("[data-testid=confirm]").click()
    password = page.locator("[data-testid=password]").inner_text()
    page.locator("[data-testid=copy]").click()

    # Then the button says so and the password is on the clipboard
    expect(page.locator("[data-testid=copy]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == password
    assert page.console_errors == []


def test_the_print_button_opens_the_print_dialog(live_server, page_for):
    # Given a customer's ticket, printed from its printable page (the dialog itself stubbed)
    alfa = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(company=alfa, user__email="carla@alfa.test").user
    ticket = TicketFactory(company=alfa, contact=customer, subject="Till is stuck")
    page: Page = page_for(locale="en-US")
    page.add_init_script("window.print = function () { window.printed = true; };")
    sign_in(page, live_server.url, "carla@alfa.test")
    page.goto(f"{live_server.url}/portal/tickets/{ticket.number}/print/")

    # When they press «Print»
    page.get_by_role("button", name="Print").click()

    # Then the browser's print dialog was asked for
    assert page.evaluate("window.printed") is True
    assert page.console_errors == []
