"""How long one act's PDF takes (issue 15: under 300 ms): a typical act (two works, eight
lines), the same act signed (a drawn signature and the signing record), and a long one (500
material lines), each rendered after one warm-up run (the first render in a process loads the
fonts), in Russian.

    .venv/bin/python bench/act_pdf.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    import django

    django.setup()
    from dataclasses import replace

    from servicedesk.acts.content import MaterialInput, act_content_build
    from servicedesk.acts.models import OurCompany
    from servicedesk.acts.money import VatMode
    from servicedesk.acts.rendering import Acceptance, render_act_pdf
    from servicedesk.acts.sample import sample_act

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs

    company = OurCompany(name="Сервис-Про", legal_name="ООО «Сервис-Про»", inn="7720123457",
                         vat_mode=VatMode.ON_TOP)  # fmt: skip
    typical = sample_act(company, language="ru", day=date(2026, 3, 5), time_zone="Europe/Moscow")
    materials = tuple(
        MaterialInput.of(f"Материал {n:03d}", Decimal(n % 7 + 1), "шт", Decimal("10.10"))
        for n in range(500)
    )
    long_act = act_content_build(
        ticket=typical.ticket,
        works=[replace(_input(typical), materials=materials)],
        provider=typical.provider,
        settings=company.act_settings(),
        language="ru",
        day=typical.date,
        time_zone=typical.time_zone,
    )
    signed = Acceptance(
        name="Клиентова Анна",
        position="Главный инженер",
        signature_png=_signature(),
        signed_at=datetime(2026, 3, 5, 12, tzinfo=UTC),
        content_hash="0" * 64,
        ip_address="203.0.113.7",
        account="anna@alfa.test",
    )
    cases = (
        ("typical act (8 lines)", typical, None),
        ("typical act, signed", typical, signed),
        ("long act (502 lines)", long_act, None),
    )
    for name, act, acceptance in cases:
        render_act_pdf(act, acceptance=acceptance)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render_act_pdf(act, acceptance=acceptance)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"{name:<24} median {statistics.median(times):7.0f} ms   "
            f"min {times[0]:7.0f} ms   max {times[-1]:7.0f} ms   ({runs} runs)"
        )


def _signature() -> bytes:
    """A drawn signature as the signing form keeps it (acts/signature.py re-encodes it)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (1200, 400), (0, 0, 0, 0))
    points = [(40 + 90 * n, 300 if n % 2 else 80) for n in range(12)]
    ImageDraw.Draw(image).line(points, fill="#0b2a6b", width=6)
    kept = io.BytesIO()
    image.save(kept, format="PNG", optimize=True)
    return kept.getvalue()


def _input(act):  # type: ignore[no-untyped-def]
    from servicedesk.acts.content import WorkInput

    work = act.works[0]
    return WorkInput(work.title, work.started_at, work.finished_at, work.place, Decimal(1500))


if __name__ == "__main__":
    main()
