"""The act on paper: the PDF's text in Russian and English (pdftotext), the print view, the
signature slot, hostile text that must never make the renderer fetch or read anything, and a
long act."""

import datetime as dt
import io
import re
import shutil
import socket
import subprocess
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from servicedesk.acts.content import EngineerInput, MaterialInput, Requisites, TicketFacts
from servicedesk.acts.money import VatMode
from servicedesk.acts.rendering import Acceptance, render_act_html, render_act_pdf
from servicedesk.core import pdf as core_pdf
from tests.acts.conftest import PROVIDER, TICKET, build, work
from tests.core.test_no_inline_script import inline_script

LATIN_PROVIDER = Requisites(
    name="Service-Pro",
    legal_name="Service-Pro LLC",
    inn="7720123457",
    kpp="772001001",
    address="5 Lesnaya St., Moscow",
    bank_name="Sberbank",
    bik="044525225",
    settlement_account="40702810938000012345",
    correspondent_account="30101810400000000225",
)
LATIN_TICKET = TicketFacts(
    number="00004321",
    subject="Boiler leaks",
    description="A puddle under the boiler.",
    customer=Requisites(name="Betaworks", legal_name="Betaworks JSC", inn="7813000017"),
    site_name="Warehouse 1",
    site_address="200 Moskovsky Ave., St Petersburg",
    equipment_name="Boiler",
    equipment_serial="VP-100-77",
    contract_number="D-77/2026",
    contract_name="Warehouse maintenance",
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


def pdf_text(data: bytes, tmp_path: Path, *, mode: str = "-raw") -> str:
    """The PDF's text in content order (-raw keeps a table's row on one line)."""
    source = tmp_path / "act.pdf"
    source.write_bytes(data)
    args = ["pdftotext", mode, str(source), "-"]
    result = subprocess.run(args, check=True, capture_output=True)  # noqa: S603
    return result.stdout.decode()


def flat(text: str) -> str:
    """Whitespace (and no-break spaces between thousands) as single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def pages(data: bytes, tmp_path: Path) -> int:
    source = tmp_path / "pages.pdf"
    source.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True)  # noqa: S603, S607
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout.decode(), re.M).group(1))


@needs_poppler
def test_the_russian_pdf_has_the_header_parties_table_totals_and_words(tmp_path):
    act = build(vat_mode=VatMode.ON_TOP)
    data = render_act_pdf(act)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    lines = [flat(line) for line in text.splitlines() if line.strip()]
    every = flat(text)
    assert "Акт выполненных работ № 00004321 от 5 марта 2026 г." in every
    assert "Заявка № 00004321: Течь в котельной" in every
    # the parties: ours with the bank, the customer's from its company card
    for part in (
        "ИСПОЛНИТЕЛЬ",
        "ЗАКАЗЧИК",
        "ООО «Сервис-Про»",
        "АО «Бета-Логистик»",
        "7720123457 / 772001001",
        "7813000017 / 781301001",
        "ПАО Сбербанк",
        "044525225",
        "40702810938000012345",
        "30101810400000000225",
    ):
        assert part in every, part
    assert "Объект Склад №1, г. Санкт-Петербург, Московский пр., д. 200" in every
    assert "Оборудование Котёл, Viessmann Vitoplex 100, зав. № VP-100-77" in every
    assert "Договор № Д-77/2026 «Комплексное техническое обслуживание склада»" in every
    assert "Описание заявки Под котлом лужа, давление падает." in every
    # the work's table, row by row
    assert "05.03.2026 10:00 — 05.03.2026 11:35 · Место: Склад №1, котельная" in every
    assert "Наименование Кол-во Стоимость Сумма" in lines
    assert "Ремонт котла 1 1 500,00 1 500,00" in lines
    assert "Материалы:" in lines
    assert "Прокладка 3/4 4 шт 75,50 302,00" in lines
    assert "Герметик 0,5 л 640,00 320,00" in lines
    assert "Исполнитель:" in lines
    assert "Инженеров Евгений 2 ч 500,00 1 000,00" in lines
    assert "Комментарий: Заменили прокладки, давление в норме." in every
    # the totals, in figures and in words
    assert "Итого без НДС 3 122,00" in lines
    assert "НДС 20% 624,40" in lines
    assert "Итого к оплате 3 746,40 руб." in lines
    assert "Сумма прописью: Три тысячи семьсот сорок шесть рублей 40 копеек" in every
    assert "Акт принял:" in every


@needs_poppler
def test_the_english_pdf_is_english(tmp_path):
    act = build(vat_mode=VatMode.INCLUDED, language="en")
    text = pdf_text(render_act_pdf(act), tmp_path)
    lines = [flat(line) for line in text.splitlines() if line.strip()]
    every = flat(text)
    assert "Act of completed work No. 00004321 of 5 March 2026" in every
    for part in ("CONTRACTOR", "CUSTOMER", "INN/KPP 7720123457 / 772001001", "BIK 044525225"):
        assert part in every, part
    assert "Description Qty Price Amount" in lines
    assert "Repair" not in every  # the data stays as written: the work is «Ремонт котла»
    assert "Ремонт котла 1 1,500.00 1,500.00" in lines
    assert "Materials:" in lines
    assert "Прокладка 3/4 4 шт 75.50 302.00" in lines
    assert "Engineer:" in lines
    assert "Инженеров Евгений 2 h 500.00 1,000.00" in lines
    assert "Total 3,122.00" in lines
    assert "Including VAT 20% 520.33" in lines
    assert "Total to pay 3,122.00 RUB" in lines
    assert "In words: Three thousand, one hundred and twenty-two roubles, 00 kopeks" in every
    assert "Accepted by:" in every
    # and with data written in English, not one Cyrillic letter is left
    latin = build(
        [
            work(
                title="Boiler repair",
                place="Warehouse 1",
                comment="Gaskets replaced.",
                engineers=(EngineerInput.of("Eugene Engineer", 2, Decimal(500)),),
                materials=(MaterialInput.of("Gasket", Decimal(4), "pcs", Decimal("75.50")),),
            )
        ],
        ticket=LATIN_TICKET,
        provider=LATIN_PROVIDER,
        language="en",
        vat_mode=VatMode.ON_TOP,
    )
    latin_text = pdf_text(render_act_pdf(latin), tmp_path)
    assert re.findall(r"[А-Яа-яЁё]+", latin_text) == []
    assert "Gasket 4 pcs 75.50 302.00" in latin_text


@needs_poppler
def test_without_vat_the_act_says_so(tmp_path):
    text = flat(pdf_text(render_act_pdf(build()), tmp_path))
    assert "Итого 3 122,00 НДС Без НДС Итого к оплате 3 122,00 руб." in text
    assert "Сумма прописью: Три тысячи сто двадцать два рубля 00 копеек" in text


def _png() -> bytes:
    image = Image.new("RGB", (240, 80), "white")
    for x in range(20, 220):
        image.putpixel((x, 40 + (x % 20) - 10), (0, 0, 80))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@needs_poppler
def test_a_signed_act_shows_who_accepted_it_and_the_signature(tmp_path):
    acceptance = Acceptance(name="Бетов Борис", position="Главный инженер", signature_png=_png())
    data = render_act_pdf(build(), acceptance=acceptance)
    assert "Акт принял: Бетов Борис, Главный инженер" in flat(pdf_text(data, tmp_path))
    (tmp_path / "signed.pdf").write_bytes(data)
    images = subprocess.run(  # noqa: S603
        ["pdfimages", "-list", str(tmp_path / "signed.pdf")],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout.decode()
    assert re.search(r"\s240\s+80\s", images), images  # the signature, at its own size
    # and in the print view, as a data: URL the page's CSP allows
    html = render_act_html(build(), acceptance=acceptance)
    assert 'data-testid="act-signature"' in html
    assert 'src="data:image/png;base64,' in html


def test_the_print_view_is_a_page_with_static_css_and_script_only():
    html = render_act_html(build(), back_url="/back/", pdf_url="/act.pdf")
    assert '<html lang="ru">' in html
    assert "/static/css/act.css" in html
    assert "/static/js/print.js" in html
    assert 'href="/back/"' in html and 'href="/act.pdf"' in html
    assert "data-print" in html
    assert inline_script(html) == []
    english = render_act_html(build(language="en"))
    assert '<html lang="en">' in english
    assert "Act of completed work No. 00004321 of 5 March 2026" in english


# --- Hostile text --------------------------------------------------------------------------------


def _hostile(port: int) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/img.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f"<style>@import url(http://127.0.0.1:{port}/i.css);"
        " body { background: url(file:///etc/hostname) }</style>"
        '<object data="file:///etc/passwd"></object><iframe src="file:///etc/passwd"></iframe>'
        '<svg><image href="file:///etc/hostname"/></svg>'
        f" http://127.0.0.1:{port}/plain file:///etc/passwd url(file:///etc/shadow)"
    )


def test_hostile_text_anywhere_is_printed_as_text_and_fetches_nothing(tmp_path, monkeypatch):
    # Given a listener that would see any connection, and a spy on the PDF's URL fetcher
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    asked: list[str] = []
    static_path = core_pdf._static_path

    def spy(url: str):
        asked.append(url)
        return static_path(url)

    monkeypatch.setattr(core_pdf, "_static_path", spy)
    evil = _hostile(port)
    party = Requisites(**dict.fromkeys(Requisites.__dataclass_fields__, evil))
    ticket = TicketFacts(
        **{**dict.fromkeys(TicketFacts.__dataclass_fields__, evil), "customer": party}
    )
    hostile_work = work(
        title=evil,
        place=evil,
        comment=evil,
        materials=(MaterialInput.of(evil, Decimal(1), evil, Decimal(1)),),
    )
    act = build([hostile_work], ticket=ticket, provider=party)

    # When the act is rendered to HTML and to PDF
    html = render_act_html(act)
    try:
        acceptance = Acceptance(
            name=evil,
            position=evil,
            signed_at=dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC),
            content_hash=evil,
            account=evil,
            collected_by=evil,
        )
        data = render_act_pdf(act, acceptance=acceptance)
        # Then nobody connected, and the fetcher was asked for nothing
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert asked == []
    assert data.startswith(b"%PDF")
    # and the text is there as text: escaped in the page, readable in the PDF
    assert "&lt;img src=&quot;http://127.0.0.1:" in html
    assert f'<img src="http://127.0.0.1:{port}' not in html
    assert "<iframe" not in html and "<object" not in html and "<svg" not in html
    if shutil.which("pdftotext"):
        assert f'<img src="http://127.0.0.1:{port}/img.png">' in pdf_text(data, tmp_path)


def test_the_fetcher_serves_the_signature_and_static_files_only():
    fetched: list[str] = []
    html = (
        '<img src="https://servicedesk.invalid/inline/signature.png">'
        '<img src="https://servicedesk.invalid/inline/other.png">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="file:///etc/passwd"><p>x</p>'
    )
    original = core_pdf._static_path

    def spy(url: str):
        fetched.append(url)
        return original(url)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core_pdf, "_static_path", spy)
        data = core_pdf.pdf_from_html(html, images={"signature.png": (_png(), "image/png")})
    assert data.startswith(b"%PDF")
    # the named image came from memory; everything else was asked of the static check, refused
    assert "https://servicedesk.invalid/inline/signature.png" not in fetched
    assert "https://servicedesk.invalid/inline/other.png" in fetched
    assert all(original(url) is None for url in fetched)


# --- A long act ----------------------------------------------------------------------------------


@needs_poppler
def test_an_act_of_500_lines_renders(tmp_path):
    materials = tuple(
        MaterialInput.of(f"Material {n:03d}", Decimal(n % 7 + 1), "pcs", Decimal("10.10"))
        for n in range(1, 501)
    )
    act = build([work(materials=materials[:250]), work(materials=materials[250:])])
    assert sum(len(w.lines) for w in act.works) == 500 + 2 * 2  # + work and engineer rows
    started = time.perf_counter()
    data = render_act_pdf(act)
    elapsed = time.perf_counter() - started
    text = flat(pdf_text(data, tmp_path))
    assert "Material 001" in text and "Material 500" in text
    assert pages(data, tmp_path) >= 10
    assert f"Итого к оплате {act.total:,.2f}".replace(",", " ").replace(".", ",") in text
    # On two busy shared cores it takes a few seconds; bench/act_pdf.py measures it properly.
    assert elapsed < 60


def test_content_keeps_whatever_the_provider_is_called():
    # the act prints the legal name when there is one, the short name otherwise
    html = render_act_html(build(provider=replace(PROVIDER, legal_name="")))
    assert "Сервис-Про" in html
    assert TICKET.customer.legal_name in html
