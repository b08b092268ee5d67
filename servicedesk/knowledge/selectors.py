"""Reads of the knowledge base shared by the portal, the public pages and the back office.
Every one starts from `Article.objects.visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from servicedesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    ArticleViewDay,
    Category,
    Deflection,
    SearchQuery,
)


def reader_articles(
    user: Any,
    *,
    category: Category | None = None,
    product_id: int | None = None,
    language: str | None = None,
) -> QuerySet[Article]:
    """Published articles the user may read, newest first, for a list page."""
    articles = Article.objects.visible_to(user).published().select_related("category")
    if category is not None:
        articles = articles.filter(category__path__startswith=category.path)
    if product_id is not None:
        articles = articles.filter(products__id=product_id)
    if language:
        articles = articles.filter(language=language)
    return articles.order_by("-published_at", "-id").distinct()


def category_counts(user: Any) -> list[tuple[Category, int]]:
    """Every category with the number of published articles the user may read in it and
    beneath it; empty categories are left out. Two queries, whatever the number."""
    categories = list(Category.objects.all())
    direct = dict(
        Article.objects.visible_to(user)
        .published()
        .filter(category__isnull=False)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    paths = {c.pk: c.path for c in categories}
    totals = {c.pk: 0 for c in categories}
    for category_id, n in direct.items():
        path = paths.get(category_id, "")
        for c in categories:
            if c.path and path.startswith(c.path):
                totals[c.pk] += n
    return [(c, totals[c.pk]) for c in categories if totals[c.pk]]


def related_articles(user: Any, article: Article) -> list[Article]:
    """The article's related ones the user may read."""
    return list(
        Article.objects.visible_to(user)
        .published()
        .filter(pk__in=article.related.values("pk"))
        .order_by("title")
    )


def translation_for(user: Any, article: Article) -> Article | None:
    """The other language's version, if the user may read it."""
    if article.translation_id is None:
        return None
    return Article.objects.visible_to(user).published().filter(pk=article.translation_id).first()


def article_files(article: Article) -> list[ArticleAttachment]:
    """The files listed under an article (images dropped into its text are not listed)."""
    return list(article.attachments.filter(inline=False))


def ticket_articles(user: Any, ticket: Any) -> list[Article]:
    """The articles attached to a ticket that the user may read (the «Статьи» tab)."""
    visible = Article.objects.visible_to(user)
    if not (getattr(user, "is_authenticated", False) and user.is_provider_staff):
        visible = visible.published()
    return list(visible.filter(ticket_links__ticket=ticket).order_by("ticket_links__created_at"))


def article_feedback_counts(article: Article) -> dict[str, int]:
    counts = dict(article.feedback.values_list("helpful").annotate(n=Count("id")).order_by())
    return {"helpful": counts.get(True, 0), "unhelpful": counts.get(False, 0)}


def category_article_counts() -> dict[int, int]:
    """Articles (any status) directly in each category, for the back office."""
    return dict(
        Article.objects.filter(category__isnull=False)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("changed_by").order_by("-number")


def staff_articles(
    *,
    query: str = "",
    status: str = "",
    visibility: str = "",
    language: str = "",
    category_id: int | None = None,
) -> QuerySet[Article]:
    """The back office's list (staff see every article)."""
    articles = Article.objects.select_related("category", "author")
    if query:
        articles = articles.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    if status:
        articles = articles.filter(status=status)
    if visibility:
        articles = articles.filter(visibility=visibility)
    if language:
        articles = articles.filter(language=language)
    if category_id:
        category = Category.objects.filter(pk=category_id).first()
        if category is not None:
            articles = articles.filter(category__path__startswith=category.path)
    return articles.order_by("-updated_at", "-id")


# --- The provider's report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFigures:
    article: Article
    views: int  # in the period
    helpful: int
    unhelpful: int
    deflections: int


@dataclass(frozen=True)
class MissedSearch:
    text: str
    times: int
    last: dt.datetime


@dataclass(frozen=True)
class KnowledgeReport:
    articles: list[ArticleFigures]
    total_views: int  # in the period
    total_helpful: int
    total_unhelpful: int
    total_deflections: int
    missed: list[MissedSearch]
    never_viewed: list[Article]


def knowledge_report(start: dt.datetime, end: dt.datetime, *, limit: int = 50) -> KnowledgeReport:
    """Views, votes and deflections in [start, end) — views by whole days in the provider's
    time zone, from the first day's to the last's — the searches that found nothing, and the
    published articles nobody has ever opened. The articles most viewed in the period come
    first. A fixed number of queries, whatever the data."""
    first, last = timezone.localdate(start), timezone.localdate(end)
    in_days = Q(day__gte=first, day__lte=last)
    views = (
        ArticleViewDay.objects.filter(in_days, article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Sum("views"))
        .values("n")
    )
    in_period = Q(feedback__created_at__gte=start, feedback__created_at__lt=end)
    articles = list(
        Article.objects.annotate(
            period_views=Coalesce(Subquery(views), 0),
            helpful_n=Count("feedback", filter=in_period & Q(feedback__helpful=True)),
            unhelpful_n=Count("feedback", filter=in_period & Q(feedback__helpful=False)),
        ).order_by("-period_views", "-views", "title")[:limit]
    )
    deflections = dict(
        Deflection.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("article_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        ArticleFigures(
            article=a,
            views=a.period_views,  # type: ignore[attr-defined]
            helpful=a.helpful_n,  # type: ignore[attr-defined]
            unhelpful=a.unhelpful_n,  # type: ignore[attr-defined]
            deflections=deflections.get(a.pk, 0),
        )
        for a in articles
    ]
    total_views = ArticleViewDay.objects.filter(in_days).aggregate(v=Sum("views"))["v"] or 0
    votes = dict(
        ArticleFeedback.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("helpful")
        .annotate(n=Count("id"))
        .order_by()
    )
    missed = [
        MissedSearch(text=text, times=times, last=last)
        for text, times, last in SearchQuery.objects.filter(
            results=0, created_at__gte=start, created_at__lt=end
        )
        .values_list("text")
        .annotate(times=Count("id"), last=Max("created_at"))
        .order_by("-times", "-last")[:limit]
    ]
    never = list(Article.objects.published().filter(views=0).order_by("published_at", "id")[:limit])
    return KnowledgeReport(
        articles=rows,
        total_views=total_views,
        total_helpful=votes.get(True, 0),
        total_unhelpful=votes.get(False, 0),
        total_deflections=sum(deflections.values()),
        missed=missed,
        never_viewed=never,
    )
