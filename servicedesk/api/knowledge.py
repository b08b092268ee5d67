"""The knowledge base: published articles the caller may read (the one scoping layer,
`Article.objects.visible_to`: internal articles for staff, a company's for its people), listed
newest first or searched (the same search as the pages), and one article with its text
(Markdown, and the HTML the pages show). A draft, an archived article or another company's
answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from servicedesk.api.errors import responses
from servicedesk.api.pagination import PageParams, offset_next, offset_start
from servicedesk.knowledge.access import access_article
from servicedesk.knowledge.models import Article, SearchSource
from servicedesk.knowledge.rendering import render_article_html
from servicedesk.knowledge.search import search_articles
from servicedesk.knowledge.selectors import reader_articles

router = Router(tags=["knowledge"])
SEARCH_LIMIT = 50


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    language: str
    category: str | None
    visibility: str
    published_at: dt.datetime | None


class ArticleDetailOut(ArticleOut):
    body: str = Field(description="Markdown, as written.")
    html: str = Field(description="The text as the pages show it (sanitised HTML).")
    version: int
    translation_id: int | None


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleFilters(Schema):
    q: str | None = Field(
        None, max_length=200, description=f"Search (best first, at most {SEARCH_LIMIT})."
    )
    language: str | None = Field(None, pattern="^(ru|en)$")
    product_id: int | None = Field(None, ge=1)


def _article(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "language": article.language,
        "category": article.category.name if article.category is not None else None,
        "visibility": article.visibility,
        "published_at": article.published_at,
    }


@router.get(
    "/kb/articles",
    response=responses({200: ArticlePage}),
    summary="Knowledge base articles",
    description="Published articles the caller may read, newest first; with `q`, the best "
    "matches. Статьи базы знаний.",
)
def article_list(
    request: HttpRequest, filters: Query[ArticleFilters], page: Query[PageParams]
) -> dict[str, Any]:
    user: Any = request.user
    if filters.q:
        source = SearchSource.STAFF if user.is_provider_staff else SearchSource.PORTAL
        hits = search_articles(
            user,
            filters.q,
            limit=SEARCH_LIMIT,
            product_id=filters.product_id,
            language=filters.language,
            source=source,
        )
        found = {
            a.pk: a
            for a in Article.objects.filter(pk__in=[h.article_id for h in hits]).select_related(
                "category"
            )
        }
        ordered = [found[h.article_id] for h in hits if h.article_id in found]
        return {"items": [_article(a) for a in ordered[: page.limit]], "next_cursor": None}
    start = offset_start(page, "kb-articles")
    rows = list(
        reader_articles(user, product_id=filters.product_id, language=filters.language)[
            start : start + page.limit + 1
        ]
    )
    return {
        "items": [_article(a) for a in rows[: page.limit]],
        "next_cursor": offset_next(start, len(rows), page, "kb-articles"),
    }


@router.get(
    "/kb/articles/{article_id}",
    response=responses({200: ArticleDetailOut}, 404),
    summary="A knowledge base article",
)
def article_detail(request: HttpRequest, article_id: int) -> dict[str, Any]:
    article = access_article(request.user, article_id)
    return {
        **_article(article),
        "body": article.body,
        "html": str(render_article_html(article.body)),
        "version": article.version,
        "translation_id": article.translation_id,
    }
