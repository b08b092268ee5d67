"""The batch acts made from plain data: money and totals over many tickets with each VAT mode,
one act per ticket, the PDF's text (pdftotext) in Russian and English, the XLSX read back with
openpyxl, and hostile text that must stay text and fetch nothing."""

import io
import socket
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest

from servicedesk.acts.batch_content import (
    AccountingLayout,
    BatchKind,
    BatchTicketInput,
    Layout,
    batch_documents_build,
)
from servicedesk.acts.batch_output import batch_file_name, render_batch_pdf, render_batch_xlsx
from servicedesk.acts.content import ActSettings, MaterialInput, Requisites, TicketFacts
from servicedesk.acts.money import VatMode
from servicedesk.core import pdf as core_pdf
from tests.acts.conftest import CUSTOMER, PROVIDER, START, TICKET, work
from tests.acts.test_rendering import flat, needs_poppler, pages, pdf_text

PERIOD = (date(2026, 3, 1), date(2026, 3, 31))
# One work of tests/acts/conftest.py costs 1 500 + 4 × 75.50 + 0.5 × 640 + 2 h × 500 = 3 122.00
SECOND = replace(TICKET, number="00004322", subject="Замена фильтра", equipment_name="")


def tickets() -> list[BatchTicketInput]:
    later = START + timedelta(days=3)
    return [
        BatchTicketInput(facts=TICKET, works=(work(),), act_number="А-77"),
        BatchTicketInput(
            facts=SECOND,
            works=(
                work(title="Диагностика", started_at=later, finished_at=later + timedelta(hours=1)),
                work(),
            ),
        ),
    ]


def documents(
    kind=BatchKind.SERVICE,
    layout=AccountingLayout.SUMMARY,
    *,
    vat_mode=VatMode.NONE,
    language="ru",
    batch=None,
    number="СА-3",
):
    return batch_documents_build(
        kind=kind,
        accounting_layout=layout,
        tickets=batch if batch is not None else tickets(),
        provider=PROVIDER,
        customer=CUSTOMER,
        settings=ActSettings(vat_mode=vat_mode, vat_rate=Decimal(20)),
        period=PERIOD,
        language=language,
        day=date(2026, 4, 1),
        time_zone="Europe/Moscow",
        number=number,
    )


NINE = "Девять тысяч триста шестьдесят шесть рублей 00 копеек"
ELEVEN = "Одиннадцать тысяч двести тридцать девять рублей 20 копеек"


@pytest.mark.parametrize(
    ("mode", "vat", "net", "total", "words"),
    [
        (VatMode.NONE, None, "9366.00", "9366.00", NINE),
        (VatMode.ON_TOP, "1873.20", "9366.00", "11239.20", ELEVEN),
        (VatMode.INCLUDED, "1561.00", "7805.00", "9366.00", NINE),
    ],
)  # fmt: skip
def test_the_service_act_sums_every_tickets_works_and_taxes_the_total_once(
    mode, vat, net, total, words
):
    [act] = documents(vat_mode=mode)
    assert act.layout == Layout.DETAILED
    assert [t.number for t in act.tickets] == ["00004321", "00004322"]
    first, second = act.tickets
    assert first.total == Decimal("3122.00")
    # the second ticket: a diagnostics (1 500 + 302 + 320 + 2 h × 500) and a repair
    assert [w.title for w in second.works] == ["Диагностика", "Ремонт котла"]
    assert second.total == Decimal("6244.00")
    assert act.subtotal == Decimal("9366.00")
    assert act.vat_amount == (None if vat is None else Decimal(vat))
    assert (act.net_amount, act.total) == (Decimal(net), Decimal(total))
    assert act.total_in_words == words
    assert act.work_count == 3
    # the rows are the single act's rows (acts/content.py: work_content)
    assert [(line.name, line.amount) for line in first.works[0].lines] == [
        ("Ремонт котла", Decimal("1500.00")),
        ("Прокладка 3/4", Decimal("302.00")),
        ("Герметик", Decimal("320.00")),
        ("Инженеров Евгений", Decimal("1000.00")),
    ]
    assert first.place == (
        "Склад №1, г. Санкт-Петербург, Московский пр., д. 200 · Котёл (VP-100-77)"
    )


def test_vat_is_taken_on_the_documents_total_not_per_ticket():
    # 3 tickets of 0.05 each with VAT on top at 20 %: per ticket 0.01 each (0.03), on the
    # total 0.15 × 20 % = 0.03 — and with 0.03 each: 0.006 → 0.01 per ticket, 0.018 → 0.02
    cheap = work(work_price=Decimal("0.03"), engineers=(), materials=())
    batch = [
        BatchTicketInput(facts=replace(TICKET, number=f"N{n}"), works=(cheap,)) for n in range(3)
    ]
    [act] = documents(vat_mode=VatMode.ON_TOP, batch=batch)
    assert act.subtotal == Decimal("0.09")
    assert act.vat_amount == Decimal("0.02")
    assert act.total == Decimal("0.11")


