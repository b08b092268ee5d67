"""The portal's report in a real browser: the customer opens «Аналитика», sees the KPI cards
and the charts drawn, clicks the donut's biggest segment and gets the tickets' table narrowed
to that type (and the donut showing its criticalities); in Russian and in English."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets.models import Status, Ticket
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import (
    CompanyFactory,
    EquipmentFactory,
    MembershipFactory,
    SiteFactory,
    TicketFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _tickets() -> object:
    company = CompanyFactory(name="Альфа-Ритейл")
    till = EquipmentFactory(
        site=SiteFactory(company=company, name="Магазин"), name="Касса №1", equipment_type="Касса"
    )
    customer = MembershipFactory(company=company, user__language="").user
    other = CompanyFactory(name="Чужая компания")
    repair, _ = TicketType.objects.get_or_create(
        code="repair", defaults={"name_ru": "Ремонт", "name_en": "Repair"}
    )
    service, _ = TicketType.objects.get_or_create(
        code="service", defaults={"name_ru": "ТО", "name_en": "Service"}
    )
    level = Criticality.objects.filter(is_active=True).first()
    now = timezone.now()
    for n, kind in enumerate([repair, repair, repair, service, service]):
        ticket = TicketFactory(company=company, contact=customer, site=till.site, equipment=till,
                               ticket_type=kind, criticality=level, subject=f"Касса {n}",
                               status=Status.NEW)  # fmt: skip
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - dt.timedelta(days=n + 1))
    TicketFactory(company=other, subject="Чужая заявка", ticket_type=repair, criticality=level)
    return customer, repair


def _click_biggest_segment(page: Page) -> None:
    canvas = page.locator('[data-chart="types"]')
    canvas.scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector('[data-chart="types"]'));
            return chart.getDatasetMeta(0).data[0].tooltipPosition();
        }"""
    )
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.mark.parametrize(
    ("locale", "title", "name"),
    [("ru-RU", "Аналитика", "name_ru"), ("en-GB", "Analytics", "name_en")],
)
def test_the_customer_drills_into_the_donut(live_server, page_for, locale, title, name):
    base = live_server.url
    customer, repair = _tickets()
    page = page_for(locale)
    sign_in(page, base, customer.email)
    page.goto(f"{base}/portal/")
    page.get_by_role("link", name=title).click()

    expect(page.get_by_test_id("kpi-tickets")).to_have_text("5")
    expect(page.get_by_test_id("report-row")).to_have_count(5)
    assert "Чужая" not in page.content()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector(CHART))".replace(
            "CHART", "'[data-chart=types]'"
        )
    )

    _click_biggest_segment(page)
    page.wait_for_url(f"**type={repair.pk}**")
    expect(page.get_by_test_id("report-row")).to_have_count(3)
    expect(page.get_by_test_id("report-drill")).to_contain_text(getattr(repair, name))
    expect(page.get_by_test_id("kpi-tickets")).to_have_text("5")  # the cards keep the report
    page.get_by_test_id("report-drill").click()
    expect(page.get_by_test_id("report-row")).to_have_count(5)
    assert page.console_errors == []
