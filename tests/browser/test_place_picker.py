"""The create form's site/equipment picker in a real browser: on a phone a customer finds a piece
of equipment by typing part of its name and reads its whole name and serial number (nothing is
cut at the screen's edge); staff choose and clear a place with the keyboard on the back office's
form; and without JavaScript every place is listed and the choice is posted."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from servicedesk.tickets.models import Ticket
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import (
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

PHONE = {"width": 390, "height": 844}
LONG_NAME = "Кондиционер серверной прецизионный двухконтурный с резервированием"
LONG_SERIAL = "DK-2024-117-00042-RU-MOSCOW"


def estate() -> dict[str, Any]:
    """A company whose server room holds equipment with long names, among many other places."""
    alfa = CompanyFactory(name="Альфа-Ритейл")
    office = SiteFactory(company=alfa, name="Головной офис", address="г. Москва, ул. Тверская, 10")
    room = SiteFactory(parent=office, name="3 этаж, серверная")
    chiller = EquipmentFactory(
        site=room, name=LONG_NAME, model="Daikin FTXM50", serial_number=LONG_SERIAL
    )
    EquipmentFactory(site=room, name="Сервер 1С", serial_number="HPE-DL380-7731")
    for n in range(12):
        shop = SiteFactory(company=alfa, name=f"Магазин №{n + 1}", address=f"ул. Арбат, {n + 1}")
        EquipmentFactory(site=shop, name=f"Касса №{n + 1}", serial_number=f"ATL-55-{n:03d}")
    contract = ContractFactory(company=alfa, number="A-7", name="Климат", equipment=[chiller])
    return {"company": alfa, "room": room, "chiller": chiller, "contract": contract}


CLIPPED = """([selector, scrolled]) => {
  // Measured at one moment (the page may be scrolling smoothly to a focused row).
  const list = document.querySelector("[data-testid=place]").getBoundingClientRect();
  const found = [...document.querySelectorAll(selector)];
  if (!found.length) { return ["nothing matches " + selector]; }
  return found.flatMap((element) => {
    const box = element.getBoundingClientRect();
    const problems = [];
    if (box.width === 0) { problems.push("not shown"); }
    if (element.scrollWidth > element.clientWidth) { problems.push("text wider than its box"); }
    if (box.left < list.left - 0.5 || box.right > list.right + 0.5) {
      problems.push("out of the list");
    }
    if (!scrolled && (box.top < list.top - 0.5 || box.bottom > list.bottom + 0.5)) {
      problems.push("out of the list's height");
    }
    if (box.left < 0 || box.right > document.documentElement.clientWidth) {
      problems.push("out of the viewport");
    }
    return problems.map((problem) => element.textContent + ": " + problem);
  });
}"""


def not_clipped(page: Page, selector: str, *, scrolled: bool = False) -> None:
    """Each element found shows all of its text (its content is no wider than its box) and lies
    inside the viewport's width and inside the picker's list (`scrolled`: a long list, whose
    rows are checked across only, as most are scrolled out of the list's box)."""
    assert page.evaluate(CLIPPED, [selector, scrolled]) == []


def test_on_a_phone_a_customer_types_part_of_a_name_and_files_for_that_equipment(
    live_server, page_for, tmp_path
):
    # Given a customer of a company with a long-named chiller among many places, on a phone
    places = estate()
    customer = UserFactory(email="nina@alfa.test", language="ru")
    MembershipFactory(user=customer, company=places["company"])
    page = page_for(locale="ru-RU", **PHONE)
    sign_in(page, live_server.url, "nina@alfa.test")
    page.goto(f"{live_server.url}/portal/tickets/new/")
    form = page.get_by_test_id("ticket-form")
    form.locator("input[name=subject]").fill("Кондиционер течёт")

    # When they type part of its name into the search, the first thing of the field
    search = form.get_by_role("searchbox", name="Объект или оборудование")
    search.fill("прециз")

    # Then only it and the sites above it are listed, its full name and serial number readable
    chiller = form.get_by_role("radio", name=re.compile("прецизионный"))
    row = form.locator(
        "[data-place-row]", has=page.get_by_role("radio", name=re.compile("прецизионный"))
    )
    expect(row).to_be_visible()
    expect(row).to_contain_text(LONG_NAME)
    expect(row).to_contain_text(LONG_SERIAL)
    expect(form.locator("[data-place-row]", has_text="Головной офис")).to_be_visible()
    expect(form.locator("[data-place-row]", has_text="Сервер 1С")).to_be_hidden()
    # "Not specified", the office, the room and the chiller
    expect(form.locator("[data-place-row]:not([hidden])")).to_have_count(4)
    row.scroll_into_view_if_needed()
    not_clipped(page, "[data-place-row]:not([hidden]) .place-name")
    not_clipped(page, "[data-place-row]:not([hidden]) .place-detail > span")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # and Enter in the search chooses it: shown as chosen above the list, its contract offered
    search.press("Enter")
    expect(chiller).to_be_checked()
    expect(chiller).to_be_focused()
    chosen = form.get_by_test_id("place-chosen")
    expect(chosen).to_contain_text(LONG_NAME)
    expect(chosen).to_contain_text("Головной офис › 3 этаж, серверная")
    expect(form.locator("select[name=contract]")).to_contain_text("A-7 — Климат")
    not_clipped(page, "[data-place-row]:has(:checked) .place-name")
    page.screenshot(path=str(tmp_path / "picker-phone.png"), full_page=True)

    # A search that matches nothing says so, and the choice stays in sight
    search.fill("нет такого")
    expect(form.locator("[data-place-empty]")).to_be_visible()
    expect(chosen).to_contain_text(LONG_NAME)

    form.get_by_test_id("submit").click()
    expect(page.get_by_test_id("ticket-created")).to_be_visible()
    ticket = Ticket.objects.get()
    assert (ticket.equipment, ticket.site) == (places["chiller"], places["room"])
    assert page.console_errors == []


def test_after_an_error_the_chosen_place_is_still_chosen(live_server, page_for):
    places = estate()
    customer = UserFactory(email="nina@alfa.test", language="en")
    MembershipFactory(user=customer, company=places["company"])
    page = page_for(locale="en-US", **PHONE)
    sign_in(page, live_server.url, "nina@alfa.test")
    page.goto(f"{live_server.url}/portal/tickets/new/")
    form = page.get_by_test_id("ticket-form")
    form.get_by_role("searchbox", name="Site or equipment").fill("1С")
    form.get_by_role("radio", name="Сервер 1С").check()

    # When it is sent without a subject
    form.get_by_test_id("submit").click()

    # Then the form comes back with the server still chosen, named above the list
    expect(form.get_by_test_id("form-has-errors")).to_be_visible()
    expect(form.get_by_role("radio", name="Сервер 1С")).to_be_checked()
    expect(form.get_by_test_id("place-chosen")).to_contain_text("Сервер 1С")
    form.locator("input[name=subject]").fill("The server is down")
    form.get_by_test_id("submit").click()
    expect(page.get_by_test_id("ticket-created")).to_be_visible()
    assert Ticket.objects.get().equipment.name == "Сервер 1С"


def test_staff_choose_and_clear_a_place_with_the_keyboard(live_server, page_for, tmp_path):
    # Given a dispatcher filing on behalf of a customer of the company (one of two)
    places = estate()
    CompanyFactory(name="Бета-Логистик")
    contact = UserFactory(email="nina@alfa.test")
    MembershipFactory(user=contact, company=places["company"])
    UserFactory(email="desk@provider.test", dispatcher=True, language="en")
    page = page_for(locale="en-US", width=1366, height=900)
    sign_in(page, live_server.url, "desk@provider.test")
    page.goto(f"{live_server.url}/backoffice/tickets/new/")
    form = page.get_by_test_id("behalf-form")
    expect(form.get_by_test_id("place")).to_contain_text("Choose the company first")

    # When the company and the person are chosen, the person's places arrive
    form.locator("select[name=company]").select_option(label="Альфа-Ритейл")
    expect(form.locator(f'select[name=contact] option[value="{contact.pk}"]')).to_be_attached()
    form.locator("select[name=contact]").select_option(str(contact.pk))
    page.wait_for_load_state("networkidle")
    # and they type the end of a serial number
    search = form.get_by_role("searchbox", name="Site or equipment")
    search.fill("00042-ru")
    search.press("ArrowDown")  # to the list: the first match
    chiller = form.get_by_role("radio", name=re.compile("прецизионный"))
    expect(chiller).to_be_focused()
    expect(chiller).not_to_be_checked()
    page.keyboard.press("Space")
    expect(chiller).to_be_checked()
    expect(form.get_by_test_id("place-chosen")).to_contain_text(LONG_NAME)
    expect(form.locator("select[name=contract]")).to_contain_text("A-7 — Климат")
    not_clipped(page, "[data-place-row]:not([hidden]) .place-name")
    page.screenshot(path=str(tmp_path / "picker-backoffice.png"), full_page=True)

    # A letter typed on the list goes on into the search; Escape clears it
    page.keyboard.type("к")
    expect(search).to_be_focused()
    expect(search).to_have_value("00042-ruк")
    search.press("Escape")
    expect(search).to_have_value("")
    expect(form.locator("[data-place-row]", has_text="Касса №12")).to_be_visible()

    # and the choice can be cleared: "Not specified", the contract list follows
    form.get_by_role("button", name="Clear the choice").click()
    expect(form.get_by_role("radio", name="Not specified")).to_be_checked()
    expect(form.get_by_test_id("place-chosen")).to_be_hidden()
    expect(search).to_be_focused()
    search.fill("Касса №3")
    search.press("Enter")
    form.locator("input[name=subject]").fill("Till is broken")
    form.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/created/$"))
    assert Ticket.objects.get().equipment.name == "Касса №3"
    assert page.console_errors == []


def test_without_javascript_every_place_is_listed_and_the_choice_is_posted(live_server, page_for):
    places = estate()
    customer = UserFactory(email="nina@alfa.test", language="en")
    MembershipFactory(user=customer, company=places["company"])
    page = page_for(locale="en-US", java_script_enabled=False, **PHONE)
    sign_in(page, live_server.url, "nina@alfa.test")
    page.goto(f"{live_server.url}/portal/tickets/new/")
    form = page.get_by_test_id("ticket-form")

    # Every site and piece of equipment is a visible radio; the search (which needs the script)
    # is not offered
    expect(form.get_by_role("radio")).to_have_count(1 + 2 + 2 + 12 * 2)
    expect(form.locator("[data-place-search]")).to_be_hidden()
    form.get_by_role("radio", name=re.compile("прецизионный")).check()
    not_clipped(page, "[data-place-row] .place-name", scrolled=True)
    form.locator("input[name=subject]").fill("Leaking")
    form.locator("input[name=subject]").press("Enter")

    expect(page.get_by_test_id("ticket-created")).to_be_visible()
    assert Ticket.objects.get().equipment == places["chiller"]
