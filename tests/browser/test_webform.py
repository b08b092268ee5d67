"""The web form on the provider's site, in Chromium: the form inside an iframe on a page served
from another port (a tiny http.server standing in for the provider's site), filled and sent; the
confirmation arrives through a real SMTP server (aiosmtpd); its status link shows the ticket and
takes a reply."""

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conversations.models import Message
from servicedesk.customers.models import Criticality, TicketType
from servicedesk.intake.models import FieldMode, GuestFiling, WebForm
from servicedesk.tickets.models import Origin, Ticket
from tests.conftest import PNG
from tests.factories import CompanyFactory
from tests.mail_server import text_part

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = re.compile(r"(http://[^/\s]+/t/[^/\s]+/)")


class HostSite:
    """The provider's own site: one page with the form's script tag."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                data = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def site_url(settings: Any, live_server: Any) -> str:
    settings.SITE_URL = live_server.url
    return str(live_server.url)


def test_a_visitor_files_through_the_embedded_form_and_follows_the_ticket(
    live_server: Any,
    site_url: str,
    page_for: Any,
    host_site: HostSite,
    smtp_email: Any,
    tmp_path: Path,
) -> None:
    # Given a web form that the provider's site (another origin) may frame
    inbox = CompanyFactory(name="Заявки с сайта")
    webform = WebForm.objects.create(
        name="Форма на сайте",
        title="Оставьте заявку",
        intro="Мы ответим в течение рабочего дня.",
        company=inbox,
        ticket_type=TicketType.objects.filter(is_active=True).first()
        or TicketType.objects.create(code="t", name_ru="Запрос", name_en="Request"),
        criticality=Criticality.objects.filter(is_active=True).first()
        or Criticality.objects.create(code="c", name_ru="Обычная", name_en="Normal"),
        field_phone=FieldMode.OPTIONAL,
        field_equipment_model=FieldMode.OPTIONAL,
        field_files=FieldMode.OPTIONAL,
        allowed_origins=host_site.origin,
    )
    host_site.html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Сервис-Про</title></head>"
        "<body><h1>Сервис-Про: обслуживание котельных</h1>"
        f'<script src="{live_server.url}/static/js/webform-embed.js" '
        f'data-form="{live_server.url}/f/{webform.key}/embed/" async></script>'
        "<footer>© Сервис-Про</footer></body></html>"
    )
    photo = tmp_path / "boiler.png"
    photo.write_bytes(PNG)

    # When a visitor opens the provider's page, the script puts the form in an iframe
    page: Page = page_for(width=900)
    page.goto(host_site.origin + "/")
    iframe = page.locator("iframe[data-servicedesk-webform]")
    expect(iframe).to_have_count(1)
    form = page.frame_locator("iframe[data-servicedesk-webform]")
    expect(form.locator("[data-testid=webform-title]")).to_have_text("Оставьте заявку")
    # and the iframe takes the form's height (told by the frame, set by the host's script)
    page.wait_for_function(
        "() => /px$/.test(document.querySelector('iframe[data-servicedesk-webform]').style.height)"
    )
    height = iframe.evaluate("f => f.getBoundingClientRect().height")
    assert height > 400

    # and fills it in and sends it, with a photo
    form.locator("input[name=name]").fill("Пётр Гостев")
    form.locator("input[name=email]").fill("petr@example.test")
    form.locator("input[name=equipment_model]").fill("Котёл КВ-100")
    form.locator("textarea[name=description]").fill("Котёл не держит температуру")
    form.locator("input[name=files]").set_input_files(str(photo))
    form.locator("[data-testid=webform-submit]").click()

    # Then the frame thanks them with the ticket's number and status link
    expect(form.locator("[data-testid=webform-sent]")).to_be_visible()
    ticket = Ticket.objects.get()
    assert ticket.origin == Origin.WEB_FORM
    assert [a.name for a in ticket.attachments.all()] == ["boiler.png"]
    expect(form.locator("[data-testid=webform-number]")).to_have_text(ticket.number)
    filing = GuestFiling.objects.get()
    assert filing.webform_id == webform.pk

    # and the confirmation arrives by email with the same link
    smtp_email.wait_for(1)
    (sent,) = [m for m in smtp_email.messages if m["To"] == "petr@example.test"]
    assert ticket.number in str(sent["Subject"])
    found = LINK.search(text_part(sent))
    assert found, text_part(sent)
    link = found.group(1)
    expect(form.locator("[data-testid=webform-status-link]")).to_have_text(link)

    # When they open the link (no account, no sign-in)
    status_page: Page = page_for()
    status_page.goto(link)

    # Then they see the ticket and its stage
    expect(status_page.locator("[data-testid=guest-ticket]")).to_contain_text(ticket.number)
    expect(status_page.locator("[data-testid=guest-status]")).to_have_text("Новая")

    # and their reply is posted on the ticket, as them
    status_page.locator("textarea[name=body]").fill("Фото шильдика приложу позже.")
    status_page.locator("[data-testid=guest-send]").click()
    expect(status_page.locator("[data-testid=guest-message]")).to_contain_text(
        "Фото шильдика приложу позже."
    )
    message = Message.objects.get(ticket=ticket)
    assert (message.author_id, message.is_internal) == (filing.contact_id, False)
    for p in (page, status_page):
        assert p.failed_responses == []
        assert p.console_errors == []
