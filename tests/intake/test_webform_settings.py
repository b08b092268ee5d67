"""The back office's web form settings (admins only): the list with submission counts, the
settings page with the live preview and the snippets, the captcha secret never shown back."""

from typing import Any

import pytest
from django.test import Client

from servicedesk.intake.models import FieldMode, GuestFiling, WebForm
from servicedesk.intake.webforms import webform_captcha_secret
from tests.conftest import login
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    return login(client, UserFactory(admin=True))


def _settings(inbox_company: Any, references: tuple[Any, Any], **overrides: Any) -> dict[str, Any]:
    ticket_type, criticality = references
    data: dict[str, Any] = {
        "name": "Сайт — русская версия",
        "is_active": "on",
        "title": "Оставьте заявку",
        "intro": "",
        "field_name": FieldMode.REQUIRED,
        "field_phone": FieldMode.OPTIONAL,
        "field_email": FieldMode.REQUIRED,
        "field_company_name": FieldMode.OFF,
        "field_equipment_model": FieldMode.OPTIONAL,
        "field_work_type": FieldMode.OFF,
        "field_description": FieldMode.REQUIRED,
        "field_files": FieldMode.OPTIONAL,
        "company": inbox_company.pk,
        "ticket_type": ticket_type.pk,
        "criticality": criticality.pk,
        "work_type": "",
        "confirm_email": "on",
        "allowed_origins": "https://www.example.test/\nhttp://localhost:8080",
        "limit_per_address": 3,
        "limit_per_form": 60,
        "captcha_provider": "",
        "captcha_site_key": "",
        "captcha_secret": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["dispatcher", "engineer", "customer"])
def test_only_admins_reach_the_settings_and_nothing_is_created_by_others(
    client: Client, inbox_company: Any, references: tuple[Any, Any], role: str
) -> None:
    user = UserFactory(**{role: True}) if role != "customer" else UserFactory()
    login(client, user)
    assert client.get("/backoffice/webforms/").status_code == 404
    response = client.post("/backoffice/webforms/new/", _settings(inbox_company, references))
    assert response.status_code == 404
    assert WebForm.objects.count() == 0


def test_an_admin_creates_a_form_and_sees_its_snippets(
    admin_client: Client, inbox_company: Any, references: tuple[Any, Any]
) -> None:
    response = admin_client.post(
        "/backoffice/webforms/new/",
        _settings(
            inbox_company,
            references,
            captcha_provider="turnstile",
            captcha_site_key="0x4AAA-site",
            captcha_secret="0x4AAA-very-secret",
        ),
    )
    assert response.status_code == 302
    webform = WebForm.objects.get()
    assert webform.allowed_origins == "https://www.example.test\nhttp://localhost:8080"
    assert webform_captcha_secret(webform) == "0x4AAA-very-secret"
    assert "0x4AAA-very-secret" not in webform.captcha_secret_encrypted

    page = admin_client.get(response["Location"]).content.decode()
    assert f"/f/{webform.key}/embed/" in page
    assert "webform-embed.js" in page
    assert 'data-testid="snippet-script"' in page
    assert "0x4AAA-very-secret" not in page  # never shown back
    assert 'data-testid="secret-stored"' in page


def test_saving_without_typing_the_secret_keeps_the_stored_one(
    admin_client: Client, inbox_company: Any, references: tuple[Any, Any]
) -> None:
    data = _settings(
        inbox_company,
        references,
        captcha_provider="hcaptcha",
        captcha_site_key="site",
        captcha_secret="kept-secret",
    )
    admin_client.post("/backoffice/webforms/new/", data)
    webform = WebForm.objects.get()
    data.update(captcha_secret="", name="Renamed")
    assert admin_client.post(f"/backoffice/webforms/{webform.pk}/", data).status_code == 302
    webform.refresh_from_db()
    assert (webform.name, webform_captcha_secret(webform)) == ("Renamed", "kept-secret")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"allowed_origins": "javascript:alert(1)"}, "allowed_origins"),
        ({"allowed_origins": "https://example.test/path"}, "allowed_origins"),
        ({"captcha_provider": "yandex"}, "captcha_site_key"),
        ({"confirm_sms": "on", "field_phone": FieldMode.OFF}, "confirm_sms"),
    ],
)
def test_bad_settings_are_refused_with_nothing_saved(
    admin_client: Client,
    inbox_company: Any,
    references: tuple[Any, Any],
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = admin_client.post(
        "/backoffice/webforms/new/", _settings(inbox_company, references, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert WebForm.objects.count() == 0


def test_the_preview_shows_the_form_as_typed(
    admin_client: Client, inbox_company: Any, references: tuple[Any, Any]
) -> None:
    data = _settings(
        inbox_company,
        references,
        title="Заголовок из настроек",
        field_company_name=FieldMode.REQUIRED,
        field_phone=FieldMode.OFF,
    )
    response = admin_client.post("/backoffice/webforms/preview/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Заголовок из настроек" in page
    assert 'name="company_name"' in page
    assert 'name="phone"' not in page
    assert "<fieldset disabled>" in page  # nothing can be sent from the preview
    assert WebForm.objects.count() == 0  # and nothing is saved


def test_the_list_counts_submissions_in_a_fixed_number_of_queries(
    admin_client: Client,
    inbox_company: Any,
    references: tuple[Any, Any],
    django_assert_max_num_queries: Any,
) -> None:
    ticket_type, criticality = references
    forms = [
        WebForm.objects.create(
            name=f"Форма {n}",
            company=inbox_company,
            ticket_type=ticket_type,
            criticality=criticality,
        )
        for n in range(6)
    ]
    for _ in range(3):
        ticket = TicketFactory(company=inbox_company)
        GuestFiling.objects.create(
            ticket=ticket, contact=ticket.contact, webform=forms[0], origin="web_form"
        )
    with django_assert_max_num_queries(12):
        response = admin_client.get("/backoffice/webforms/")
    assert response.status_code == 200
    rows = response.content.decode().count('data-testid="webform-row"')
    assert rows == 6
    assert 'data-testid="webform-count">3<' in response.content.decode()
