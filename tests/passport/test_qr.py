"""QR codes decode to the passport's absolute address (zxing-cpp reads them), on their own and
on a label sheet rasterised by pdftoppm; only administrators and dispatchers print and rotate."""

import io
import shutil
import subprocess

import pytest
import zxingcpp
from django.test import Client
from PIL import Image

from servicedesk.customers.models import Equipment, RetiredPassportToken
from servicedesk.customers.passport import passport_url

pytestmark = pytest.mark.usefixtures("english")


def _decode(image: Image.Image) -> list[str]:
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


def test_the_png_decodes_to_the_passport_url(world, boiler, settings):
    settings.SITE_URL = "https://service.example.test"
    response = Client().get(f"/p/{boiler.passport_token}/qr.png")
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert _decode(image) == [f"https://service.example.test/p/{boiler.passport_token}/"]


def test_the_svg_is_an_svg_of_the_same_code(world, boiler):
    response = Client().get(f"/p/{boiler.passport_token}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")


def test_a_site_has_its_own_code(world, settings):
    hq = world.sites["a_hq"]
    response = Client().get(f"/p/{hq.passport_token}/qr.png")
    image = Image.open(io.BytesIO(response.content))
    assert _decode(image) == [passport_url(hq)]
    assert passport_url(hq).endswith(f"/p/site/{hq.passport_token}/")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
@pytest.mark.parametrize(("layout", "per_page"), [("70x37", 24), ("52x30", 40), ("105x74", 8)])
def test_label_sheets_decode_to_each_passport(world, client_for, tmp_path, layout, per_page):
    items = list(Equipment.objects.filter(company=world.companies["A"]).order_by("pk"))[:3]
    query = "&".join(f"ids={item.pk}" for item in items)
    response = client_for(world.users["dispatcher"]).get(
        f"/backoffice/equipment/labels.pdf?{query}&layout={layout}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    found = _decode(Image.open(pages[0]))
    assert found == sorted(passport_url(item) for item in items)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_a_full_sheet_continues_on_the_next_page(world, tmp_path):
    from servicedesk.backoffice.equipment.passport import LAYOUTS, labels_pdf

    items = list(Equipment.objects.select_related("company", "site"))  # 6 pieces
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(labels_pdf(items * 3, LAYOUTS["105x74"]))  # 18 labels, 8 a page
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "10", "-png", str(pdf), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    assert len(list(tmp_path.glob("page*.png"))) == 3


@pytest.mark.parametrize("key", ["engineer", "cust_a"])
def test_only_admins_and_dispatchers_print_and_rotate(world, boiler, client_for, key):
    client = client_for(world.users[key])
    assert client.get(f"/backoffice/equipment/labels.pdf?ids={boiler.pk}").status_code == 404
    assert client.post(f"/backoffice/equipment/{boiler.pk}/passport/rotate/").status_code == 404
    assert Equipment.objects.get(pk=boiler.pk).passport_token == boiler.passport_token
    assert not RetiredPassportToken.objects.exists()


def test_rotation_asks_first_then_kills_the_old_label(world, boiler, client_for):
    client = client_for(world.users["dispatcher"])
    old = boiler.passport_token
    page = client.get(f"/backoffice/equipment/{boiler.pk}/passport/rotate/")
    assert page.status_code == 200
    assert Equipment.objects.get(pk=boiler.pk).passport_token == old  # asking changes nothing
    response = client.post(f"/backoffice/equipment/{boiler.pk}/passport/rotate/")
    assert response.status_code == 302
    new = Equipment.objects.get(pk=boiler.pk).passport_token
    assert new != old
    assert Client().get(f"/p/{old}/qr.png").status_code == 410
    image = Image.open(io.BytesIO(Client().get(f"/p/{new}/qr.png").content))
    assert _decode(image) == [passport_url(Equipment.objects.get(pk=boiler.pk))]


def test_labels_only_of_what_was_asked(world, client_for):
    client = client_for(world.users["dispatcher"])
    assert client.get("/backoffice/equipment/labels.pdf").status_code == 302
    assert client.get("/backoffice/equipment/labels.pdf?ids=abc&ids=-1").status_code == 302


def test_equipment_list_runs_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.users["dispatcher"])
    with django_assert_max_num_queries(12):
        response = client.get("/backoffice/equipment/")
    assert response.content.decode().count('data-testid="label-check"') == 6
