"""Placeholder search over articles (kb-search replaces this module with the real engine,
keeping the interface: `Hit`, `index_article`, `unindex_article`, `search_articles`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Hit:
    article_id: int
    title: str
    summary: str
    fragment: SafeString  # escaped text with <mark> around matches
    rank: float


def index_article(article: Any) -> None:
    return None


def unindex_article(article_id: int) -> None:
    return None


def _fragment(text: str, words: list[str]) -> SafeString:
    snippet: str = escape(text[:300])
    for word in words:
        snippet = re.sub(
            re.escape(escape(word)), lambda m: f"<mark>{m.group(0)}</mark>", snippet, flags=re.I
        )
    return mark_safe(snippet)  # noqa: S308 (escaped above; only <mark> added)


def search_articles(
    user: Any,
    query: str,
    *,
    limit: int = 20,
    category_id: int | None = None,
    product_id: int | None = None,
    language: str | None = None,
    source: str = "portal",
) -> list[Hit]:
    from servicedesk.knowledge.models import Article

    words = [w for w in (query or "").split() if w][:10]
    if not words:
        return []
    articles = Article.objects.visible_to(user).published()
    for word in words:
        articles = articles.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    if category_id is not None:
        articles = articles.filter(category_id=category_id)
    if product_id is not None:
        articles = articles.filter(products__id=product_id)
    if language:
        articles = articles.filter(language=language)
    return [
        Hit(
            article_id=a.pk,
            title=a.title,
            summary=a.summary,
            fragment=_fragment(a.summary or a.body, words),
            rank=1.0,
        )
        for a in articles.distinct()[: max(0, limit)]
    ]
