"""Searching tickets: one interface over the database's full-text search.

`ticket_search(queryset, q)` narrows a (scoped) ticket queryset to those matching q; it only
ever adds a filter, so it never shows more than the queryset it was given.

- Digits (with or without leading zeros or a '#'): the ticket number — the number as typed, or
  one whose counter is that value ("1234" finds "00001234" and "2026-01234", not "00011234").
- Anything else: words of the subject and description, all of them, the last one as a prefix
  (the user may still be typing it). Words are taken from the text as letters and digits only,
  so no character of the input ever reaches the query syntax as an operator.
  - PostgreSQL: the stored column `search_document`, generated as `to_tsvector('russian',
    subject || ' ' || description)`, with a GIN index (migration 0004_search_document): a rare
    word is looked up in the index, a common one tested row by row while walking a customer's
    tickets newest first (~1 µs a row). The 'russian' configuration stems Russian words
    («насосы» finds «насос») and English ones.
  - SQLite: the FTS5 table `tickets_ticket_fts` (unicode61: case-insensitive for Cyrillic too,
    no stemming), kept in step with `tickets_ticket` by triggers (migration 0003_search; recreated
    after every migrate by `sqlite_fts_ensure`, since SQLite's table rebuilds drop triggers).
  - Any other database: case-insensitive containment.
"""

import hashlib
import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from servicedesk.core import text
from servicedesk.tickets import numbering
from servicedesk.tickets.models import Ticket

SEARCH_CONFIG = "russian"
SEARCH_COLUMN = "search_document"  # PostgreSQL's stored tsvector (migration 0004)
MAX_WORDS = 8
MAX_WORD_LENGTH = 64
MAX_QUERY_LENGTH = 500
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"#?\s*(\d+)")


def search_words(q: str) -> list[str]:
    """The words of a query: runs of letters and digits, at most MAX_WORDS, each shortened."""
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(q[:MAX_QUERY_LENGTH])][:MAX_WORDS]


def postgres_tsquery(words: list[str], *, prefix: bool = True) -> str:
    """`'w1' & 'w2' & 'last':*` — each word quoted (words hold no quotes or backslashes, but
    they are escaped all the same), the last one a prefix unless `prefix` is off."""
    quoted = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words]
    if prefix:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def sqlite_match(words: list[str]) -> str:
    """`"w1" "w2" "last"*` — FTS5 strings (double quotes doubled), implicitly ANDed."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _number_filter(digits: str) -> Q:
    mask = settings.TICKET_NUMBER_MASK
    if "{" not in mask:
        # No date in the mask: the counter value gives the one number (the unique index serves it)
        return Q(number__in={digits, numbering.render(mask, date.min, int(digits))})
    counter = digits.lstrip("0") or "0"
    return Q(number=digits) | Q(number__regex=rf"(^|[^0-9])0*{counter}$")


# Up to this many tickets left by the other filters, a search reads them rather than the index
# (~1 µs a row, measured: at worst ~10 ms for a word none of them has, where the index answers
# at once; a common word stops at the first page of matches).
FEW_TICKETS = 10_000


FEW_SECONDS = 300


def _few(queryset: QuerySet[Ticket]) -> bool:
    """Whether the (scoped, filtered) tickets are at most FEW_TICKETS: one capped COUNT that
    the other filters' indexes serve (~1 ms at worst), kept for a few minutes under the
    query's text — a stale answer only costs speed, never changes what is found."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # scoped to nothing (.none()): nothing to read either way
        return True
    key = "search-few:" + hashlib.sha256(repr((sql, params, FEW_TICKETS)).encode()).hexdigest()
    few = cache.get(key)
    if few is None:
        few = queryset.order_by()[: FEW_TICKETS + 1].count() <= FEW_TICKETS
        cache.set(key, few, FEW_SECONDS)
    return bool(few)


def _matches(document: str, tsquery: str) -> RawSQL:
    return RawSQL(  # noqa: S611 (names are constants; the words are parameters)
        f"{document} @@ to_tsquery(%s::regconfig, %s)",
        [SEARCH_CONFIG, tsquery],
        output_field=BooleanField(),
    )


# A search first asks how many tickets match, up to this many (PostgreSQL).
PROBE = 200


