"""How long the reports take on a bench_data database, made afresh (bench/README.md, "Reports").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench \\
        .venv/bin/python bench/reports.py [--rounds 3] [--only provider]

The back office's «Отчеты» (/backoffice/reports/) for the dispatchers, over the whole data set
(every company) and with each filter, for periods from a month to the whole three years, and its
exports; the portal's «Аналитика» (/portal/analytics/) for the people of the biggest companies,
in each mode. Each request is a different (person, address) pair: the rows rotate over the
people, and every address carries `_r=<n>`, which no page reads. The page is made in-process
through Django's test client (the whole middleware stack of bench.settings, templates and all),
so the times are the server's, without a network or a web server in front; the queries are read
from the X-Bench-Queries header (bench/middleware.py). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from servicedesk.accounts.models import Role, User  # noqa: E402
from servicedesk.tickets.models import Ticket  # noqa: E402

PROVIDER = "/backoffice/reports/"
PORTAL = "/portal/analytics/"


class Timed:
    """A connection.execute_wrapper noting each query's time and SQL."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="requests a row, per person")
    parser.add_argument("--only", default="", help="rows whose name holds this")
    parser.add_argument(
        "--slowest",
        type=int,
        default=0,
        help="after each row, one more request with its N slowest queries printed (ms, SQL)",
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    # Static files are not collected here (bench/run.py does it for gunicorn): their plain
    # addresses instead of the manifest's hashed ones, which costs a page nothing measurable.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    dispatchers = list(
        User.objects.filter(role__in=(Role.DISPATCHER, Role.ADMIN), is_active=True)
        .filter(email__startswith="bench-staff")
        .order_by("email")
    )
    engineer = User.objects.filter(role=Role.ENGINEER, email__startswith="bench-staff").first()
    big = list(
        Ticket.objects.order_by()
        .values_list("company_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:5]
    )
    biggest = big[0][0]
    customers = list(
        User.objects.filter(
            memberships__company_id=biggest, memberships__scope="company", is_active=True
        ).order_by("email")[:6]
    )
    today = timezone.localdate()

    def period(days: int) -> dict[str, str]:
        return {"start": str(today - dt.timedelta(days=days - 1)), "end": str(today)}

    rows: list[tuple[str, str, list[User], dict[str, str]]] = [
        ("provider: default (90 days, every company)", PROVIDER, dispatchers, {}),
        ("provider: 30 days", PROVIDER, dispatchers, period(30)),
        ("provider: 1 year", PROVIDER, dispatchers, period(365)),
        ("provider: 3 years (the whole data set)", PROVIDER, dispatchers, period(1100)),
        (
            "provider: 90 days, the biggest company",
            PROVIDER,
            dispatchers,
            {"company": str(biggest)},
        ),
        (
            "provider: 90 days, one engineer",
            PROVIDER,
            dispatchers,
            {"assignee": str(engineer.pk) if engineer else ""},
        ),
        ("provider: 90 days, by phone", PROVIDER, dispatchers, {"origin": "phone"}),
        (
            "provider: 1 year, the biggest company",
            PROVIDER,
            dispatchers,
            {"company": str(biggest), **period(365)},
        ),
        ("provider: XLSX export, 90 days", PROVIDER, dispatchers, {"export": "xlsx"}),
        ("provider: CSV export, 1 year", PROVIDER, dispatchers, {"export": "csv", **period(365)}),
        ("portal: default (created, 90 days)", PORTAL, customers, {}),
        ("portal: active", PORTAL, customers, {"mode": "active"}),
        ("portal: completed, 1 year", PORTAL, customers, {"mode": "completed", **period(365)}),
        ("portal: created, 3 years", PORTAL, customers, {"mode": "created", **period(1100)}),
    ]
    tickets = Ticket.objects.count()
    print(
        f"{tickets:,} tickets; biggest company {biggest} with {big[0][1]:,}; "
        f"{len(dispatchers)} dispatchers, {len(customers)} of its customers; "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    clients = {user.pk: Client() for user in [*dispatchers, *customers]}
    for user in [*dispatchers, *customers]:
        clients[user.pk].force_login(user)
        clients[user.pk].get("/backoffice/" if user.is_provider_staff else "/portal/", secure=True)
    print("| row | requests | median ms | max ms | queries |")
    print("|---|---:|---:|---:|---|")
    serial = 0
    for name, url, people, params in rows:
        if args.only not in name or not people:
            continue
        times, queries = [], set()
        for _round in range(args.rounds):
            for user in people:
                serial += 1
                started = time.perf_counter()
                response = clients[user.pk].get(url, {**params, "_r": str(serial)}, secure=True)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {response.status_code} for {user.email}")
                queries.add(response.get("X-Bench-Queries", "?"))
        print(
            f"| {name} | {len(times)} | {statistics.median(times):.0f} | {max(times):.0f} | "
            f"{', '.join(sorted(queries))} |"
        )
        if args.slowest:
            serial += 1
            timed = Timed()
            with connection.execute_wrapper(timed):
                clients[people[0].pk].get(url, {**params, "_r": str(serial)}, secure=True)
            for ms, sql in sorted(timed.queries, reverse=True)[: args.slowest]:
                print(f"    {ms:7.1f} ms  {' '.join(sql.split())[:400]}")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
