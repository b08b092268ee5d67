"""How long a «Сервисный акт» over 500 tickets takes (issue 15's target: under 5 s on the shared
2-core machine): the content built from plain inputs (every work's rows and money, the totals,
VAT and words), its PDF rendered and its XLSX written, each after one warm-up run (the first
render in a process loads the fonts), in Russian.

A typical ticket has one work: a priced work type, an engineer, and on every other ticket a
material (3–4 rows with its heading); every fifth ticket has two works with two materials each
(9 rows). `--heavy` gives every ticket that. `--all` times the accounting forms too (the summary
and one act per ticket). The database side (a fixed number of queries) is not timed here.

    .venv/bin/python bench/service_act.py [--runs 3] [--tickets 500] [--heavy] [--all]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from servicedesk.acts.content import Requisites  # noqa: E402

PROVIDER = Requisites(name="Сервис-Про", legal_name="ООО «Сервис-Про»", inn="7720123457",
                      kpp="772001001", bank_name="ПАО Сбербанк", bik="044525225",
                      settlement_account="40702810938000012345")  # fmt: skip
CUSTOMER = Requisites(name="Бета-Логистик", legal_name="АО «Бета-Логистик»", inn="7813000017")
HEAVY = False  # --heavy: every ticket has two works with two materials each


def sample_tickets(count: int) -> list[Any]:
    """`count` tickets of one customer as the batch acts take them (BatchTicketInput)."""
    from servicedesk.acts.batch_content import BatchTicketInput
    from servicedesk.acts.content import EngineerInput, MaterialInput, TicketFacts, WorkInput

    start = datetime(2026, 3, 1, 7, tzinfo=UTC)
    tickets = []
    for n in range(count):
        heavy = HEAVY or n % 5 == 4  # every fifth ticket: two works, two materials each
        works = []
        for w in range(2 if heavy else 1):
            began = start + timedelta(hours=n, minutes=w * 90)
            works.append(
                WorkInput(
                    title="Техническое обслуживание" if w else "Ремонт",
                    started_at=began,
                    finished_at=began + timedelta(minutes=95),
                    place="Склад №1, котельная",
                    work_price=Decimal("1500.00"),
                    engineers=(EngineerInput.of("Инженеров Евгений", 2, Decimal("500.00")),),
                    materials=tuple(
                        MaterialInput.of(f"Прокладка {m}", Decimal(m + 1), "шт", Decimal("75.50"))
                        for m in range(2 if heavy else n % 2)
                    ),
                    comment="Заменили прокладки, давление в норме." if n % 3 == 0 else "",
                )
            )
        facts = TicketFacts(
            number=f"{4000 + n:08d}",
            subject=f"Течь в котельной, корпус {n}",
            description="",
            customer=CUSTOMER,
            site_name=f"Склад №{n % 20}",
            site_address="г. Санкт-Петербург, Московский пр., д. 200",
            equipment_name="Котёл",
            equipment_serial=f"VP-{n:04d}",
        )
        tickets.append(BatchTicketInput(facts=facts, works=tuple(works)))
    return tickets


def build(tickets: list[Any], kind: str, layout: str = "summary") -> list[Any]:
    from servicedesk.acts.batch_content import batch_documents_build
    from servicedesk.acts.content import ActSettings
    from servicedesk.acts.money import VatMode

    return batch_documents_build(
        kind=kind,
        accounting_layout=layout,
        tickets=tickets,
        provider=PROVIDER,
        customer=CUSTOMER,
        settings=ActSettings(vat_mode=VatMode.ON_TOP),
        period=(date(2026, 3, 1), date(2026, 3, 31)),
        language="ru",
        day=date(2026, 4, 1),
        time_zone="Europe/Moscow",
        number="СА-2026-03",
    )


def main() -> None:
    from servicedesk.acts.batch_output import render_batch_pdf, render_batch_xlsx

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--all", action="store_true", help="the accounting forms too")
    parser.add_argument("--heavy", action="store_true", help="two works, two materials a ticket")
    options = parser.parse_args()
    global HEAVY
    HEAVY = options.heavy

    tickets = sample_tickets(options.tickets)
    rows = sum(1 + sum(len(work.materials) + 2 for work in t.works) for t in tickets)
    cases: list[tuple[str, Callable[[], object]]] = [
        (f"service act PDF ({len(tickets)} tickets, {rows} rows)",
         lambda: render_batch_pdf(build(tickets, "service"))),
        ("service act: content only", lambda: build(tickets, "service")),
        ("service act XLSX", lambda: render_batch_xlsx(build(tickets, "service"))),
    ]  # fmt: skip
    if options.all:
        cases += [
            ("accounting summary PDF", lambda: render_batch_pdf(build(tickets, "accounting"))),
            ("accounting per ticket PDF",
             lambda: render_batch_pdf(build(tickets, "accounting", "per_ticket"))),
        ]  # fmt: skip
    for name, case in cases:
        case()  # warm-up
        times = []
        for _ in range(options.runs):
            started = time.perf_counter()
            case()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"{name:<48} median {statistics.median(times):7.0f} ms   "
            f"min {times[0]:7.0f} ms   max {times[-1]:7.0f} ms   ({options.runs} runs)"
        )


if __name__ == "__main__":
    main()