def test_one_accounting_act_per_ticket_each_with_its_own_number_and_totals():
    acts = documents(BatchKind.ACCOUNTING, AccountingLayout.PER_TICKET, vat_mode=VatMode.ON_TOP)
    assert [(a.layout, a.number, a.total) for a in acts] == [
        (Layout.LINES, "А-77", Decimal("3746.40")),  # the issued act's number
        (Layout.LINES, "00004322", Decimal("7492.80")),  # none issued: the ticket's number
    ]
    [summary] = documents(BatchKind.ACCOUNTING, vat_mode=VatMode.ON_TOP)
    assert summary.layout == Layout.SUMMARY and summary.number == "СА-3"
    assert summary.total == Decimal("11239.20")


def test_a_batch_act_needs_tickets_with_works():
    with pytest.raises(ValueError, match="at least one ticket"):
        documents(batch=[])
    with pytest.raises(ValueError, match="at least one work"):
        documents(batch=[BatchTicketInput(facts=TICKET, works=())])


def test_file_names_say_what_and_when():
    assert batch_file_name(documents(), "pdf") == "service-act-2026-03-01-2026-03-31.pdf"
    accounting = documents(BatchKind.ACCOUNTING)
    assert batch_file_name(accounting, "xlsx") == "accounting-act-2026-03-01-2026-03-31.xlsx"


# --- PDF -----------------------------------------------------------------------------------------


@needs_poppler
def test_the_russian_service_act_pdf(tmp_path):
    data = render_batch_pdf(documents(vat_mode=VatMode.ON_TOP))
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    lines = [flat(line) for line in text.splitlines() if line.strip()]
    every = flat(text)
    for part in (
        "Сервисный акт № СА-3 от 1 апреля 2026 г.",
        "За период с 01.03.2026 по 31.03.2026",
        "ИСПОЛНИТЕЛЬ",
        "ЗАКАЗЧИК",
        "ООО «Сервис-Про»",
        "АО «Бета-Логистик»",
        "7720123457 / 772001001",
        "40702810938000012345",
        "1. Заявка № 00004321: Течь в котельной",
        "2. Заявка № 00004322: Замена фильтра",
        "Место: Склад №1, г. Санкт-Петербург, Московский пр., д. 200 · Котёл (VP-100-77)",
        "05.03.2026 10:00 — 05.03.2026 11:35",
        "Комментарий: Заменили прокладки, давление в норме.",
        "Сумма прописью: Одиннадцать тысяч двести тридцать девять рублей 20 копеек",
        "Работы сдал (исполнитель):",
        "Работы принял (заказчик):",
    ):
        assert part in every, part
    assert "Наименование Кол-во Стоимость Сумма" in lines
    assert "Прокладка 3/4 4 шт 75,50 302,00" in lines
    assert "Инженеров Евгений 2 ч 500,00 1 000,00" in lines
    assert "Итого без НДС 9 366,00" in lines
    assert "НДС 20% 1 873,20" in lines
    assert "Итого к оплате 11 239,20 руб." in lines


@needs_poppler
def test_the_english_service_act_pdf(tmp_path):
    batch = [
        BatchTicketInput(
            facts=TicketFacts(
                number="00000007",
                subject="Boiler leaks",
                description="",
                customer=Requisites(name="Betaworks"),
                site_name="Warehouse 1",
            ),
            works=(work(title="Repair", materials=(), comment=""),),
        )
    ]
    [act] = documents(language="en", batch=batch, vat_mode=VatMode.INCLUDED, number="")
    text = flat(pdf_text(render_batch_pdf([act]), tmp_path))
    for part in (
        "Service act of 1 April 2026",
        "For the period from 1 Mar 2026 to 31 Mar 2026",
        "1. Ticket No. 00000007: Boiler leaks Place: Warehouse 1 2,500.00",
        "Description Qty Price Amount",
        "Repair 5 Mar 2026, 10:00 — 5 Mar 2026, 11:35 · Склад №1, котельная 1 1,500.00 1,500.00",
        "Инженеров Евгений 2 h 500.00 1,000.00",
        "Total 2,500.00",
        "Including VAT 20% 416.67",
        "Total to pay 2,500.00 RUB",
        "In words: Two thousand, five hundred roubles, 00 kopeks",
    ):
        assert part in text, part
    assert "Сервисный" not in text and "Заявка" not in text


@needs_poppler
def test_the_accounting_acts_pdf_summary_and_one_act_a_page(tmp_path):
    summary = render_batch_pdf(documents(BatchKind.ACCOUNTING))
    lines = [flat(line) for line in pdf_text(summary, tmp_path).splitlines() if line.strip()]
    every = " ".join(lines)
    assert "Акт выполненных работ № СА-3 от 1 апреля 2026 г." in every
    assert "№ Наименование Кол-во Ед. Стоимость Сумма" in lines
    assert "1 Работы по заявке № 00004321: Течь в котельной (Склад №1, г. Санкт-Петербург" in every
    assert "1 усл. 6 244,00 6 244,00" in lines
    assert "Итого к оплате 9 366,00 руб." in lines
    per_ticket = render_batch_pdf(documents(BatchKind.ACCOUNTING, AccountingLayout.PER_TICKET))
    text = flat(pdf_text(per_ticket, tmp_path))
    assert pages(per_ticket, tmp_path) == 2
    assert "Акт выполненных работ № А-77 от 1 апреля 2026 г." in text
    assert "Акт выполненных работ № 00004322 от 1 апреля 2026 г." in text
    assert "Итого к оплате 3 122,00 руб." in text and "Итого к оплате 6 244,00 руб." in text


