"""«Наша компания» in the back office: administrators only; requisites validated field by field
(what was typed is kept); the act settings; a sample act as PDF."""

import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.acts.models import OurCompany
from servicedesk.acts.selectors import our_company
from tests.conftest import login

pytestmark = pytest.mark.django_db

URL = "/backoffice/settings/our-company/"
SAMPLE_URL = "/backoffice/settings/our-company/sample.pdf"

VALID = {
    "name": "Сервис-Про",
    "legal_name": "ООО «Сервис-Про»",
    "inn": "7720123457",
    "kpp": "772001001",
    "address": "г. Москва, ул. Лесная, д. 5",
    "phone": "+74951234567",
    "email": "office@servicepro.test",
    "bank_name": "ПАО Сбербанк",
    "bik": "044525225",
    "settlement_account": "40702810938000012345",
    "correspondent_account": "30101810400000000225",
    "act_number_mask": "{year}-{seq:5}",
    "vat_mode": "on_top",
    "vat_rate": "22",
}


def en_client(user) -> Client:
    return login(Client(headers={"accept-language": "en"}), user)


def test_the_urls():
    assert reverse("backoffice:act_settings") == URL
    assert reverse("backoffice:act_settings_sample") == SAMPLE_URL


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("dispatcher", 404), ("engineer", 404), ("cust_a", 404), ("inactive_engineer", 302)],
)
def test_only_administrators_reach_the_page(world, viewer, expected):
    client = en_client(world.users[viewer])
    assert client.get(URL).status_code == expected
    assert client.post(URL, VALID).status_code == expected
    assert client.get(SAMPLE_URL).status_code == expected
    # and nothing was saved
    assert not OurCompany.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Client().post(URL, VALID).status_code == 302
    assert not OurCompany.objects.exists()


def test_the_menu_shows_the_page_to_administrators_only(world):
    assert URL in en_client(world.users["admin"]).get(reverse("backoffice:dashboard")).text
    for key in ("dispatcher", "engineer"):
        assert URL not in en_client(world.users[key]).get(reverse("backoffice:dashboard")).text


def test_a_blank_installation_shows_the_defaults(world, django_assert_max_num_queries):
    client = en_client(world.users["admin"])
    # session, user, the company row; the menu's badge and bell (until cached)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="h3 mb-0 me-auto">Our company</h1>' in html
    assert 'value="{ticket}"' in html
    assert '<option value="none" selected>Without VAT</option>' in html
    assert 'name="vat_rate" value="20"' in html
    assert 'data-testid="last-change"' not in html


def test_an_administrator_saves_the_requisites(world):
    admin = world.users["admin"]
    client = en_client(admin)
    # pasted with spaces, as people copy them from a bank's letter
    data = {**VALID, "inn": "7720 123 457", "settlement_account": "40702 810 9 3800 0012345"}
    response = client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"] == URL
    company = OurCompany.objects.get()
    assert company.pk == 1
    assert (company.inn, company.settlement_account) == ("7720123457", "40702810938000012345")
    assert (company.act_number_mask, company.vat_mode, str(company.vat_rate)) == (
        "{year}-{seq:5}",
        "on_top",
        "22.00",
    )
    assert company.updated_by == admin
    page = client.get(URL).text
    assert "The settings have been saved." in page
    assert f"by {admin.full_name}" in page
    # a second save changes the one row
    assert client.post(URL, {**VALID, "name": "Сервис-Про 2"}).status_code == 302
    assert list(OurCompany.objects.values_list("pk", "name")) == [(1, "Сервис-Про 2")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "7720123458", "Not a valid INN"),
        ("kpp", "7720010", "Not a valid KPP"),
        ("bik", "44525225", "Not a valid BIK"),
        ("settlement_account", "40702810938000012346", "check digit does not match the BIK"),
        ("correspondent_account", "30101810145250000974", "correspondent account"),
        ("act_number_mask", "{year}", "needs {ticket} or {seq}"),
        ("act_number_mask", "{ticket}-{nomer}", "Unknown token"),
        ("vat_rate", "101", "less than or equal to 100"),
        ("name", "", "This field is required."),
    ],
)
def test_bad_input_is_refused_and_kept(world, field, value, message):
    client = en_client(world.users["admin"])
    response = client.post(URL, {**VALID, field: value})
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{value}"' in response.text or field == "name"
    assert 'value="ПАО Сбербанк"' in response.text  # the rest is kept too
    assert not OurCompany.objects.exists()


def test_the_page_speaks_russian_to_a_russian_administrator(world):
    admin = world.users["admin"]
    admin.language = "ru"
    admin.save()
    response = login(Client(), admin).post(URL, {**VALID, "bik": "04452522"})
    html = response.text
    assert '<h1 class="h3 mb-0 me-auto">Наша компания</h1>' in html
    assert "Неверный БИК: нужно 9 цифр, первая — 0." in html
    assert "Банковские реквизиты" in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Act of completed work No. 2026-00001"), ("ru", "Акт выполненных работ № 2026-00001")],
)
def test_the_sample_act_shows_the_saved_requisites_and_settings(world, tmp_path, language, title):
    admin = world.users["admin"]
    admin.language = language
    admin.save()
    client = login(Client(), admin)
    client.post(URL, VALID)
    response = client.get(SAMPLE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="act-sample.pdf"'
    (tmp_path / "sample.pdf").write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-raw", str(tmp_path / "sample.pdf"), "-"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout.decode()
    assert title in text
    assert "ООО «Сервис-Про»" in text
    assert "40702810938000012345" in text
    assert ("VAT 22%" if language == "en" else "НДС 22%") in text


def test_a_sample_act_before_anything_is_saved(world):
    response = en_client(world.users["admin"]).get(SAMPLE_URL)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert not OurCompany.objects.exists()
    assert our_company().act_number_mask == "{ticket}"
