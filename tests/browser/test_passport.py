"""The QR passport on a phone, in Chromium (390 px wide): a visitor scans the label (opens the
passport URL), registers by email with the code from the real mail (aiosmtpd), files a ticket
with a photo from the camera input, and from then on sees only that piece of equipment: in the
ticket form's place picker, in the ticket lists and their counts, and among the companies'
equipment."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from servicedesk.accounts.models import User
from servicedesk.customers.models import (
    Criticality,
    PassportPublication,
    PassportTemplate,
    TicketType,
)
from servicedesk.tickets.models import Ticket, TicketAttachment
from tests.factories import CompanyFactory, EquipmentFactory, SiteFactory, TicketFactory
from tests.mail_server import text_part

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site_url(settings, live_server):
    settings.SITE_URL = live_server.url
    return live_server.url


def test_a_visitor_scans_registers_files_and_then_sees_only_that_equipment(
    live_server, site_url, smtp_email, page_for, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Given Alfa's boiler with a passport, other equipment of Alfa with its own tickets,
    # a QR ticket template, and the serial number published
    alfa = CompanyFactory(name="Alfa Retail")
    office = SiteFactory(company=alfa, name="Head office")
    boiler = EquipmentFactory(site=office, name="Gas boiler", serial_number="GB-77", model="V200")
    other = EquipmentFactory(site=office, name="Server rack")
    TicketFactory(equipment=other, subject="Rack is noisy")
    TicketFactory(company=alfa, subject="Company-wide matter")
    PassportPublication.objects.create(equipment_type="", show_serial=True, show_model=True)
    PassportTemplate.objects.create(
        company=alfa,
        ticket_type=TicketType.objects.filter(is_active=True).first(),
        criticality=Criticality.objects.filter(is_active=True).first(),
    )
    photo = tmp_path / "leak.jpg"
    Image.new("RGB", (640, 480), "#3366aa").save(photo, format="JPEG")
    page = page_for(locale="en-US", **PHONE)

    # When they open the URL from the label
    page.goto(f"{live_server.url}/p/{boiler.passport_token}/")
    expect(page.get_by_test_id("passport-name")).to_have_text("Gas boiler")
    expect(page.get_by_test_id("passport-serial")).to_have_text("GB-77")
    expect(page.get_by_test_id("passport-history")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "1-passport.png"), full_page=True)

    # and press «File a ticket», then register by email
    page.get_by_test_id("passport-file").click()
    form = page.get_by_test_id("passport-register")
    form.locator("input[name=full_name]").fill("Nina Scanner")
    form.locator("input[name=identifier]").fill("nina@example.test")
    page.screenshot(path=str(tmp_path / "2-register.png"), full_page=True)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("passport-code-sent")).to_contain_text("nina@example.test")

    # Then the code arrives by mail; typed in, it makes the account and signs them in
    [message] = smtp_email.wait_for(1)
    code = re.search(r"\b(\d{6})\b", text_part(message)).group(1)
    page.get_by_test_id("passport-confirm").locator("input[name=code]").fill(code)
    page.get_by_test_id("passport-confirm").locator("button[type=submit]").click()

    # and they describe the problem with a photo from the camera input, and send it
    ticket_form = page.get_by_test_id("passport-ticket-form")
    ticket_form.locator("textarea[name=description]").fill("Water under the boiler")
    camera = ticket_form.locator("input[type=file]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    camera.set_input_files(str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "3-form.png"), full_page=True)
    ticket_form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("passport-filed")).to_be_visible()
    page.screenshot(path=str(tmp_path / "4-filed.png"), full_page=True)

    nina = User.objects.get(email="nina@example.test")
    ticket = Ticket.objects.get(contact=nina)
    assert (ticket.origin, ticket.equipment, ticket.description) == (
        "qr",
        boiler,
        "Water under the boiler",
    )
    assert TicketAttachment.objects.get(ticket=ticket).name == "leak.jpg"
    expect(page.get_by_test_id("passport-filed")).to_contain_text(ticket.number)

    # From now on they see only the boiler: its passport shows the history,
    page.goto(f"{live_server.url}/p/{boiler.passport_token}/")
    expect(page.get_by_test_id("passport-history")).to_contain_text(ticket.number)
    page.screenshot(path=str(tmp_path / "5-passport-signed-in.png"), full_page=True)

    # the ticket form's picker offers nothing else,
    page.goto(f"{live_server.url}/portal/tickets/new/")
    picker = page.locator("[data-place-picker]")
    expect(picker).to_contain_text("Gas boiler")
    expect(picker).not_to_contain_text("Server rack")

    # the ticket list and its counts hold their one ticket,
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator("a.ticket-number")).to_have_count(1)
    expect(page.locator("a.ticket-number")).to_have_attribute("aria-label", ticket.number)
    expect(page.get_by_text("Rack is noisy")).to_have_count(0)
    expect(page.get_by_text("Company-wide matter")).to_have_count(0)
    counts = [int(text) for text in page.get_by_test_id("view-count").all_inner_texts()]
    assert counts and max(counts) == 1
    page.screenshot(path=str(tmp_path / "6-portal.png"), full_page=True)

    # and among the company's equipment there is one piece
    page.goto(f"{live_server.url}/portal/companies/")
    expect(page.get_by_test_id("company-equipment")).to_have_count(1)
    expect(page.get_by_test_id("company-equipment")).to_have_text("Gas boiler")
    assert page.console_errors == []
    assert page.failed_responses == []


def test_a_rotated_label_says_so_on_the_phone(live_server, page_for, tmp_path):
    from servicedesk.customers.passport import passport_token_rotate

    boiler = EquipmentFactory(name="Gas boiler")
    old = boiler.passport_token
    passport_token_rotate(obj=boiler)
    page = page_for(locale="en-US", **PHONE)
    response = page.goto(f"{live_server.url}/p/{old}/")
    assert response.status == 410
    expect(page.get_by_test_id("passport-retired")).to_be_visible()
    expect(page.get_by_text("Gas boiler")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "7-retired.png"), full_page=True)
