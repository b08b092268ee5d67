"""What a batch act says («Сервисный акт», «Бухгалтерский акт»: HubEx's printed forms per
customer and period), made from plain data, no ORM — as acts/content.py does for one act.

A batch document covers many tickets of one customer: each ticket with its works, every work's
rows made by `content.work_content` (the one place that turns works into lines and money), the
document's total with the VAT computed once on it (`money.vat_totals`) and in words. The
accounting act «по каждой заявке» is one such document per ticket. Labels are not content: the
templates word them in `language`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.acts.content import (
    ActLine,
    ActSettings,
    ActWork,
    Requisites,
    TicketFacts,
    WorkInput,
    work_content,
)
from servicedesk.acts.money import VatMode, amount_in_words, money, vat_totals


class BatchKind(models.TextChoices):
    SERVICE = "service", pgettext_lazy("batch act", "Service act")
    ACCOUNTING = "accounting", pgettext_lazy("batch act", "Accounting act")


class AccountingLayout(models.TextChoices):
    SUMMARY = "summary", _("Summary: one line per ticket")
    PER_TICKET = "per_ticket", _("One act per ticket")


class Layout(StrEnum):
    """How a document lists its tickets."""

    DETAILED = "detailed"  # «Сервисный акт»: every ticket with its works and their rows
    SUMMARY = "summary"  # «Бухгалтерский акт», сводный: one row per ticket with its total
    LINES = "lines"  # «Бухгалтерский акт» of one ticket: its works' rows, numbered


@dataclasses.dataclass(frozen=True)
class BatchTicketInput:
    """A ticket going into a batch document: its facts, the place as text, and its works
    (only those finished within the period)."""

    facts: TicketFacts
    works: tuple[WorkInput, ...]
    act_number: str = ""  # the ticket's issued act, if any


@dataclasses.dataclass(frozen=True)
class BatchTicket:
    number: str
    subject: str
    place: str  # the site (with its address) and the equipment, as text
    works: tuple[ActWork, ...]
    total: Decimal  # its works' sum
    act_number: str

    @property
    def lines(self) -> tuple[ActLine, ...]:
        return tuple(line for work in self.works for line in work.lines)


@dataclasses.dataclass(frozen=True)
class BatchContent:
    """One batch document, ready to print."""

    kind: BatchKind
    layout: Layout
    number: str  # blank: the document has none
    date: dt.date
    language: str
    time_zone: str
    provider: Requisites
    customer: Requisites
    period_from: dt.date
    period_to: dt.date
    tickets: tuple[BatchTicket, ...]
    subtotal: Decimal
    vat_mode: VatMode
    vat_rate: Decimal
    vat_amount: Decimal | None
    net_amount: Decimal
    total: Decimal
    total_in_words: str

    @property
    def work_count(self) -> int:
        return sum(len(ticket.works) for ticket in self.tickets)


def place_of(facts: TicketFacts) -> str:
    """«Склад №1, г. Санкт-Петербург, … · Котёл (VP-100-77)»: the ticket's place as text."""
    site = ", ".join(part for part in (facts.site_name, facts.site_address) if part)
    equipment = facts.equipment_name
    if equipment and facts.equipment_serial:
        equipment = f"{equipment} ({facts.equipment_serial})"
    return " · ".join(part for part in (site, equipment) if part)


def _ticket(ticket: BatchTicketInput) -> BatchTicket:
    works = tuple(work_content(work) for work in ticket.works)
    return BatchTicket(
        number=ticket.facts.number,
        subject=ticket.facts.subject,
        place=place_of(ticket.facts),
        works=works,
        total=money(sum((work.total for work in works), Decimal("0.00"))),
        act_number=ticket.act_number,
    )


def batch_content_build(
    *,
    kind: BatchKind | str,
    layout: Layout,
    tickets: Sequence[BatchTicketInput],
    provider: Requisites,
    customer: Requisites,
    settings: ActSettings,
    period: tuple[dt.date, dt.date],
    language: str,
    day: dt.date,
    time_zone: str,
    number: str = "",
) -> BatchContent:
    """One document over `tickets` (each with at least one work), dated `day`, in `language`."""
    if not tickets:
        raise ValueError("A batch act needs at least one ticket")
    if any(not ticket.works for ticket in tickets):
        raise ValueError("Every ticket of a batch act needs at least one work")
    language = "en" if language.startswith("en") else "ru"
    acted = tuple(_ticket(ticket) for ticket in tickets)
    subtotal = sum((ticket.total for ticket in acted), Decimal("0.00"))
    rate = Decimal(format(Decimal(settings.vat_rate).normalize(), "f"))
    totals = vat_totals(subtotal, settings.vat_mode, rate)
    return BatchContent(
        kind=BatchKind(kind),
        layout=layout,
        number=number,
        date=day,
        language=language,
        time_zone=time_zone,
        provider=provider,
        customer=customer,
        period_from=period[0],
        period_to=period[1],
        tickets=acted,
        subtotal=totals.subtotal,
        vat_mode=VatMode(settings.vat_mode),
        vat_rate=rate,
        vat_amount=totals.vat,
        net_amount=totals.net,
        total=totals.total,
        total_in_words=amount_in_words(totals.total, language),
    )


def batch_documents_build(
    *,
    kind: BatchKind | str,
    accounting_layout: AccountingLayout | str = AccountingLayout.SUMMARY,
    tickets: Sequence[BatchTicketInput],
    provider: Requisites,
    customer: Requisites,
    settings: ActSettings,
    period: tuple[dt.date, dt.date],
    language: str,
    day: dt.date,
    time_zone: str,
    number: str = "",
) -> list[BatchContent]:
    """The documents a batch form prints: one «Сервисный акт» or one summary «Бухгалтерский
    акт» over all `tickets`, or one «Бухгалтерский акт» per ticket (numbered by the ticket's
    issued act, else by the ticket's number)."""
    build = functools.partial(
        batch_content_build,
        kind=kind,
        provider=provider,
        customer=customer,
        settings=settings,
        period=period,
        language=language,
        day=day,
        time_zone=time_zone,
    )
    if kind == BatchKind.SERVICE:
        return [build(layout=Layout.DETAILED, tickets=tickets, number=number)]
    if accounting_layout == AccountingLayout.SUMMARY:
        return [build(layout=Layout.SUMMARY, tickets=tickets, number=number)]
    return [
        build(
            layout=Layout.LINES, tickets=[ticket], number=ticket.act_number or ticket.facts.number
        )
        for ticket in tickets
    ]
