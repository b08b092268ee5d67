"""Batch acts on paper and in a spreadsheet: the PDF (WeasyPrint through core/pdf.py, fetching
nothing but the acts' stylesheets) and the XLSX (openpyxl), both from `BatchContent`s alone, in
the documents' language and time zone.

The XLSX puts each document on its own sheet: a «Сервисный акт» or a summary «Бухгалтерский
акт» is one sheet; «по каждой заявке» gives one sheet per ticket's act, as the PDF gives each
its own pages — every act is a document of its own (printed, sent and filed apart), and a sheet
per act keeps its rows, totals and print area apart; the summary form is there for one table
over all tickets. Amounts are number cells (two places), texts are string cells whatever they
start with: a subject «=HYPERLINK(…)» stays text and never becomes a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from servicedesk.acts.batch_content import BatchContent, BatchKind, Layout
from servicedesk.acts.content import ActLine, LineKind
from servicedesk.acts.money import VatMode, format_quantity
from servicedesk.acts.rendering import STYLESHEET
from servicedesk.core.pdf import pdf_from_html

BATCH_STYLESHEET = "css/batch-act.css"
MONEY_FORMAT = "#,##0.00"


def render_batch_pdf(documents: Sequence[BatchContent]) -> bytes:
    """The documents as one A4 PDF, each starting on a new page."""
    if not documents:
        raise ValueError("Nothing to print")
    first = documents[0]
    with translation.override(first.language), timezone.override(first.time_zone):
        html = render_to_string("acts/batch_act.html", {"documents": documents})
    return pdf_from_html(html, stylesheets=(STYLESHEET, BATCH_STYLESHEET))


def batch_file_name(documents: Sequence[BatchContent], extension: str) -> str:
    """service-act-2026-03-01-2026-03-31.pdf (ASCII: safe in any Content-Disposition)."""
    first = documents[0]
    kind = "service-act" if first.kind == BatchKind.SERVICE else "accounting-act"
    return f"{kind}-{first.period_from.isoformat()}-{first.period_to.isoformat()}.{extension}"


# --- XLSX ----------------------------------------------------------------------------------------


class _Sheet:
    """Rows of cells into a write-only sheet: text always as text, amounts as numbers."""

    def __init__(self, workbook: Any, title: str) -> None:
        from openpyxl.styles import Font

        self.sheet = workbook.create_sheet(title=title)
        self.bold = Font(bold=True)
        self.big = Font(bold=True, size=13)

    def row(self, *values: object, font: Any = None) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value in values:
            cell = WriteOnlyCell(self.sheet, value=None)
            if isinstance(value, Decimal):
                cell.value = value
                cell.number_format = MONEY_FORMAT
            elif value is not None:
                # Set as a string: openpyxl would take a text starting with "=" for a formula.
                cell.value = str(value)
                cell.data_type = "s"
            if font is not None:
                cell.font = font
            cells.append(cell)
        self.sheet.append(cells)


def _title(document: BatchContent) -> str:
    date = formats.date_format(document.date, "SHORT_DATE_FORMAT")
    if document.kind == BatchKind.SERVICE:
        name = pgettext("batch act", "Service act")
    else:
        name = _("Act of completed work")
    if document.number:
        return _("%(name)s No. %(number)s of %(date)s") % {
            "name": name,
            "number": document.number,
            "date": date,
        }
    return _("%(name)s of %(date)s") % {"name": name, "date": date}


def _party(sheet: _Sheet, title: str, party: Any) -> None:
    sheet.row(title, party.legal_name or party.name, font=sheet.bold)
    if party.inn:
        sheet.row(
            _("INN/KPP") if party.kpp else _("INN"), "/".join(filter(None, (party.inn, party.kpp)))
        )
    if party.address:
        sheet.row(_("Address"), party.address)


def _line_cells(line: ActLine) -> tuple[object, ...]:
    language = translation.get_language() or "ru"
    if line.kind == LineKind.ENGINEER:
        unit = pgettext("act unit", "h")
    elif line.kind == LineKind.WORK:
        unit = pgettext("act unit", "service") if line.price is not None else ""
    else:
        unit = line.unit
    quantity = format_quantity(line.quantity, language) if line.price is not None else ""
    return (line.name, quantity, unit, line.price, line.amount)


def _document(workbook: Any, document: BatchContent, title: str) -> None:
    sheet = _Sheet(workbook, title)
    sheet.sheet.column_dimensions["A"].width = 8
    sheet.sheet.column_dimensions["B"].width = 60
    for column in "CDEF":
        sheet.sheet.column_dimensions[column].width = 14
    start = formats.date_format(document.period_from, "SHORT_DATE_FORMAT")
    end = formats.date_format(document.period_to, "SHORT_DATE_FORMAT")
    sheet.row(_title(document), font=sheet.big)
    sheet.row(_("For the period from %(start)s to %(end)s") % {"start": start, "end": end})
    sheet.row()
    _party(sheet, _("Contractor"), document.provider)
    _party(sheet, _("Customer"), document.customer)
    sheet.row()
    header = (
        pgettext("act table", "No."),
        pgettext("act table", "Description"),
        pgettext("act table", "Qty"),
        pgettext("act table", "Unit"),
        pgettext("act table", "Price"),
        pgettext("act table", "Amount"),
    )
    if document.layout == Layout.DETAILED:
        for number, ticket in enumerate(document.tickets, start=1):
            heading = _("Ticket No. %(number)s") % {"number": ticket.number}
            if ticket.subject:
                heading += f": {ticket.subject}"
            sheet.row(str(number), heading, font=sheet.bold)
            if ticket.place:
                sheet.row("", f"{_('Place')}: {ticket.place}")
            sheet.row(*header, font=sheet.bold)
            for work in ticket.works:
                when = " — ".join(
                    formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
                    for moment in (work.started_at, work.finished_at)
                )
                sheet.row("", f"{work.title} · {when}", font=sheet.bold)
                for line in work.lines:
                    sheet.row("", *_line_cells(line))
                if work.comment:
                    sheet.row("", f"{_('Comment:')} {work.comment}")
            sheet.row(
                "",
                _("Total for ticket No. %(number)s") % {"number": ticket.number},
                "",
                "",
                "",
                ticket.total,
                font=sheet.bold,
            )
            sheet.row()
    else:
        sheet.row(*header, font=sheet.bold)
        if document.layout == Layout.SUMMARY:
            for number, ticket in enumerate(document.tickets, start=1):
                name = _("Works on ticket No. %(number)s") % {"number": ticket.number}
                if ticket.subject:
                    name += f": {ticket.subject}"
                if ticket.place:
                    name += f" ({ticket.place})"
                service = pgettext("act unit", "service")
                sheet.row(str(number), name, "1", service, ticket.total, ticket.total)
        else:
            for number, line in enumerate(document.tickets[0].lines, start=1):
                sheet.row(str(number), *_line_cells(line))
        sheet.row()
    rate = format_quantity(document.vat_rate, document.language)
    if document.vat_mode == VatMode.ON_TOP:
        sheet.row("", _("Total without VAT"), "", "", "", document.subtotal)
        sheet.row("", _("VAT %(rate)s%%") % {"rate": rate}, "", "", "", document.vat_amount)
    elif document.vat_mode == VatMode.INCLUDED:
        sheet.row("", _("Total"), "", "", "", document.subtotal)
        sheet.row(
            "", _("Including VAT %(rate)s%%") % {"rate": rate}, "", "", "", document.vat_amount
        )
    else:
        sheet.row("", _("Total"), "", "", "", document.subtotal)
        sheet.row("", _("VAT"), "", "", "", _("Without VAT"))
    sheet.row("", _("Total to pay"), "", "", "", document.total, font=sheet.bold)
    sheet.row("", f"{_('In words:')} {document.total_in_words}")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_titles(documents: Sequence[BatchContent]) -> list[str]:
    """Unique sheet names (at most 31 characters, none of []:*?/\\)."""
    first = documents[0]
    if first.layout != Layout.LINES:  # one document over every ticket
        if first.kind == BatchKind.SERVICE:
            return [pgettext("batch act", "Service act")]
        return [pgettext("batch act", "Accounting act")]
    titles: list[str] = []
    taken: set[str] = set()
    for document in documents:
        base = _SHEET_FORBIDDEN.sub("-", document.number or document.tickets[0].number)[:24]
        title, n = base, 1
        while title.lower() in taken:
            n += 1
            title = f"{base} ({n})"
        taken.add(title.lower())
        titles.append(title)
    return titles


def render_batch_xlsx(documents: Sequence[BatchContent]) -> bytes:
    if not documents:
        raise ValueError("Nothing to export")
    import openpyxl

    first = documents[0]
    workbook = openpyxl.Workbook(write_only=True)
    with translation.override(first.language), timezone.override(first.time_zone):
        for document, title in zip(documents, _sheet_titles(documents), strict=True):
            _document(workbook, document, title[:31])
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()
