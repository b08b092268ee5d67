"""Searching the knowledge base: one interface, two engines, the same ranking shape.

`search_articles(user, query, ...)` returns ranked `Hit`s among the articles
`Article.objects.visible_to(user)` lets the user read — the visibility filter is a condition of
the one query that ranks and limits, so a LIMIT never leaves out a visible article or lets an
invisible one in. Every search is logged as a `SearchQuery` (what people look for and do not
find). `index_article(article)` keeps the index in step; kb-core's services call it in the
same transaction as the change (never a signal). `reindex_all()` (`manage.py kb_reindex`)
rebuilds everything.

Words are read the same way for both engines (`text.py`): letters and digits only, stop words
dropped, Snowball stems (Russian for Cyrillic, English for Latin); each query word matches its
stem or a prefix two letters shorter («не печатает» → «печата*» | «печа*» finds «печать не
работает»). A query word found nowhere in the index is replaced by the most similar indexed
word (trigram similarity, as pg_trgm counts it, or edit similarity for swapped letters): typos.
All words must match; when no article has them all, any may (ranked by how well each matches).

- PostgreSQL: the column `knowledge_article.search_document`, a tsvector weighted title A,
  summary B, body C in the article's language's configuration (`russian` or `english`), with a
  GIN index; ranked by `ts_rank` (weights D,C,B,A = 0.1, 0.2, 0.4, 1.0; length-normalised).
  The index's words (stems) are kept in `knowledge_search_term` with a pg_trgm GIN index for
  typos.
- SQLite: the FTS5 table `knowledge_article_fts` (rowid = article id) holding each column's
  stems; ranked by `bm25` with column weights 10, 4, 2 (the same 1 : 0.4 : 0.2); the typo
  vocabulary is the FTS5 index's own (`knowledge_article_fts_vocab`).

The fragments are built here, from the article's text, the same on both databases.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from servicedesk.core import text
from servicedesk.core.db import unflushed_commit
from servicedesk.knowledge.models import Article, ArticleStatus, Category, SearchQuery, SearchSource

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from servicedesk.accounts.models import User

CONFIGS = {"ru": "russian", "en": "english"}
WEIGHTS = {"title": 10.0, "summary": 4.0, "body": 2.0}  # = ts_rank's A 1.0, B 0.4, C 0.2
FRAGMENT_CHARS = 220
TYPO_MIN_SCORE = 0.8
LOGGED_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")

# --- Database objects: created by migration 0002_search -----------------------------------

SQLITE_TABLE = "knowledge_article_fts"
SQLITE_HEAD = "knowledge_article_fts_head"  # title and summary only, for the first pass
SQLITE_VOCAB = "knowledge_article_fts_vocab"
PG_COLUMN = "search_document"
PG_HEAD = "search_head"  # title (A) and summary (B) only: small, for the first pass
PG_TERMS = "knowledge_search_term"

# --- Indexing ---------------------------------------------------------------------------------


def _columns(article: Article) -> tuple[str, str, str]:
    return (
        text.plain_text(article.title),
        text.plain_text(article.summary),
        text.plain_text(article.body),
    )


def index_article(article: Article) -> None:
    """Put `article` (as saved) into the index, replacing what was there."""
    title, summary, body = _columns(article)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            config = CONFIGS.get(article.language, "russian")
            head_params = [config, title, config, summary]
            cursor.execute(
                f"UPDATE knowledge_article SET {PG_COLUMN} = "  # noqa: S608 (constant names)
                "setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'C'), "
                f"{PG_HEAD} = setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'B') WHERE id = %s",
                [*head_params, config, body, *head_params, article.pk],
            )
            terms = sorted(set(text.stems(f"{title} {summary} {body}")))
            if terms:
                cursor.execute(
                    f"INSERT INTO {PG_TERMS} (term) SELECT unnest(%s::text[]) "
                    "ON CONFLICT DO NOTHING",
                    [terms],
                )
        elif connection.vendor == "sqlite":
            stemmed = [" ".join(text.stems(c)) for c in (title, summary, body)]
            for table in (SQLITE_TABLE, SQLITE_HEAD):
                cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [article.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, summary, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                [article.pk, *stemmed],
            )
            cursor.execute(
                f"INSERT INTO {SQLITE_HEAD} (rowid, title, summary) "  # noqa: S608
                "VALUES (%s, %s, %s)",
                [article.pk, *stemmed[:2]],
            )


def unindex_article(article_id: int) -> None:
    """Take an article out of the index (before or after deleting it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE knowledge_article SET {PG_COLUMN} = NULL, {PG_HEAD} = NULL "  # noqa: S608
                "WHERE id = %s",
                [article_id],
            )
        elif connection.vendor == "sqlite":
            for table in (SQLITE_TABLE, SQLITE_HEAD):
                cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [article_id])  # noqa: S608


