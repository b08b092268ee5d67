"""The API's ticket list against the portal's list page, made afresh for many people, in the
same run (bench/README.md, "API ticket list").

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench   # loaded by bench_data
    .venv/bin/python bench/api_list.py     # 200 customers + 20 staff, 2,000 requests a row
    .venv/bin/python bench/api_list.py --people 50 --requests 500 --seed 3

In-process, through the whole middleware stack (Django's test client, no network): each
customer gets a personal API token (made once, named "bench api_list"; kept for later runs) and
a signed-in session; each row is a list of (person, request) pairs drawn at random — the
customer's views, sorts, filters, searches and page sizes, deeper pages through `next_cursor`
(the API) or `page=` (the portal) — run in that order, so consecutive requests come from
different people for different lists: nothing is answered from a cache made for the previous
request. The staff rows do the same with the staff tokens against the back office queue.

Per row: requests/s (one process, one thread: 1 / the mean time of a timed request),
p50/p95/p99 in ms, and the queries per request (every timed request counted; one number when
all agree, else the range). Every answer must be 200.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from servicedesk.accounts.models import ApiToken, Role, User  # noqa: E402
from servicedesk.accounts.services import api_token_create, api_token_revoke  # noqa: E402
from servicedesk.tickets import selectors  # noqa: E402

# Plain HTTP in-process (the test client), as bench/run.py serves it.
settings.SECURE_SSL_REDIRECT = False
# Static files' plain names (no manifest to build first): the pages' CPU is the same.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Every request comes from this one process's address: the per-address and per-token limits
# would measure themselves (429), not the list.
settings.API_RATE_PER_ADDRESS = settings.API_RATE_PER_TOKEN = ""
BACKEND = "servicedesk.accounts.backends.EmailBackend"
TOKEN_NAME = "bench api_list"  # noqa: S105 (a token's name, not a secret)
WORDS = ["насос", "котёл", "принтер", "утечка", "фильтр", "pump", "leak", "filter", "printer"]
STATUSES = ["open", "finished", "new", "in_progress", "resolved", "closed"]
CUSTOMER_SORTS = ["-created", "created", "number", "-number", "status", "subject", "-due"]
STAFF_SORTS = [*CUSTOMER_SORTS, "company", "assignee", "contact"]


class Person:
    def __init__(self, user: User, secret: str) -> None:
        self.user = user
        self.api = Client(headers={"Authorization": f"Bearer {secret}"})
        self.page = Client()
        self.page.force_login(user, backend=BACKEND)


def people(count: int, staff: bool, rng: random.Random) -> list[Person]:
    roles = [Role.ADMIN, Role.DISPATCHER, Role.ENGINEER] if staff else [Role.CUSTOMER]
    users = list(
        User.objects.filter(role__in=roles, is_active=True, email__startswith="bench-")
        .exclude(email="bench-big@example.test")
        .order_by("pk")
    )
    if not staff:
        big = list(User.objects.filter(email="bench-big@example.test"))
        users = big + rng.sample(users, min(len(users), max(0, count - len(big))))
    chosen = users[:count]
    result = []
    for user in chosen:
        # A new token each run (the secret is never stored); the run's old ones revoked.
        for old in ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at__isnull=True):
            api_token_revoke(token=old, actor=user)
        secret = api_token_create(user=user, name=TOKEN_NAME, scope="read").secret
        person = Person(user, secret)
        person.api.get("/api/v1/me")  # the token's first use noted before anything is timed
        result.append(person)
    return result


def list_params(rng: random.Random, staff: bool) -> dict[str, Any]:
    """A list as a person asks for it: the view, sort, maybe a filter or a search."""
    params: dict[str, Any] = {}
    views = selectors.QUEUE_VIEWS if staff else ("company", "mine")
    params["view"] = rng.choice(views)
    params["sort"] = rng.choice(STAFF_SORTS if staff else CUSTOMER_SORTS)
    roll = rng.random()
    if roll < 0.25:
        params["status"] = rng.choice(STATUSES)
    elif roll < 0.4:
        params["q"] = rng.choice(WORDS)
    return params


Request = tuple[Person, str, dict[str, Any], int]  # person, kind, params, depth


def plan(persons: list[Person], requests: int, rng: random.Random, staff: bool) -> list[Request]:
    return [
        (
            rng.choice(persons),
            "list",
            list_params(rng, staff),
            rng.choice([1, 1, 1, 2, 3, 5]),  # page 1 mostly, some deeper
        )
        for _ in range(requests)
    ]


def api_query(person: Person, params: dict[str, Any], depth: int, size: int) -> dict[str, Any]:
    """The query of page `depth` of the list through the API: the cursors of the pages before
    it are followed first, untimed (a client reaches page 3 through pages 1 and 2; the portal's
    row asks for `page=3` directly)."""
    query = {**params, "limit": size}
    if params.get("view") == "company" and person.user.role == Role.CUSTOMER:
        query.pop("view")  # company when their membership sees it, else mine
    for _ in range(depth - 1):
        response = person.api.get("/api/v1/tickets", query)
        cursor = response.json().get("next_cursor") if response.status_code == 200 else None
        if not cursor:
            break
        query["cursor"] = cursor
    return query


def _api_prepared(person: Person, query: dict[str, Any]) -> Callable[[], Any]:
    return lambda: person.api.get("/api/v1/tickets", query)


def page_call(person: Person, params: dict[str, Any], depth: int, size: int, staff: bool) -> Any:
    url = "/backoffice/tickets/" if staff else "/portal/"
    query = {**params, "size": size, "page": depth}
    if staff and query.get("view") == "company":
        query["view"] = "all"
    return person.page.get(url, query)


def measure(name: str, calls: list[Callable[[], Callable[[], Any]]]) -> dict[str, Any]:
    """Each entry prepares (untimed) and returns the timed call."""
    times: list[float] = []
    queries: Counter[int] = Counter()
    statuses: Counter[int] = Counter()
    for prepare in calls:
        call = prepare()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - began) * 1000)
        queries[len(captured)] += 1
        statuses[response.status_code] += 1
    elapsed = sum(times) / 1000
    times.sort()

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))]

    low, high = min(queries), max(queries)
    return {
        "row": name,
        "req/s": len(calls) / elapsed,
        "p50": statistics.median(times),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "queries": str(low) if low == high else f"{low}–{high}",
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200, help="customers (tokens)")
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="per row")
    parser.add_argument("--size", type=int, default=25, help="tickets a page (API limit)")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"tickets: {connection.vendor}, {selectors.Ticket.objects.count():,}")
    customers = people(args.people, staff=False, rng=rng)
    staff = people(args.staff, staff=True, rng=rng)
    print(f"people: {len(customers)} customers, {len(staff)} staff, tokens made afresh")
    rows = []
    for who, persons, is_staff in (("customers", customers, False), ("staff", staff, True)):
        if not persons:
            continue
        requests = plan(persons, args.requests, rng, is_staff)
        page_row = "back office queue" if is_staff else "portal list page"
        # Alternating halves, so a drift of the shared machine hits both alike.
        half = len(requests) // 2
        for part in (requests[:half], requests[half:]):
            rows.append(
                measure(
                    f"API list ({who})",
                    [
                        (lambda p=p, q=q, d=d: _api_prepared(p, api_query(p, q, d, args.size)))
                        for p, _k, q, d in part
                    ],
                )
            )
            rows.append(
                measure(
                    page_row,
                    [
                        (lambda p=p, q=q, d=d, s=is_staff: lambda: page_call(p, q, d, args.size, s))
                        for p, _k, q, d in part
                    ],
                )
            )
    merged: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        merged.setdefault(row["row"], []).append(row)
    print("| row | req/s | p50 ms | p95 ms | p99 ms | queries/request | statuses |")
    print("|---|---:|---:|---:|---:|---|---|")
    for name, parts in merged.items():
        statuses: Counter[int] = Counter()
        for part in parts:
            statuses.update(part["statuses"])
        print(
            f"| {name} | {statistics.mean(p['req/s'] for p in parts):.0f} "
            f"| {statistics.mean(p['p50'] for p in parts):.1f} "
            f"| {max(p['p95'] for p in parts):.1f} | {max(p['p99'] for p in parts):.1f} "
            f"| {', '.join(sorted({p['queries'] for p in parts}))} | {dict(statuses)} |"
        )
    bad = [r for r in rows if set(r["statuses"]) != {200}]
    if bad:
        print("NOT ALL 200:", [(r["row"], r["statuses"]) for r in bad])
        sys.exit(1)


if __name__ == "__main__":
    main()
