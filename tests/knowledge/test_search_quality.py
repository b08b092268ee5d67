"""Search quality: the expected top results for 41 queries (morphology, typos, keyboard layout,
mixed languages) over the 215-article fixture. The same test runs on SQLite (FTS5 + Snowball)
and on PostgreSQL (tsvector + pg_trgm) — the suite is run on both."""

from collections import Counter

from django.contrib.auth.models import AnonymousUser
from django.db import connection

from servicedesk.knowledge.models import Article
from servicedesk.knowledge.search import search_articles
from tests.knowledge.conftest import queries


def test_fixture_size_and_languages(kb: dict[str, Article]) -> None:
    languages = Counter(a.language for a in kb.values())
    assert len(kb) >= 200
    assert languages["ru"] >= 100 and languages["en"] >= 90
    assert len(queries()) >= 40
    assert {q["kind"] for q in queries()} == {"morphology", "typo", "mixed"}


def test_expected_top_results(kb: dict[str, Article]) -> None:
    slug_of = {a.pk: slug for slug, a in kb.items()}
    failures = []
    for case in queries():
        hits = search_articles(AnonymousUser(), case["query"], limit=10, source="public")
        top = [slug_of[h.article_id] for h in hits[: case["within"]]]
        if not set(top) & set(case["expect"]):
            failures.append(
                f"{case['kind']:10} {case['query']!r}: expected {case['expect']} "
                f"within {case['within']}, got {[slug_of[h.article_id] for h in hits[:5]]}"
            )
    assert failures == [], f"{connection.vendor}:\n" + "\n".join(failures)


def test_fragments_mark_the_matched_forms(kb: dict[str, Article]) -> None:
    hits = search_articles(AnonymousUser(), "принтеры не печатают", source="public")
    assert hits[0].article_id == kb["printer_not_printing"].pk
    assert hits[0].fragment.startswith("Если <mark>печать</mark> не работает")
    assert hits[0].title == "Принтер не печатает"
    assert hits[0].rank > hits[-1].rank or len(hits) == 1