def _all_if_few(matched: QuerySet[Ticket]) -> list[int] | None:
    """The ids of every ticket `matched` holds if they are at most PROBE, else None.

    A page of the newest matches is found by walking the tickets newest first and testing
    each (~1 µs a row) when matches are common, or through the GIN index when they are rare;
    PostgreSQL chooses by its estimate. For whole words its statistics are good, and asked
    in no order the question is answered the cheap way: through the index for a rare word,
    by reading until PROBE are found for a common one."""
    ids = list(matched.order_by().values_list("pk", flat=True)[: PROBE + 1])
    return ids if len(ids) <= PROBE else None


def _all_if_few_prefix(words: list[str], matched: QuerySet[Ticket]) -> list[int] | None:
    """`_all_if_few` for a query whose last word is a prefix (what the user may still be
    typing). A prefix it has no statistics for PostgreSQL estimates in 2% of the tickets, so
    the walk reads all of them for a word in none (1M tickets: 1–2.5 s, bench/README.md,
    "Knowledge search"). Asked first for the whole words (good estimates, cheap): more than
    PROBE, the prefix has as many and the walk fills a page at once. Else the prefix query
    is asked through the index only (`tickets_search_probe`, migration 0019): nothing for a
    word in no ticket, 20–80 ms for a short prefix of common words."""
    document = f"{_table(matched)}.{SEARCH_COLUMN}"
    everyone = Ticket.objects.using(matched.db)  # both probes read all tickets: ids ⊇ matches
    if (
        _all_if_few(everyone.filter(_matches(document, postgres_tsquery(words, prefix=False))))
        is None
    ):
        return None
    return _probe("tickets_search_probe", postgres_tsquery(words), matched.db)


