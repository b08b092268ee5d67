"""An engineer records a completed work in a real browser (Russian, as the provider works): two
engineers — the second added with «Добавить исполнителя», his card's rate filled in by the page —
and a material of the list whose unit and price the page fills in; sees the amounts (500 ₽/h ×
1 h 35 min → 2 h → 1 000,00 ₽), changes the work, and deletes it."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from servicedesk.customers.models import WorkType
from servicedesk.tickets.models import Status, TicketEvent
from servicedesk.works.models import CompletedWork, Material, Unit
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import (
    CompanyFactory,
    EquipmentFactory,
    MembershipFactory,
    SiteFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def text(page: Page, test_id: str, index: int = 0) -> str:
    """A part's text with no-break spaces (the thousands' separator) as plain spaces."""
    return page.get_by_test_id(test_id).nth(index).inner_text().replace("\xa0", " ").strip()


def test_an_engineer_records_changes_and_deletes_a_work(live_server, page_for):
    base = live_server.url
    # Given a ticket assigned to the engineer, at a shop's till, and the reference data
    repair, _ = WorkType.objects.update_or_create(
        code="repair", defaults={"name_ru": "Ремонт", "name_en": "Repair", "price": 1500}
    )
    Material.objects.create(
        code="thermal-head", name_ru="Термоголовка", name_en="Thermal head",
        unit=Unit.PIECE, price=Decimal("2500.00"),
    )  # fmt: skip
    company = CompanyFactory(name="Альфа-Ритейл")
    till = EquipmentFactory(site=SiteFactory(company=company, name="Магазин"), name="Касса №1")
    customer = MembershipFactory(company=company).user
    engineer = UserFactory(engineer=True, full_name="Инженеров Евгений", hourly_rate=500)
    UserFactory(dispatcher=True, full_name="Диспетчерова Дарья", hourly_rate=400)
    ticket = TicketFactory(
        company=company, contact=customer, site=till.site, equipment=till,
        assignee=engineer, status=Status.IN_PROGRESS, subject="Касса не печатает",
    )  # fmt: skip
    page = page_for("ru-RU")
    sign_in(page, base, engineer.email)

    # When the engineer opens the ticket's «Выполнение» tab and adds a work
    page.goto(f"{base}/backoffice/tickets/{ticket.number}/")
    page.get_by_test_id("tab-works").click()
    expect(page.get_by_test_id("works-empty")).to_be_visible()
    page.get_by_test_id("work-add").click()
    form = page.get_by_test_id("work-form")
    expect(form.get_by_test_id("work-place")).to_contain_text("Касса №1")
    form.locator("select[name=work_type]").select_option(str(repair.pk))
    # The ticket's engineer is the first, with his card's rate
    expect(form.locator("select[name=engineers-0-engineer]")).to_have_value(str(engineer.pk))
    expect(form.locator("input[name=engineers-0-hourly_rate]")).to_have_value("500.00")
    form.locator("input[name=engineers-0-started_at]").fill("2026-03-02T10:00")
    form.locator("input[name=engineers-0-finished_at]").fill("2026-03-02T11:35")
    form.get_by_test_id("add-engineer").click()
    second = form.get_by_test_id("engineer-row").nth(1)
    second.locator("select").select_option(label="Диспетчерова Дарья")
    expect(second.locator("input[name$=hourly_rate]")).to_have_value("400.00")
    second.locator("input[name$=started_at]").fill("2026-03-02T10:00")
    second.locator("input[name$=finished_at]").fill("2026-03-02T10:30")
    material = form.get_by_test_id("material-row").first
    material.locator("select[name$=-material]").select_option(label="Термоголовка")
    expect(material.locator("input[name$=-name]")).to_have_value("Термоголовка")
    expect(material.locator("select[name$=-unit]")).to_have_value("pcs")
    expect(material.locator("input[name$=-price]")).to_have_value("2500.00")
    material.locator("input[name$=-quantity]").fill("2")
    form.locator("textarea[name=comment]").fill("Заменили термоголовку.")
    form.locator("textarea[name=internal_note]").fill("Ключ от подсобки у охраны.")
    form.get_by_test_id("work-save").click()

    # Then the tab shows the work: 500 × 1 h 35 min → 2 h → 1 000,00; 400 × 30 min → 400,00
    expect(page.get_by_test_id("work")).to_have_count(1)
    assert text(page, "engineer-hours", 0) == "2 ч"
    assert text(page, "engineer-amount", 0) == "1 000,00 ₽"
    assert text(page, "engineer-hours", 1) == "1 ч"
    assert text(page, "engineer-amount", 1) == "400,00 ₽"
    assert text(page, "material-amount") == "5 000,00 ₽"
    # 1 500 + 1 000 + 400 + 5 000
    assert text(page, "work-amount") == "7 900,00 ₽"
    assert text(page, "works-total") == "7 900,00 ₽"
    expect(page.get_by_test_id("work-note")).to_contain_text("Ключ от подсобки у охраны.")
    expect(page.get_by_test_id("works-count")).to_have_text("1")

    # When he changes it: one thermal head, and the second engineer removed
    page.get_by_test_id("work-edit").click()
    form = page.get_by_test_id("work-form")
    form.locator("input[name=materials-0-quantity]").fill("1")
    form.get_by_test_id("engineer-row").nth(1).get_by_test_id("row-remove").check()
    form.get_by_test_id("work-save").click()

    # Then the amounts follow: 1 500 + 1 000 + 2 500
    expect(page.get_by_test_id("work-engineer")).to_have_count(1)
    assert text(page, "work-amount") == "5 000,00 ₽"
    assert text(page, "works-total") == "5 000,00 ₽"

    # When he deletes it (and confirms)
    page.get_by_test_id("work-delete").click()
    page.get_by_test_id("work-delete-confirm").click()

    # Then the tab is empty again, and the timeline has told staff of each change
    expect(page.get_by_test_id("works-empty")).to_be_visible()
    assert text(page, "works-total") == "0,00 ₽"
    assert not CompletedWork.objects.exists()
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["work_added", "work_changed", "work_deleted"]
    page.get_by_test_id("tab-ticket").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Работа добавлена")
    expect(page.get_by_test_id("timeline")).to_contain_text("Ремонт, 3 ч")
    assert page.console_errors == []
    assert page.failed_responses == []