@needs_poppler
def test_hostile_text_stays_text_and_the_pdf_fetches_nothing(monkeypatch, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    evil = (
        f'<img src="http://127.0.0.1:{port}/x.png"><link rel=stylesheet href="file:///etc/passwd">'
    )
    asked: list[str] = []
    original = core_pdf._static_path

    def spy(url: str):
        asked.append(url)
        return original(url)

    monkeypatch.setattr(core_pdf, "_static_path", spy)
    facts = replace(TICKET, subject=evil, site_name=evil)
    hostile = work(
        title=evil, comment=evil, materials=(MaterialInput.of(evil, Decimal(1), evil, Decimal(1)),)
    )
    batch = [BatchTicketInput(facts=facts, works=(hostile,))]
    try:
        for kind, layout in (
            (BatchKind.SERVICE, AccountingLayout.SUMMARY),
            (BatchKind.ACCOUNTING, AccountingLayout.SUMMARY),
            (BatchKind.ACCOUNTING, AccountingLayout.PER_TICKET),
        ):
            data = render_batch_pdf(documents(kind, layout, batch=batch))
            text = "".join(pdf_text(data, tmp_path).split())
            assert f'<imgsrc="http://127.0.0.1:{port}/x.png">' in text
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert asked == []


# --- XLSX ----------------------------------------------------------------------------------------


def rows(sheet) -> list[tuple]:
    return [
        tuple(c for c in row if c not in (None, "")) for row in sheet.iter_rows(values_only=True)
    ]


def test_the_service_act_xlsx_reads_back():
    book = openpyxl.load_workbook(io.BytesIO(render_batch_xlsx(documents(vat_mode=VatMode.ON_TOP))))
    assert book.sheetnames == ["Сервисный акт"]
    found = rows(book["Сервисный акт"])
    assert found[0] == ("Сервисный акт № СА-3 от 01.04.2026",)
    assert found[1] == ("За период с 01.03.2026 по 31.03.2026",)
    assert ("Исполнитель", "ООО «Сервис-Про»") in found
    assert ("ИНН/КПП", "7720123457/772001001") in found
    assert ("1", "Заявка № 00004321: Течь в котельной") in found
    assert ("Прокладка 3/4", "4", "шт", Decimal("75.5"), Decimal("302")) in [
        tuple(Decimal(str(c)) if isinstance(c, float | int) else c for c in row) for row in found
    ]
    assert ("Итого по заявке № 00004322", 6244) in found
    assert ("Итого без НДС", 9366) in found
    assert ("НДС 20%", 1873.2) in found
    assert ("Итого к оплате", 11239.2) in found
    assert ("Сумма прописью: Одиннадцать тысяч двести тридцать девять рублей 20 копеек",) in found


def test_the_accounting_xlsx_summary_and_a_sheet_per_ticket_in_english():
    book = openpyxl.load_workbook(
        io.BytesIO(render_batch_xlsx(documents(BatchKind.ACCOUNTING, language="en")))
    )
    assert book.sheetnames == ["Accounting act"]
    found = rows(book.active)
    assert ("No.", "Description", "Qty", "Unit", "Price", "Amount") in found
    assert ("2", "Works on ticket No. 00004322: Замена фильтра (Склад №1, г. Санкт-Петербург, "
            "Московский пр., д. 200)", "1", "service", 6244, 6244) in found  # fmt: skip
    assert ("Total to pay", 9366) in found
    per_ticket = openpyxl.load_workbook(
        io.BytesIO(render_batch_xlsx(documents(BatchKind.ACCOUNTING, AccountingLayout.PER_TICKET)))
    )
    assert per_ticket.sheetnames == ["А-77", "00004322"]
    lines = rows(per_ticket["00004322"])
    assert ("1", "Диагностика", "1", "усл.", 1500, 1500) in lines
    assert ("4", "Инженеров Евгений", "2", "ч", 500, 1000) in lines
    assert ("Итого к оплате", 6244) in lines


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx():
    facts = replace(TICKET, subject='=HYPERLINK("http://evil.test","x")', number="=1+1")
    [act] = documents(batch=[BatchTicketInput(facts=facts, works=(work(title="@SUM(A1)"),))])
    book = openpyxl.load_workbook(io.BytesIO(render_batch_xlsx([act])))
    cells = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    values = {c.value for c in cells}
    assert 'Заявка № =1+1: =HYPERLINK("http://evil.test","x")' in values
    assert "@SUM(A1)" in values