def _probe(function: str, tsquery: str, using: str) -> list[int] | None:
    """Up to PROBE ids of tickets matching `tsquery`, read through the GIN index only (the
    functions of migration 0019), or None when more match."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(to_tsquery(%s::regconfig, %s), %s)",
            [SEARCH_CONFIG, tsquery, PROBE + 1],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= PROBE else None


def _table(queryset: QuerySet[Ticket]) -> str:
    return connections[queryset.db].ops.quote_name(Ticket._meta.db_table)


def ticket_search(queryset: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    q = (q or "").strip()
    if not q:
        return queryset
    number = _NUMBER.fullmatch(q)
    if number:
        return queryset.filter(_number_filter(number.group(1)))
    words = search_words(q)
    if not words:
        return queryset.none()  # only punctuation: nothing can match
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        table = connections[queryset.db].ops.quote_name(Ticket._meta.db_table)
        document = f"{table}.{SEARCH_COLUMN}"
        if _few(queryset):
            # PostgreSQL would AND the GIN bitmap of every ticket matching the words (80,000
            # for a common prefix, 31 ms) with the few rows the other filters leave; checking
            # those rows one by one takes ~1 ms. An expression the GIN index cannot serve
            # makes it do that (bench/README.md, sixth run).
            document = f"({document} || ''::tsvector)"
            return queryset.filter(_matches(document, postgres_tsquery(words)))
        matched = queryset.filter(_matches(document, postgres_tsquery(words)))
        ids = _all_if_few_prefix(words, matched)
        return matched if ids is None else queryset.filter(pk__in=ids)
    if vendor == "sqlite":
        return queryset.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM tickets_ticket_fts WHERE tickets_ticket_fts MATCH %s",
                [sqlite_match(words)],
            )
        )
    for word in words:
        queryset = queryset.filter(Q(subject__icontains=word) | Q(description__icontains=word))
    return queryset


# --- Similar tickets (the staff ticket page's suggestions) ----------------------------------

SIMILAR_CANDIDATES = 200


def similar_tickets(queryset: QuerySet[Ticket], ticket: Ticket, limit: int = 5) -> list[Ticket]:
    """The tickets of `queryset` whose subject and description share the most words with
    `ticket`'s subject, for staff deciding how to answer it (how a like one was solved, or
    whether it is a duplicate). Only ever narrows `queryset`.

    Any of the subject's words (stop words dropped, Snowball stems, as the knowledge base reads
    them) may match. The candidates are every matching ticket when at most PROBE match, else
    the SIMILAR_CANDIDATES newest matches; of them, the ones matching the most words come
    first. Bounding the candidates keeps the cost fixed over a million tickets: rare words'
    matches come from the index, a common word's from walking the newest tickets, and ranking
    never reads more than the candidates.
    """
    stems = text.query_stems(ticket.subject)[:MAX_WORDS]
    if not stems:
        return []
    others = queryset.exclude(pk=ticket.pk)
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        # Whole words (PostgreSQL stems them itself with the same Snowball stemmers).
        words = [w for w in text.words(ticket.subject) if text.stem(w)][:MAX_WORDS]
        tsquery = " | ".join("'" + w.replace("'", "''") + "'" for w in words)
        # Unqualified: the candidates are a subquery of the ranking query (its table has an
        # alias there), and the join to the company brings no column of that name.
        document = SEARCH_COLUMN
        matched = others.filter(_matches(document, tsquery))
        # Every ticket matching any word, when they are few (the planner's estimate for
        # several words it has no statistics for is high, so the index is asked directly);
        # else the newest matches, found at once by walking, since some word is common.
        candidates: Any = _probe("tickets_search_probe_any", tsquery, queryset.db)
        if candidates is None:
            candidates = matched.order_by("-id").values("id")[:SIMILAR_CANDIDATES]
        rank = RawSQL(  # noqa: S611
            f"ts_rank({document}, to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, tsquery]
        )
        ranked = others.filter(pk__in=candidates)  # the probe's ids are everyone's
        return list(
            ranked.annotate(similarity=rank)
            .select_related("company")
            .order_by("-similarity", "-id")[:limit]
        )
    if vendor == "sqlite":
        match = " OR ".join('"' + s.replace('"', '""') + '"*' for s in stems)
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM (SELECT rowid, rank FROM tickets_ticket_fts "
                "WHERE tickets_ticket_fts MATCH %s AND rowid != %s ORDER BY rowid DESC LIMIT %s) "
                "ORDER BY rank, rowid DESC",
                [match, ticket.pk, SIMILAR_CANDIDATES],
            )
            order = [row[0] for row in cursor.fetchall()]
        found = others.filter(pk__in=order[: limit * 4]).select_related("company").in_bulk()
        return [found[pk] for pk in order if pk in found][:limit]
    return []


# --- Database objects (migration 0003_search, and after every migrate) ---------------------

SQLITE_FTS_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS tickets_ticket_fts USING fts5("
    "subject, description, content='tickets_ticket', content_rowid='id', tokenize='unicode61')"
)
SQLITE_FTS_TRIGGERS = {
    "tickets_ticket_fts_insert": (
        "CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_insert AFTER INSERT ON tickets_ticket "
        "BEGIN INSERT INTO tickets_ticket_fts(rowid, subject, description) "
        "VALUES (new.id, new.subject, new.description); END"
    ),
    "tickets_ticket_fts_delete": (
        "CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_delete AFTER DELETE ON tickets_ticket "
        "BEGIN INSERT INTO tickets_ticket_fts(tickets_ticket_fts, rowid, subject, description) "
        "VALUES ('delete', old.id, old.subject, old.description); END"
    ),
    "tickets_ticket_fts_update": (
        "CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_update "
        "AFTER UPDATE OF subject, description ON tickets_ticket "
        "BEGIN INSERT INTO tickets_ticket_fts(tickets_ticket_fts, rowid, subject, description) "
        "VALUES ('delete', old.id, old.subject, old.description); "
        "INSERT INTO tickets_ticket_fts(rowid, subject, description) "
        "VALUES (new.id, new.subject, new.description); END"
    ),
}


def sqlite_fts_ensure(using: str = "default") -> bool:
    """Create the FTS table and its triggers where missing, and rebuild the index if anything
    was missing (a table rebuild by a later migration drops the triggers). True if it rebuilt."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name LIKE 'tickets_ticket%'"
        )
        present = {row[0] for row in cursor.fetchall()}
        if "tickets_ticket" not in present:
            return False
        missing = ({"tickets_ticket_fts"} | set(SQLITE_FTS_TRIGGERS)) - present
        if not missing:
            return False
        cursor.execute(SQLITE_FTS_TABLE)
        for sql in SQLITE_FTS_TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute("INSERT INTO tickets_ticket_fts(tickets_ticket_fts) VALUES ('rebuild')")
    return True


def sqlite_fts_drop(using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        for name in SQLITE_FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS tickets_ticket_fts")
