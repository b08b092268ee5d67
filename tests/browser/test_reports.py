"""The back office's «Отчеты» in a real browser: a dispatcher opens it from the menu, the KPI
cards count, every chart is drawn (Chart.js, from the spec beside its canvas) without a script
error, and a section's data table opens; in Russian and in English."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from servicedesk.tickets.models import Origin, Status, Ticket
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import CompanyFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHARTS = ("chart-volume", "chart-times", "chart-rules", "chart-channels")


@pytest.mark.parametrize(("locale", "menu"), [("ru-RU", "Отчёты"), ("en-GB", "Reports")])
def test_a_dispatcher_reads_the_reports(live_server, page_for, locale, menu):
    base = live_server.url
    dispatcher = UserFactory(dispatcher=True, language="")
    company = CompanyFactory(name="Альфа-Ритейл")
    now = timezone.now()
    for n, origin in enumerate([Origin.PORTAL, Origin.PORTAL, Origin.EMAIL, Origin.PHONE]):
        ticket = TicketFactory(company=company, status=Status.NEW, origin=origin)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - dt.timedelta(days=n + 1),
            due_at=now - dt.timedelta(hours=1) if n == 0 else None,
        )
    page = page_for(locale)
    sign_in(page, base, dispatcher.email)
    page.goto(f"{base}/backoffice/")
    page.get_by_role("link", name=menu).click()

    expect(page.get_by_test_id("kpi-created")).to_have_text("4")
    expect(page.get_by_test_id("kpi-open")).to_have_text("4")
    for chart in CHARTS:
        page.wait_for_function(
            f"() => window.Chart && Chart.getChart(document.querySelector("
            f"'[data-chart-spec={chart}]'))"
        )
    channels = page.get_by_test_id("section-channels")
    channels.locator("summary").click()
    expect(channels.get_by_test_id("table-channels").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("section-companies")).to_contain_text("Альфа-Ритейл")
    assert page.console_errors == []
    assert page.failed_responses == []
