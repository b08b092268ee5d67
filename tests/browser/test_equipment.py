"""The equipment's history in a real browser, on a laptop (1366 px) and a phone (390 px): staff
go from a ticket to its equipment's page and see the works with their internal notes; a customer
goes from «Мои компании» to the same piece in the portal and sees the works of the issued act,
never a note. Neither page scrolls sideways, and the CSP blocks nothing (conftest.py)."""

import pytest
from playwright.sync_api import Page, expect

from servicedesk.customers.models import WorkType
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.conftest import build_world
from tests.works.history_data import NEW_NOTE, OLD_NOTE, build_history

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WIDTHS = [1366, 390]


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def hist():
    # The work types come from a data migration a transactional test may have flushed.
    for code, ru, en in (
        ("repair", "Ремонт", "Repair"),
        ("diagnostics", "Диагностика", "Diagnostics"),
    ):
        WorkType.objects.get_or_create(code=code, defaults={"name_ru": ru, "name_en": en})
    return build_history(build_world())


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_open_the_history_from_the_ticket(live_server, page_for, hist, width):
    page = page_for("ru-RU", width=width, height=900)
    sign_in(page, live_server.url, hist.world.users["dispatcher"].email)

    page.goto(f"{live_server.url}/backoffice/tickets/{hist.old.number}/")
    page.get_by_test_id("ticket-equipment").click()

    expect(page.get_by_test_id("equipment-name")).to_have_text("alpha-hq-boiler")
    expect(page.get_by_test_id("history-ticket")).to_have_count(2)
    expect(page.get_by_test_id("history-work")).to_have_count(2)
    expect(page.get_by_test_id("summary-hours")).to_have_text("3 ч")
    expect(page.get_by_test_id("history-note").first).to_contain_text(NEW_NOTE)
    assert fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_customer_opens_the_piece_from_their_companies(live_server, page_for, hist, width):
    page = page_for("ru-RU", width=width, height=900)
    sign_in(page, live_server.url, hist.world.users["cust_a"].email)

    page.goto(f"{live_server.url}/portal/companies/")
    page.get_by_role("link", name="alpha-hq-boiler").click()

    expect(page.get_by_test_id("equipment-name")).to_have_text("alpha-hq-boiler")
    expect(page.get_by_test_id("history-ticket")).to_have_count(2)
    expect(page.get_by_test_id("history-work")).to_have_count(1)  # the act's only
    expect(page.get_by_test_id("history-act")).to_be_visible()
    body = page.content()
    assert OLD_NOTE not in body and NEW_NOTE not in body
    assert fits(page)
