"""A customer files a ticket in a real browser: picks equipment and a contract (the pickers
update over htmx), drops a file onto the form, sends it and sees the number."""

import re

import pytest
from playwright.sync_api import Page, expect

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets.models import Ticket
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    ContractFactory,
    EquipmentFactory,
    MembershipFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DROP_FILE = """([selector, name, text]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type: "text/plain" }));
  const target = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


@pytest.fixture(autouse=True)
def _reference_lists() -> None:
    """The ticket types and criticalities come from a data migration; a transactional test that
    ran before in this worker may have flushed them, so make sure there is one of each."""
    TicketType.objects.get_or_create(code="repair", defaults={"name_ru": "Ремонт"})
    if not Criticality.objects.filter(is_default=True).exists():
        Criticality.objects.get_or_create(
            code="normal", defaults={"name_ru": "Обычная", "is_default": True}
        )


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()


def test_a_customer_files_a_ticket_with_equipment_a_contract_and_a_dropped_file(
    live_server, page_for, tmp_path
):
    # Given a customer of two companies, one with a shop, its till and a contract for the till
    alfa = CompanyFactory(name="Alfa Retail")
    beta = CompanyFactory(name="Beta Logistics")
    shop = SiteFactory(company=alfa, name="Alfa shop")
    till = EquipmentFactory(site=shop, name="Alfa till", serial_number="T-1")
    EquipmentFactory(company=beta, name="Beta forklift", serial_number="F-1")
    contract = ContractFactory(company=alfa, number="A-7", name="Till care", equipment=[till])
    customer = UserFactory(email="nina@alfa.test", language="en")
    MembershipFactory(user=customer, company=alfa)
    MembershipFactory(user=customer, company=beta)
    page = page_for(locale="en-US")
    sign_in(page, live_server.url, "nina@alfa.test")

    # When they open the form and choose the company: its equipment appears, not the other's
    page.goto(f"{live_server.url}/portal/tickets/new/")
    form = page.locator("[data-testid=ticket-form]")
    form.locator("input[name=subject]").fill("Till does not print receipts")
    form.locator("textarea[name=description]").fill("Since this morning.")
    expect(form.locator("[data-char-count]")).to_have_text("19")
    form.locator("select[name=company]").select_option(label="Beta Logistics")
    expect(form.get_by_test_id("place")).to_contain_text("Beta forklift")
    form.locator("select[name=company]").select_option(label="Alfa Retail")
    place = form.get_by_test_id("place")
    expect(place).to_contain_text("Alfa till")
    expect(place).not_to_contain_text("Beta forklift")
    # the search narrows the tree, keeping the site above a match
    form.locator("[data-place-search]").fill("till")
    expect(place.locator("[data-place-row]", has_text="Alfa shop")).to_be_visible()
    place.get_by_role("radio", name="Alfa till").check()
    contract_select = form.locator("select[name=contract]")
    expect(contract_select).to_contain_text("A-7 — Till care")
    contract_select.select_option(str(contract.pk))
    # What was typed elsewhere is untouched by the pickers
    expect(form.locator("input[name=subject]")).to_have_value("Till does not print receipts")

    # and drop a file onto the form
    page.evaluate(DROP_FILE, ["[data-testid=ticket-form]", "receipt-log.txt", "paper jam\n"])
    expect(form.locator("[data-file-list]")).to_contain_text("receipt-log.txt")
    # a file of a refused type is named, and not added
    page.evaluate(DROP_FILE, ["[data-testid=ticket-form]", "virus.exe", "MZ"])
    expect(form.locator("[data-file-errors]")).to_contain_text("virus.exe")
    expect(form.locator("[data-file-list] li")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "create-form.png"), full_page=True)
    form.locator("[data-testid=submit]").click()

    # Then the confirmation shows the number
    expect(page.locator("[data-testid=ticket-created]")).to_be_visible()
    ticket = Ticket.objects.get()
    expect(page.locator("[data-testid=ticket-number]")).to_have_text(ticket.number)
    assert re.fullmatch(r"\d{8}", ticket.number)
    assert (ticket.company, ticket.equipment, ticket.site) == (alfa, till, shop)
    assert ticket.contract == contract
    assert list(ticket.attachments.values_list("name", flat=True)) == ["receipt-log.txt"]
    page.screenshot(path=str(tmp_path / "create-done.png"), full_page=True)
    assert page.console_errors == []
    assert page.failed_responses == []


def test_after_an_error_the_text_and_the_dropped_file_are_kept(live_server, page_for):
    alfa = CompanyFactory(name="Alfa Retail")
    customer = UserFactory(email="nina@alfa.test", language="en")
    MembershipFactory(user=customer, company=alfa)
    page = page_for(locale="en-US")
    sign_in(page, live_server.url, "nina@alfa.test")
    page.goto(f"{live_server.url}/portal/tickets/new/")
    form = page.locator("[data-testid=ticket-form]")
    form.locator("textarea[name=description]").fill("No subject yet")
    page.evaluate(DROP_FILE, ["[data-testid=ticket-form]", "notes.txt", "hello\n"])

    # When it is sent without a subject
    form.locator("[data-testid=submit]").click()

    # Then the form comes back with the error, the text and the file
    form = page.locator("[data-testid=ticket-form]")
    expect(form.locator("[data-testid=form-has-errors]")).to_be_visible()
    expect(form.locator("textarea[name=description]")).to_have_value("No subject yet")
    expect(form.locator("[data-file-list]")).to_contain_text("notes.txt")
    expect(form.locator("[data-files-kept]")).to_be_visible()
    form.locator("input[name=subject]").fill("Now with a subject")
    form.locator("[data-testid=submit]").click()
    expect(page.locator("[data-testid=ticket-created]")).to_be_visible()
    assert list(Ticket.objects.get().attachments.values_list("name", flat=True)) == ["notes.txt"]


def test_a_file_chosen_before_the_form_script_ran_is_listed(live_server, page_for):
    # Given a slow page whose form script has not arrived yet
    alfa = CompanyFactory(name="Alfa Retail")
    MembershipFactory(user__email="nina@alfa.test", company=alfa)
    page = page_for(locale="en-US")
    sign_in(page, live_server.url, "nina@alfa.test")
    held = []
    page.route("**/js/ticket_form.js", lambda route: held.append(route))
    page.goto(f"{live_server.url}/portal/tickets/new/", wait_until="commit")

    # When a file is chosen in that moment
    files = page.locator("[data-testid=ticket-form] input[type=file][name=attachments]")
    files.set_input_files([{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hi\n"}])
    assert len(held) == 1
    expect(page.locator("[data-file-list]")).to_be_empty()
    held[0].continue_()

    # Then, once the script runs, the file is listed with its size like any other
    expect(page.locator("[data-file-list] li")).to_have_count(1)
    expect(page.locator("[data-file-list]")).to_contain_text("notes.txt")
    assert page.console_errors == []


@pytest.mark.parametrize(
    ("language", "locale", "listed", "too_big"),
    [
        ("ru", "ru-RU", "2,0\u00a0КБ", "«big.txt» больше 3,0\u00a0КБ."),
        ("en", "en-US", "2.0\u00a0KB", "“big.txt” is larger than 3.0\u00a0KB."),
    ],
)
def test_file_sizes_are_written_in_the_readers_language(
    live_server, page_for, settings, language, locale, listed, too_big
):
    # Given a customer reading the form in their language, and a limit of 3 KB a file
    settings.ATTACHMENT_MAX_BYTES = 3 * 1024
    alfa = CompanyFactory(name="Alfa Retail")
    MembershipFactory(user__email="nina@alfa.test", user__language=language, company=alfa)
    page = page_for(locale=locale)
    sign_in(page, live_server.url, "nina@alfa.test")
    page.goto(f"{live_server.url}/portal/tickets/new/")
    form = page.locator("[data-testid=ticket-form]")

    # When they drop a file of 2 KB and one of 4 KB
    page.evaluate(DROP_FILE, ["[data-testid=ticket-form]", "notes.txt", "x" * 2048])
    page.evaluate(DROP_FILE, ["[data-testid=ticket-form]", "big.txt", "x" * 4096])

    # Then the sizes say what the server's help text says, in the same words
    expect(form.locator("[data-file-list] li")).to_have_count(1)
    expect(form.locator("[data-file-list]")).to_contain_text(listed)
    expect(form.locator("[data-file-errors]")).to_have_text(too_big)
    assert page.console_errors == []
