"""The workflow end to end in a real browser: a dispatcher assigns an unassigned ticket, the
engineer starts and resolves it, the customer sees the resolution and replies, it is back in
progress, the engineer resolves again, the customer accepts, and it is closed."""

import pytest
from playwright.sync_api import Page, expect

from servicedesk.tickets.models import Status
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_ticket(page: Page, base: str, area: str, number: str) -> None:
    path = "backoffice/tickets" if area == "staff" else "portal/tickets"
    page.goto(f"{base}/{path}/{number}/")


def resolve(page: Page, text: str) -> None:
    page.get_by_test_id("transition-resolve").click()
    page.locator("#id_resolution").fill(text)
    page.get_by_test_id("confirm-resolve").click()


def test_from_unassigned_to_closed(live_server, page_for):
    base = live_server.url
    company = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(company=company, user__full_name="Anna Customer").user
    dispatcher = UserFactory(dispatcher=True, full_name="Dora Dispatcher")
    engineer = UserFactory(engineer=True, full_name="Egor Engineer")
    ticket = TicketFactory(company=company, contact=customer, subject="Pump leaks")

    # The dispatcher finds it among the unassigned and assigns it to the engineer.
    staff = page_for("en-US")
    sign_in(staff, base, dispatcher.email)
    staff.goto(f"{base}/backoffice/tickets/?view=new")
    staff.get_by_role("link", name=ticket.number).click()
    staff.get_by_test_id("assignee-select").select_option(str(engineer.pk))
    staff.get_by_test_id("assign").click()
    expect(staff.get_by_test_id("assignment")).to_contain_text("Egor Engineer")

    # The engineer starts work and resolves it with a text.
    work = page_for("en-US")
    sign_in(work, base, engineer.email)
    open_ticket(work, base, "staff", ticket.number)
    work.get_by_test_id("transition-start").click()
    expect(work.get_by_test_id("status")).to_have_text("In progress")
    resolve(work, "Replaced the pump seal.")
    expect(work.get_by_test_id("status")).to_have_text("Resolved")

    # The customer sees the solution and replies that it still leaks.
    portal = page_for("en-US")
    sign_in(portal, base, customer.email)
    open_ticket(portal, base, "portal", ticket.number)
    expect(portal.get_by_test_id("resolution")).to_contain_text("Replaced the pump seal.")
    portal.locator("#id_body").fill("It still leaks a little.")
    portal.get_by_test_id("send-message").click()
    expect(portal.get_by_test_id("status")).to_have_text("In progress")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS

    # The engineer sees the reply, resolves again; the customer accepts.
    open_ticket(work, base, "staff", ticket.number)
    expect(work.get_by_test_id("conversation")).to_contain_text("It still leaks a little.")
    resolve(work, "Replaced the whole pump.")
    open_ticket(portal, base, "portal", ticket.number)
    expect(portal.get_by_test_id("resolution")).to_contain_text("Replaced the whole pump.")
    portal.get_by_test_id("accept").click()
    expect(portal.get_by_test_id("status")).to_have_text("Closed")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    for page in (staff, work, portal):
        assert page.console_errors == []


def test_the_dispatcher_filters_the_queue_by_a_company_found_by_name(live_server, page_for):
    base = live_server.url
    alfa, beta = CompanyFactory(name="Alfa Retail"), CompanyFactory(name="Beta Logistics")
    dispatcher = UserFactory(dispatcher=True)
    mine = TicketFactory(company=alfa, subject="Till is down")
    TicketFactory(company=beta, subject="Forklift is down")
    page = page_for("en-US")
    sign_in(page, base, dispatcher.email)
    page.goto(f"{base}/backoffice/tickets/?view=all")
    expect(page.get_by_test_id("queue-row")).to_have_count(2)
    page.get_by_test_id("filters-toggle").click()  # the panel's fields come when it opens
    expect(page.get_by_test_id("filter-fields")).to_be_visible()
    # htmx has wired the new fields once nothing is swapping or settling any more
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.get_by_test_id("company-search").fill("alfa")
    expect(page.locator("#id_company option")).to_have_count(2)  # Any, Alfa Retail
    page.locator("#id_company").select_option(label="Alfa Retail")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-row")).to_contain_text(mine.number)
    assert f"company={alfa.pk}" in page.url
    assert page.console_errors == []
