"""The ticket lists as people see them, at a laptop's 1366 px and a phone's 390 px, in both
languages: the customer's first screen leads with search and the four columns a customer reads
(the deadline kept on a phone), the filters one click away and their values always in sight;
the staff queue keeps every column on screen at 1366 px."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.customers.models import TicketType
from servicedesk.tickets.models import Status
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")
LOCALES = {"en": "en-US", "ru": "ru-RU"}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_page_wide_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def inside_viewport(page: Page, selector: str) -> None:
    """Every element matching `selector` is visible and lies within the window's width."""
    items = page.locator(selector)
    assert items.count() > 0, selector
    for n in range(items.count()):
        box = items.nth(n).bounding_box()
        assert box is not None, f"{selector} #{n} is hidden"
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1, (
            f"{selector} #{n} is cut off: {box}"
        )


def customer_with_tickets() -> tuple[str, list[str]]:
    company = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(company=company, user__full_name="Anna Customer").user
    due = timezone.now() + dt.timedelta(days=2)
    subjects = [
        "The air conditioner in the sales hall blows warm air since this morning",
        "Till number two does not print receipts",
    ]
    numbers = [
        TicketFactory(company=company, contact=customer, subject=s, due_at=due).number
        for s in subjects
    ]
    TicketFactory(
        company=company, contact=customer, subject="Old leak", status=Status.CLOSED, due_at=due
    )
    return customer.email, numbers


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_customers_first_screen(live_server, page_for, language: str, width: int):
    email, numbers = customer_with_tickets()
    page = page_for(LOCALES[language], width=width, height=844 if width < 500 else 800)
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_test_id("ticket-row")).to_have_count(3)
    # Search first; the filter panel is closed (and not even rendered yet).
    expect(page.get_by_test_id("search")).to_be_visible()
    expect(page.get_by_test_id("filter-panel")).to_be_hidden()
    expect(page.get_by_test_id("filter-fields")).to_have_count(0)
    # The columns a customer reads — the deadline kept on a phone, nothing cut off.
    headings = (
        ["subject", "status", "due"] if width < 576 else ["number", "subject", "status", "due"]
    )
    for key in headings:
        inside_viewport(page, f"[data-testid=ticket-table] th a[data-sort={key}]")
    inside_viewport(page, "[data-testid=ticket-row] td:last-child")
    for key in ("company", "contact", "assignee", "created"):
        expect(page.locator(f"th a[data-sort={key}]")).to_have_count(0)
    # The number is always there: in its column, or under the subject on a phone.
    for number in numbers:
        shown = page.get_by_test_id("ticket-table").get_by_text(number).locator("visible=true")
        expect(shown).to_have_count(1)
    no_page_wide_scroll(page)
    shot(page, f"portal-list-{language}-{width}")

    # One click opens the filters; a status narrows the list and stays in sight as a chip.
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("filter-fields")).to_be_visible()
    shot(page, f"portal-list-filters-{language}-{width}")
    page.locator("#id_status").select_option("closed")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    expect(page.get_by_test_id("filter-chip")).to_have_count(1)
    expect(page.get_by_test_id("filter-count")).to_have_text("1")
    assert "status=closed" in page.url

    # Remembered: the list opens as it was left, panel closed, the filter named.
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    expect(page.get_by_test_id("filter-panel")).to_be_hidden()
    expect(page.get_by_test_id("filter-chip")).to_have_count(1)
    # A search keeps the filter that is not on screen.
    page.get_by_test_id("search").fill("leak")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    expect(page.get_by_test_id("ticket-row")).to_contain_text("Old leak")
    page.get_by_test_id("search").fill("till")
    expect(page.get_by_test_id("empty")).to_be_visible()
    # Removing the chip removes the filter.
    page.get_by_test_id("search").fill("")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    page.get_by_test_id("filter-chip").click()
    expect(page.get_by_test_id("ticket-row")).to_have_count(3)
    expect(page.get_by_test_id("filter-chip")).to_have_count(0)
    assert "status=" not in page.url
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_queue_on_a_phone_keeps_the_deadline(live_server, page_for, language: str):
    dispatcher = UserFactory(dispatcher=True)
    company = CompanyFactory(name="Northern Regional Logistics")
    ticket = TicketFactory(
        company=company,
        subject="The air conditioner in the sales hall blows warm air again",
        due_at=timezone.now() + dt.timedelta(days=2, hours=18),
    )
    page = page_for(LOCALES[language], width=390, height=844)
    sign_in(page, live_server.url, dispatcher.email)
    page.goto(f"{live_server.url}/backoffice/tickets/?view=all")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    inside_viewport(page, "[data-testid=queue-table] th a[data-sort=due]")
    inside_viewport(page, "[data-testid=deadline]")
    # The number and the company travel under the subject; bulk actions wait for a desk.
    details = page.get_by_test_id("subject-details")
    expect(details).to_contain_text(ticket.number)
    expect(details).to_contain_text(company.name)
    expect(page.get_by_test_id("bulk-form")).to_be_hidden()
    no_page_wide_scroll(page)
    shot(page, f"queue-{language}-390")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_queue_keeps_every_column_on_a_1366_screen(live_server, page_for, language: str):
    dispatcher = UserFactory(dispatcher=True)
    engineer = UserFactory(engineer=True, full_name="Konstantin Konstantinopolsky")
    company = CompanyFactory(name="Northern Regional Logistics and Warehousing")
    kind = TicketType.objects.filter(is_active=True).first()
    for n in range(3):
        TicketFactory(
            company=company,
            assignee=engineer,
            ticket_type=kind,
            status=Status.IN_PROGRESS,
            subject=f"The air conditioner in the sales hall number {n} blows warm air again",
            due_at=timezone.now() + dt.timedelta(days=2, hours=18),
        )
    page = page_for(LOCALES[language], width=1366, height=800)
    sign_in(page, live_server.url, dispatcher.email)
    page.goto(f"{live_server.url}/backoffice/tickets/?view=all")
    expect(page.get_by_test_id("queue-row")).to_have_count(3)
    inside_viewport(page, "[data-testid=queue-table] th a[data-sort=due]")
    inside_viewport(page, "[data-testid=deadline]")
    # A subject reads on at most two lines (it used to wrap to four or five).
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.ticket-subject a')).lineHeight)"
    )
    for n in range(3):
        box = page.locator(".ticket-subject a").nth(n).bounding_box()
        assert box is not None and box["height"] <= 2 * line + 2, box
    no_page_wide_scroll(page)
    shot(page, f"queue-{language}-1366")
    # The filter panel's fields sit on one line: the company search beside its list.
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("company-search")).to_be_visible()
    tops = {
        name: page.locator(f"#id_{name}").bounding_box()["y"]
        for name in ("status", "type", "criticality", "company", "assignee")
    }
    assert max(tops.values()) - min(tops.values()) <= 1, tops
    assert abs(page.get_by_test_id("company-search").bounding_box()["y"] - tops["company"]) <= 1
    shot(page, f"queue-filters-{language}-1366")
    assert page.console_errors == []
