"""How fast the knowledge base's search and suggestions are over 10,000 articles, and staff's
ticket search over 1M tickets' subjects (bench/README.md, "Knowledge search").

    # articles: a database of their own (never sd_bench), migrated by this branch
    createdb -h 127.0.0.1 -U postgres kb_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench \\
        .venv/bin/python bench/kb_search.py --tickets-url postgres://postgres@127.0.0.1:5432/sd_bench
    # SQLite: a file of its own
    DATABASE_URL=sqlite:///var/kb_bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:///var/kb_bench.sqlite3 .venv/bin/python bench/kb_search.py

The first run fills the article database with `--articles` generated articles (Russian and
English, realistic service-desk topics, 70% public, 20% for customers, 10% internal; made from
the search-quality fixture's sentences and a topic vocabulary) through `search.index_article`.
Then it times `search_articles` in-process — the whole call: parsing, typo look-ups, the ranked
query joined to `visible_to`, fragments, and the SearchQuery row it writes — for portal searches
(the 41 fixture queries, their typo variants and random vocabulary words) as a visitor, as 20
customers of 20 companies (5% of the articles are for «selected companies»; each search by a
user loaded afresh) and as staff, and for suggestions (a ticket's subject + description,
10–30 words, OR-ranked). With
`--tickets-url` it also times staff's ticket search (`tickets.search.ticket_search`, the
queue's first page of 20 newest) over that database's tickets, read only. Prints a markdown
table: p50, p95, p99, max in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from servicedesk.accounts.models import Membership, Role, User  # noqa: E402
from servicedesk.knowledge.models import Article, SearchQuery  # noqa: E402
from servicedesk.knowledge.search import index_article, search_articles  # noqa: E402

DATA = ROOT / "tests" / "knowledge" / "data"

TOPICS_RU = [
    "принтер",
    "МФУ",
    "картридж",
    "POS-терминал",
    "онлайн-касса",
    "фискальный накопитель",
    "кондиционер",
    "вентиляция",
    "котёл",
    "1С",
    "сервер",
    "коммутатор",
    "маршрутизатор",
    "точка доступа",
    "пропуск",
    "турникет",
    "видеорегистратор",
    "камера",
    "ИБП",
    "IP-телефон",
    "ноутбук",
    "монитор",
    "сканер штрихкодов",
    "почта",
    "VPN",
    "холодильная витрина",
]
PROBLEMS_RU = [
    "не включается",
    "не печатает",
    "не подключается к сети",
    "выдаёт ошибку",
    "шумит",
    "течёт",
    "перегревается",
    "медленно работает",
    "не видит устройство",
    "сбрасывает настройки",
    "требует обновления",
    "не проходит оплата",
    "не открывает дверь",
    "пищит",
    "зависает",
]
TOPICS_EN = [
    "printer",
    "toner cartridge",
    "POS terminal",
    "cash register",
    "air conditioner",
    "boiler",
    "server",
    "network switch",
    "router",
    "access point",
    "badge reader",
    "camera",
    "UPS",
    "IP phone",
    "laptop",
    "monitor",
    "barcode scanner",
    "mailbox",
    "VPN client",
]
PROBLEMS_EN = [
    "does not start",
    "is offline",
    "shows an error",
    "is noisy",
    "is leaking",
    "overheats",
    "is slow",
    "keeps rebooting",
    "declines cards",
    "needs an update",
    "does not connect",
]


def _sentences() -> tuple[list[str], list[str]]:
    rows = json.loads((DATA / "articles.json").read_text(encoding="utf-8"))
    ru, en = [], []
    for row in rows:
        target = ru if row["language"] == "ru" else en
        target += [s.strip() + "." for s in row["body"].split(".") if len(s.strip()) > 20]
    return ru, en


def fill(count: int, rng: random.Random) -> None:
    have = Article.objects.count()
    if have >= count:
        return
    ru, en = _sentences()
    visibilities = ["public"] * 7 + ["customers"] * 2 + ["internal"]
    started = time.perf_counter()
    for start in range(have, count, 500):
        with transaction.atomic():
            for _n in range(start, min(count, start + 500)):
                russian = rng.random() < 0.7
                topics, problems, sentences = (
                    (TOPICS_RU, PROBLEMS_RU, ru) if russian else (TOPICS_EN, PROBLEMS_EN, en)
                )
                topic, problem = rng.choice(topics), rng.choice(problems)
                body = "\n\n".join(
                    " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
                    + f" {topic.capitalize()} {problem}."
                    for _ in range(rng.randint(2, 5))
                )
                article = Article.objects.create(
                    title=f"{topic.capitalize()} {problem}"[:255],
                    summary=" ".join(rng.choice(sentences) for _ in range(2))[:500],
                    body=body,
                    language="ru" if russian else "en",
                    visibility=rng.choice(visibilities),
                    status="published" if rng.random() < 0.95 else "draft",
                )
                index_article(article)
    if connection.vendor == "postgresql":
        # As autovacuum leaves a table in use: indexing rewrote every article's row once.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE knowledge_article")
            cursor.execute("VACUUM ANALYZE knowledge_search_term")
    print(f"filled {count - have} articles in {time.perf_counter() - started:.0f} s")


def customers(count: int, rng: random.Random) -> list[int]:
    """The ids of `count` customers, each a member of a company of their own; 5% of the
    articles are for «selected companies» (one to three of those), so a customer's search
    reads the membership condition too. Made once, kept for later runs."""
    from servicedesk.customers.models import Company

    ids = list(
        User.objects.filter(email__startswith="kb-bench-customer-").values_list("pk", flat=True)
    )
    if len(ids) >= count:
        return ids[:count]
    companies = [
        Company.objects.get_or_create(code=f"kb-bench-{n}", defaults={"name": f"KB bench {n}"})[0]
        for n in range(count)
    ]
    for n, company in enumerate(companies):
        user, _created = User.objects.get_or_create(
            email=f"kb-bench-customer-{n}@example.test", defaults={"role": Role.CUSTOMER}
        )
        Membership.objects.get_or_create(user=user, company=company)
    articles = list(Article.objects.values_list("pk", flat=True))
    selected = rng.sample(articles, len(articles) // 20)
    Article.objects.filter(pk__in=selected).update(visibility="companies")
    for pk in selected:
        Article.companies.through.objects.bulk_create(
            [
                Article.companies.through(article_id=pk, company_id=c.pk)
                for c in rng.sample(companies, rng.randint(1, 3))
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE knowledge_article")
    return customers(count, rng)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # one letter dropped


def queries(rng: random.Random) -> list[str]:
    fixture = [q["query"] for q in json.loads((DATA / "queries.json").read_text("utf-8"))]
    words = [w for t in TOPICS_RU + PROBLEMS_RU + TOPICS_EN + PROBLEMS_EN for w in t.split()]
    result = list(fixture)
    result += [" ".join(_typo(w, rng) for w in q.split()) for q in fixture]
    result += [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(120)]
    result += ["квантовый телепорт", '"; DROP TABLE x; --', "x" * 1000, "принтер " * 200]
    return result


def suggestions(rng: random.Random, count: int) -> list[str]:
    ru, _en = _sentences()
    texts = []
    for _ in range(count):
        subject = f"{rng.choice(TOPICS_RU).capitalize()} {rng.choice(PROBLEMS_RU)}"
        texts.append(subject + "\n" + " ".join(rng.sample(ru, 2)))
    return texts


def timed(call: Callable[[], Any], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def row(name: str, times: list[float]) -> str:
    times = sorted(times)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))]

    return (
        f"| {name} | {len(times)} | {statistics.median(times):.1f} | {pct(0.95):.1f} | "
        f"{pct(0.99):.1f} | {times[-1]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the query list")
    parser.add_argument("--tickets-url", default="", help="a bench_data database, read only")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fill(args.articles, rng)
    staff = User.objects.filter(role=Role.DISPATCHER).first() or User.objects.create(
        email="kb-bench-staff@example.test", role=Role.DISPATCHER
    )
    anonymous = AnonymousUser()
    searches = queries(rng)
    texts = suggestions(rng, 300)
    vendor = connection.vendor
    print(f"\n{vendor}, {Article.objects.count()} articles\n")
    print("| what | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    # Every search by a user loaded afresh, as each request loads its own: nothing a search
    # works out about the reader (a customer's companies) is kept for the next one.
    customer_ids = customers(20, rng)
    for label, readers, source in [
        ("portal search, visitor", [lambda: anonymous], "public"),
        (
            "portal search, customers (20)",
            [lambda pk=pk: User.objects.get(pk=pk) for pk in customer_ids],
            "portal",
        ),
        ("portal search, staff", [lambda: User.objects.get(pk=staff.pk)], "staff"),
    ]:
        for q in searches[:10]:  # warm the caches and the connection
            search_articles(readers[0](), q, source=source)
        all_times: list[float] = []
        for _ in range(args.rounds):
            for n, q in enumerate(searches):
                user = readers[n % len(readers)]()
                all_times += timed(lambda q=q, u=user, s=source: search_articles(u, q, source=s), 1)
        print(row(f"{label} ({len(searches)} queries)", all_times))
    times: list[float] = []
    for text in texts:
        times += timed(lambda t=text: search_articles(anonymous, t, limit=5, source="suggest"), 1)
    print(row("suggestions while typing (subject + description)", times))
    SearchQuery.objects.filter(
        Q(user=None) | Q(user__email__startswith="kb-bench-"),
        source__in=["public", "suggest", "portal", "staff"],
    ).delete()

    if args.tickets_url:
        ticket_rows(args.tickets_url, args.rounds)


def ticket_rows(url: str, rounds: int) -> None:
    import environ

    from servicedesk.tickets.models import Ticket
    from servicedesk.tickets.search import similar_tickets, ticket_search

    settings.DATABASES["tickets"] = {
        **environ.Env.db_url_config(url),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"options": "-c default_transaction_read_only=on"},
        "TIME_ZONE": None,
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_HEALTH_CHECKS": False,
        "TEST": {},
    }
    connections.settings = connections.configure_settings(settings.DATABASES)
    staff = User.objects.using("tickets").get(email="bench-staff@example.test")
    total = Ticket.objects.using("tickets").count()
    words = [
        "протечка",
        "кондиционеры",
        "котла",
        "замена фильтра",
        "серверной",
        "принтер",
        "не печатает",
        "перегрев",
        "насосы",
        "течь в цеху",
        "leak",
        "filter replacement",
    ]
    times: list[float] = []
    for _ in range(rounds * 5):
        for word in words:
            tickets = Ticket.objects.using("tickets").visible_to(staff).order_by("-created_at")
            times += timed(lambda w=word, t=tickets: list(ticket_search(t, w)[:20]), 1)
    print(row(f"staff ticket search, {total:,} tickets' subjects ({len(words)} queries)", times))

    # Similar tickets on the staff ticket page: the subjects of tickets of the data set (their
    # words are common: thousands of matches each), and made-up ones with rare words and
    # words in no ticket, for a ticket among the newest.
    ticket = Ticket.objects.using("tickets").order_by("-id").first()
    subjects = [
        *Ticket.objects.using("tickets")
        .order_by()
        .values_list("subject", flat=True)
        .distinct()[:40],
        "Скрипит дверь",
        "Скрипит дверь в цеху",
        "Принтер не печатает",
        "Замена фильтра кондиционера в офисе",
        "Не работает терминал оплаты",
        "Leak in the boiler room",
    ]
    times = []
    for _ in range(rounds * 2):
        for subject in subjects:
            ticket.subject = subject  # not saved: the read-only connection
            everything = Ticket.objects.using("tickets").visible_to(staff)
            times += timed(lambda t=ticket, q=everything: similar_tickets(q, t), 1)
    print(row(f"similar tickets, {total:,} tickets ({len(subjects)} subjects)", times))


if __name__ == "__main__":
    main()
