"""The public web form, /f/<key>/ and /f/<key>/embed/: fields as configured, the ticket and
its confirmation, the honeypot, the limits, the captcha (against a local HTTP server standing in
for the provider), framing, and hostile files."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from servicedesk.accounts.models import User
from servicedesk.intake.models import FieldMode, GuestFiling, WebForm
from servicedesk.intake.webforms import webform_save
from servicedesk.tickets.models import Origin, Ticket
from tests.conftest import PNG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def webform(inbox_company: Any, references: tuple[Any, Any]) -> WebForm:
    ticket_type, criticality = references
    return WebForm.objects.create(
        name="Форма на сайте",
        title="Оставьте заявку",
        company=inbox_company,
        ticket_type=ticket_type,
        criticality=criticality,
        field_phone=FieldMode.OPTIONAL,
        field_company_name=FieldMode.OPTIONAL,
        field_equipment_model=FieldMode.OPTIONAL,
        field_files=FieldMode.OPTIONAL,
        allowed_origins="https://www.example.test\nhttp://127.0.0.1:9999",
    )


GOOD = {
    "name": "Пётр Гостев",
    "email": "petr@example.test",
    "phone": "+7 912 345-67-89",
    "company_name": "ООО Ромашка",
    "equipment_model": "Котёл КВ-100",
    "description": "Котёл не держит температуру\nС утра 40 градусов вместо 70.",
}


def _post(client: Client, webform: WebForm, data: dict[str, Any], **extra: Any) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/f/{webform.key}/", data, **extra)


def _nothing_stored() -> None:
    assert Ticket.objects.count() == 0
    assert GuestFiling.objects.count() == 0
    assert not User.objects.filter(email="petr@example.test").exists()
    assert mail.outbox == []


def test_the_page_shows_the_fields_the_form_names(client: Client, webform: WebForm) -> None:
    response = client.get(f"/f/{webform.key}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Оставьте заявку" in page
    for name in ("name", "email", "phone", "company_name", "equipment_model", "description"):
        assert f'name="{name}"' in page
    assert 'name="work_type"' not in page  # not shown by this form
    assert 'name="website"' in page  # the honeypot


@pytest.mark.parametrize("key", ["nonsense", "inactive"])
def test_an_unknown_or_inactive_form_is_not_found(
    client: Client, webform: WebForm, key: str
) -> None:
    if key == "inactive":
        WebForm.objects.filter(pk=webform.pk).update(is_active=False)
        key = webform.key
    assert client.get(f"/f/{key}/").status_code == 404
    assert client.post(f"/f/{key}/", GOOD).status_code == 404
    _nothing_stored()


def test_a_submission_files_a_web_form_ticket_and_confirms_it(
    client: Client, webform: WebForm
) -> None:
    response = _post(client, webform, GOOD)

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.origin == Origin.WEB_FORM
    assert ticket.subject == "Котёл не держит температуру"
    assert ticket.company_id == webform.company_id
    assert "С утра 40 градусов вместо 70." in ticket.description
    for typed in (
        "Пётр Гостев",
        "+7 912 345-67-89",
        "ООО Ромашка",
        "Котёл КВ-100",
        "Форма на сайте",
    ):
        assert typed in ticket.description  # staff see who wrote, on the ticket itself
    filing = GuestFiling.objects.get()
    assert (filing.webform_id, filing.company_name, filing.equipment_model) == (
        webform.pk,
        "ООО Ромашка",
        "Котёл КВ-100",
    )
    page = response.content.decode()
    assert ticket.number in page
    assert "/t/" in page  # the status link, shown once
    (sent,) = [m for m in mail.outbox if m.to == ["petr@example.test"]]
    assert ticket.number in sent.subject


def test_missing_required_fields_keep_what_was_typed_and_store_nothing(
    client: Client, webform: WebForm
) -> None:
    response = _post(client, webform, {**GOOD, "email": "", "name": ""})
    assert response.status_code == 400
    assert "С утра 40 градусов" in response.content.decode()
    _nothing_stored()


def test_a_filled_honeypot_gets_thanks_and_nothing_happens(
    client: Client, webform: WebForm
) -> None:
    response = _post(client, webform, {**GOOD, "website": "http://spam.test"})
    assert response.status_code == 200
    assert 'data-testid="webform-sent"' in response.content.decode()
    _nothing_stored()


def test_per_address_limit_answers_429_and_stores_and_sends_nothing(
    client: Client, webform: WebForm
) -> None:
    WebForm.objects.filter(pk=webform.pk).update(limit_per_address=2)
    for n in range(2):
        assert _post(client, webform, {**GOOD, "email": f"p{n}@example.test"}).status_code == 200
    mail.outbox.clear()
    tickets = Ticket.objects.count()

    response = _post(client, webform, {**GOOD, "email": "p3@example.test"})

    assert response.status_code == 429
    assert "С утра 40 градусов" in response.content.decode()
    assert Ticket.objects.count() == tickets
    assert not User.objects.filter(email="p3@example.test").exists()
    assert mail.outbox == []


def test_per_email_limit_holds_whatever_the_client_address(
    client: Client, webform: WebForm
) -> None:
    """Nobody can mail one address again and again from many machines."""
    WebForm.objects.filter(pk=webform.pk).update(limit_per_address=1)
    assert _post(client, webform, GOOD, REMOTE_ADDR="10.0.0.1").status_code == 200
    mail.outbox.clear()
    response = _post(client, webform, GOOD, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert Ticket.objects.count() == 1
    assert mail.outbox == []


def test_per_form_limit_answers_429(client: Client, webform: WebForm) -> None:
    WebForm.objects.filter(pk=webform.pk).update(limit_per_form=2, limit_per_address=50)
    for n in range(2):
        data = {**GOOD, "email": f"p{n}@example.test", "phone": ""}
        assert _post(client, webform, data, REMOTE_ADDR=f"10.0.1.{n}").status_code == 200
    response = _post(
        client, webform, {**GOOD, "email": "p9@example.test", "phone": ""}, REMOTE_ADDR="10.0.1.9"
    )
    assert response.status_code == 429
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.png", b"<script>alert(1)</script>"), ("invoice.exe", b"MZ\x90\x00")],
)
def test_a_hostile_file_refuses_the_submission_and_keeps_the_text(
    client: Client, webform: WebForm, name: str, content: bytes
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = _post(client, webform, {**GOOD, "files": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="webform-error"' in page
    assert "С утра 40 градусов" in page
    _nothing_stored()


def test_a_photo_is_attached(client: Client, webform: WebForm) -> None:
    upload = SimpleUploadedFile("boiler.png", PNG, content_type="image/png")
    assert _post(client, webform, {**GOOD, "files": upload}).status_code == 200
    assert [a.name for a in Ticket.objects.get().attachments.all()] == ["boiler.png"]


# --- Framing ----------------------------------------------------------------------------------


def test_the_embeddable_page_may_be_framed_only_by_the_forms_sites(
    client: Client, webform: WebForm
) -> None:
    response = client.get(f"/f/{webform.key}/embed/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://www.example.test http://127.0.0.1:9999" in csp
    assert "X-Frame-Options" not in response
    assert "webform-frame" in response.content.decode()  # the height script


def test_an_embeddable_page_without_sites_may_be_framed_by_nobody(
    client: Client, webform: WebForm
) -> None:
    WebForm.objects.filter(pk=webform.pk).update(allowed_origins="")
    response = client.get(f"/f/{webform.key}/embed/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_standalone_page_is_never_framed(client: Client, webform: WebForm) -> None:
    response = client.get(f"/f/{webform.key}/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


# --- Captcha ----------------------------------------------------------------------------------


@dataclass
class CaptchaServer:
    url: str
    requests: list[dict[str, list[str]]] = field(default_factory=list)


@pytest.fixture
def captcha_server(settings: Any) -> Iterator[CaptchaServer]:
    """A provider's verification endpoint: the answer "good" passes, anything else fails; the
    Yandex flavour answers {"status": …}, the others {"success": …}."""
    server_state = CaptchaServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            fields = parse_qs(self.rfile.read(length).decode())
            server_state.requests.append(fields)
            answer = (fields.get("token") or fields.get("response") or [""])[0]
            ok = answer == "good" and fields.get("secret") == ["s3cret-value"]
            if self.path.startswith("/yandex"):
                body = {"status": "ok" if ok else "failed"}
            else:
                body = {"success": ok}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server_state.url = base
    settings.CAPTCHA_VERIFY_URLS = {
        "yandex": f"{base}/yandex",
        "hcaptcha": f"{base}/hcaptcha",
        "turnstile": f"{base}/turnstile",
    }
    yield server_state
    server.shutdown()
    server.server_close()


FIELDS = {
    "yandex": "smart-token",
    "hcaptcha": "h-captcha-response",
    "turnstile": "cf-turnstile-response",
}


def _with_captcha(webform: WebForm, provider: str) -> WebForm:
    webform.captcha_provider = provider
    webform.captcha_site_key = "site-key-123"
    return webform_save(webform=webform, captcha_secret="s3cret-value")


@pytest.mark.parametrize("provider", ["yandex", "hcaptcha", "turnstile"])
def test_a_confirmed_captcha_lets_the_submission_through(
    client: Client, webform: WebForm, captcha_server: CaptchaServer, provider: str
) -> None:
    _with_captcha(webform, provider)
    page = client.get(f"/f/{webform.key}/")
    assert "site-key-123" in page.content.decode()
    assert "s3cret-value" not in page.content.decode()

    response = _post(client, webform, {**GOOD, FIELDS[provider]: "good"})

    assert response.status_code == 200
    assert Ticket.objects.count() == 1
    (request,) = captcha_server.requests
    assert request["secret"] == ["s3cret-value"]


@pytest.mark.parametrize("provider", ["yandex", "hcaptcha", "turnstile"])
@pytest.mark.parametrize("answer", ["bad", ""])
def test_a_refused_captcha_stores_and_sends_nothing(
    client: Client, webform: WebForm, captcha_server: CaptchaServer, provider: str, answer: str
) -> None:
    _with_captcha(webform, provider)
    response = _post(client, webform, {**GOOD, FIELDS[provider]: answer})
    assert response.status_code == 400
    assert "С утра 40 градусов" in response.content.decode()
    _nothing_stored()


def test_an_unreachable_captcha_provider_is_a_refusal(
    client: Client, webform: WebForm, settings: Any
) -> None:
    from tests.mail_server import free_port

    _with_captcha(webform, "turnstile")
    settings.CAPTCHA_VERIFY_URLS = {"turnstile": f"http://127.0.0.1:{free_port()}/nobody"}
    response = _post(client, webform, {**GOOD, "cf-turnstile-response": "good"})
    assert response.status_code == 400
    _nothing_stored()


def test_the_captcha_widget_is_allowed_by_the_pages_policy(
    client: Client, webform: WebForm
) -> None:
    _with_captcha(webform, "turnstile")
    csp = client.get(f"/f/{webform.key}/embed/")["Content-Security-Policy"]
    assert "script-src 'self' https://challenges.cloudflare.com" in csp
    assert "frame-src" in csp
    assert "https://challenges.cloudflare.com" in csp.split("frame-src", 1)[1]