@transaction.atomic
def reindex_all(batch: int = 500) -> int:
    """Rebuild the whole index from the articles; the number of articles indexed."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {SQLITE_TABLE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {SQLITE_HEAD}")  # noqa: S608
        elif connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {PG_TERMS}")  # noqa: S608
    count = 0
    articles = Article.objects.order_by("pk").only("pk", "title", "summary", "body", "language")
    for article in articles.iterator(chunk_size=batch):
        index_article(article)
        count += 1
    return count


# --- Searching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    article_id: int
    title: str
    summary: str
    fragment: SafeString  # escaped text, <mark> around the words that matched
    rank: float


Group = tuple[str, ...]  # the prefixes one query word matches


def _vocabulary_has(prefixes: Sequence[str]) -> set[str]:
    """Which of `prefixes` start some indexed word (one query)."""
    if not prefixes:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT p FROM unnest(%s::text[]) p WHERE EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {PG_TERMS} t WHERE t.term ^@ p)",
                [list(prefixes)],
            )
        else:
            union = " UNION ALL ".join(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {SQLITE_VOCAB} "  # noqa: S608
                "WHERE term >= %s AND term < %s)"
                for _ in prefixes
            )
            params: list[str] = []
            for p in prefixes:
                params += [p, p, p + "\U0010ffff"]
            cursor.execute(union, params)
        return {row[0] for row in cursor.fetchall()}


def _typo_score(a: str, b: str) -> float:
    return max(text.similarity(a, b), difflib.SequenceMatcher(None, a, b).ratio())


def _closest_word(stem: str) -> str | None:
    """The indexed word most like `stem` (same first letter and about the same length, or
    trigram-similar on PostgreSQL), if it is like enough."""
    low, high = len(stem) - 2, len(stem) + 2
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"(SELECT term FROM {PG_TERMS} WHERE term %% %s LIMIT 50) UNION "  # noqa: S608
                f"(SELECT term FROM {PG_TERMS} WHERE term ^@ %s "
                "AND length(term) BETWEEN %s AND %s LIMIT 500)",
                [stem, stem[0], low, high],
            )
        else:
            cursor.execute(
                f"SELECT term FROM {SQLITE_VOCAB} WHERE term >= %s AND term < %s "  # noqa: S608
                "AND length(term) BETWEEN %s AND %s LIMIT 500",
                [stem[0], stem[0] + "\U0010ffff", low, high],
            )
        candidates: list[str] = [str(row[0]) for row in cursor.fetchall()]
    scored = sorted(((_typo_score(stem, c), c) for c in candidates), reverse=True)
    if scored and scored[0][0] >= TYPO_MIN_SCORE:
        return scored[0][1]
    return None


def query_groups(stems: Sequence[str]) -> tuple[list[Group], list[Group]]:
    """A group of prefixes per query stem, and the same groups with the glossary's synonyms
    (the other language's words) added. A stem that starts no indexed word is read as typed
    in the other keyboard layout, or replaced by the closest indexed word (a typo), or, if it
    has neither, searched by its synonyms alone or dropped."""
    own = [text.prefixes(stem) for stem in stems]
    other = [text.synonyms(stem) for stem in stems]
    found = _vocabulary_has([p for g in own + other for p in g])
    plain: list[Group] = []
    expanded: list[Group] = []
    for stem, group, synonyms in zip(stems, own, other, strict=True):
        present = tuple(s for s in synonyms if s in found)
        if not any(p in found for p in group):
            switched = text.other_layout(stem)
            switched_stem = text.stem(switched) if switched else None
            if switched_stem and _vocabulary_has(text.prefixes(switched_stem)):
                group = text.prefixes(switched_stem)
            elif len(stem) >= text.SHORT_PREFIX_MIN and (closest := _closest_word(stem)):
                group = text.prefixes(closest)
            elif present:
                group = ()
            else:
                continue
        if group:
            plain.append(group)
        expanded.append(tuple(dict.fromkeys(group + present)))
    return list(dict.fromkeys(plain)), list(dict.fromkeys(expanded))


def _match_expression(groups: Sequence[Group], operator: str, *, fewest: bool = False) -> str:
    """The engine's query text. Prefixes hold only letters and digits; quoted all the same.
    `fewest`: each group's prefixes that no shorter one of the group covers (for PostgreSQL's
    match condition: the same articles, fewer index look-ups, and a row estimate near the
    truth; the rank still counts every prefix, so a word's exact stem weighs more)."""
    if fewest:
        groups = [
            tuple(p for p in g if not any(p != o and p.startswith(o) for o in g)) for g in groups
        ]
    if connection.vendor == "postgresql":
        parts = ["(" + " | ".join(f"'{p}':*" for p in g) + ")" for g in groups]
        return f" {'&' if operator == 'and' else '|'} ".join(parts)
    parts = ["(" + " OR ".join(f'"{p}"*' for p in g) + ")" for g in groups]
    return f" {operator.upper()} ".join(parts)


def _ranked(
    visible: QuerySet[Article], groups: Sequence[Group], operator: str, limit: int, *, head: bool
) -> list[tuple[int, float]]:
    """(article id, rank) of the visible articles matching, best first, at most `limit`: one
    query, the match, the visibility and the rank in it together (never a LIMIT before the
    visibility)."""
    expression = _match_expression(groups, operator)
    if connection.vendor == "postgresql":
        # The match and visibility are conditions on the same row: the GIN index finds the
        # matches, and only those visible are ranked. `ts_rank` (how often the words occur,
        # by weight), not `ts_rank_cd` (how close together): with prefixes, the cover density
        # took 3–4 times as long per row, and a common word ranks a sixth of the articles.
        column = PG_HEAD if head else PG_COLUMN
        document = f"{connection.ops.quote_name(Article._meta.db_table)}.{column}"
        rows = (
            visible.annotate(
                rank=RawSQL(  # noqa: S611 (constant names; the query text is a parameter)
                    f"ts_rank({document}, to_tsquery('simple', %s), 1)",
                    [expression],
                    output_field=FloatField(),
                )
            )
            .filter(
                RawSQL(  # noqa: S611
                    f"{document} @@ to_tsquery('simple', %s)",
                    [_match_expression(groups, operator, fewest=True)],
                    output_field=BooleanField(),
                )
            )
            .order_by("-rank", "pk")
            .values_list("pk", "rank")[:limit]
        )
        return [(int(pk), float(rank)) for pk, rank in rows]
    try:
        visible_sql, visible_params = visible.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []
    table = SQLITE_HEAD if head else SQLITE_TABLE
    weights = ", ".join(str(w) for w in list(WEIGHTS.values())[: 2 if head else 3])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, -bm25({table}, {weights}) AS rank "  # noqa: S608
            f"FROM {table} WHERE {table} MATCH %s "
            # "+rowid": the visible ids filter the matches; as a plain "rowid IN" SQLite
            # would hand them to FTS5 as lookups, one MATCH per visible article (seconds).
            f"AND +rowid IN ({visible_sql}) ORDER BY rank DESC, rowid LIMIT %s",
            [expression, *visible_params, limit],
        )
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def _head_first(
    visible: QuerySet[Article], groups: Sequence[Group], operator: str, limit: int, *, fill: bool
) -> list[tuple[int, float]]:
    """The articles with the words in their title or summary first (ranked), then, if fewer
    than `limit` (or, unless `fill`, none at all), those with them only in the text (ranked).
    The first query reads small documents; a common word fills the page from it and the second
    is never run."""
    ranked = _ranked(visible, groups, operator, limit, head=True)
    if len(ranked) < limit and (fill or not ranked):
        seen = {pk for pk, _ in ranked}
        rest = _ranked(visible, groups, operator, limit, head=False)
        ranked += [(pk, rank) for pk, rank in rest if pk not in seen][: limit - len(ranked)]
    return ranked


@lru_cache(maxsize=256)
def _word_starts(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """Where a word starting with one of `prefixes` begins, in any case, «ё» for «е»: found
    by the regular expression engine, so only those words are stemmed and checked."""
    alternatives = sorted({re.escape(p).replace("е", "[её]") for p in prefixes})
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def fragment(source: str, groups: Iterable[Group], chars: int = FRAGMENT_CHARS) -> SafeString:
    """Escaped text around the first matching word of `source` (markdown), the matching words
    in <mark>; the text's beginning if nothing matches."""
    plain = text.plain_text(source)
    prefixes = tuple(p for g in groups for p in g)
    starts = _word_starts(prefixes) if prefixes else None

    def matching(begin: int, end: int) -> Iterator[re.Match[str]]:
        """The words in plain[begin:end] whose stem starts with one of the prefixes."""
        if starts is None:
            return
        for candidate in starts.finditer(plain, begin, end):
            word = text.WORD.match(plain, candidate.start(), end)
            if word is None:
                continue
            lowered = word.group().lower().replace("ё", "е")[: text.MAX_WORD_CHARS]
            if text.matches(text.stem(lowered), prefixes):
                yield word

    first = next((m.start() for m in matching(0, len(plain))), None)
    start = 0
    if first is not None and first > chars // 3:
        start = plain.rfind(" ", 0, first - chars // 3) + 1
    end = min(len(plain), start + chars)
    if end < len(plain) and plain.rfind(" ", start, end) > start:
        end = plain.rfind(" ", start, end)
    out = ["…" if start > 0 else ""]
    cursor = start
    for m in matching(start, end):
        out += [escape(plain[cursor : m.start()]), "<mark>", escape(m.group()), "</mark>"]
        cursor = m.end()
    out += [escape(plain[cursor:end]), "…" if end < len(plain) else ""]
    return mark_safe("".join(out))  # noqa: S308 (every piece of text escaped above)


def visible_articles(
    user: User | AnonymousUser,
    *,
    category_id: int | None = None,
    product_id: int | None = None,
    language: str | None = None,
) -> QuerySet[Article]:
    """The articles a search may return: what `visible_to(user)` allows, published ones only
    (staff too: a search, a suggestion or an attachment never offers a draft), narrowed by the
    filters."""
    articles = Article.objects.visible_to(user).filter(status=ArticleStatus.PUBLISHED)
    if category_id is not None:
        path = Category.objects.filter(pk=category_id).values_list("path", flat=True).first()
        if path is None:
            return articles.none()
        articles = articles.filter(category__path__startswith=path)
    if product_id is not None:
        articles = articles.filter(products=product_id)
    if language:
        articles = articles.filter(language=language)
    return articles


def search_articles(
    user: User | AnonymousUser,
    query: str,
    *,
    limit: int = 20,
    category_id: int | None = None,
    product_id: int | None = None,
    language: str | None = None,
    source: str = "portal",
) -> list[Hit]:
    """The visible articles matching `query`, best first. Any input is accepted: a query with
    no words (only punctuation, operators, stop words) finds nothing. Logged as a SearchQuery
    (source: portal, suggest, public or staff)."""
    query = (query or "")[: text.MAX_QUERY_CHARS]
    stems = text.query_stems(query)
    hits: list[Hit] = []
    if stems:
        plain, expanded = query_groups(stems)
        visible = visible_articles(
            user, category_id=category_id, product_id=product_id, language=language
        )
        # All the words as typed; else all of them, each also by its other-language words;
        # else any of them. Suggestions read a whole subject and description: any word.
        passes: list[tuple[list[Group], str]] = [
            (plain, "and"),
            (expanded, "and"),
            (expanded, "or"),
        ]
        if source == SearchSource.SUGGEST:
            # The subject (the first line) is short and to the point: all its words first,
            # then any word of the subject and the description.
            subject_stems = text.query_stems(query.split("\n", 1)[0])
            subject = query_groups(subject_stems)[0] if subject_stems != stems else plain
            passes = [(subject, "and"), (expanded, "or")]
        ranked: list[tuple[int, float]] = []
        groups: list[Group] = []
        tried: set[str] = set()
        for groups, operator in passes:
            if not groups or (key := f"{operator}:{groups}") in tried:
                continue
            tried.add(key)
            # Suggestions beside a form: the few whose title or summary match are enough.
            fill = source != SearchSource.SUGGEST
            ranked = _head_first(visible, groups, operator, limit, fill=fill)
            if ranked:
                break
        if ranked:
            rows = Article.objects.filter(pk__in=[pk for pk, _ in ranked]).only(
                "pk", "title", "summary", "body"
            )
            by_id = {a.pk: a for a in rows}
            for pk, rank in ranked:
                a = by_id.get(pk)
                if a is None:  # deleted between the two queries
                    continue
                body = fragment(a.body, groups)
                if "<mark>" not in body and "<mark>" in (summary := fragment(a.summary, groups)):
                    body = summary
                hits.append(Hit(pk, a.title, a.summary, body, rank))
    logged = " ".join(_CONTROL.sub(" ", query).split())[:LOGGED_CHARS]
    if logged:
        # A log for the provider's reports: the search never waits for it to reach the disk.
        with unflushed_commit(savepoint=False):
            SearchQuery.objects.create(
                text=logged,
                user=user if user.is_authenticated else None,
                results=len(hits),
                source=source,
            )
    return hits
