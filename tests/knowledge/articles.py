"""Articles for the knowledge-base tests (kb-core's), made through the services so versions
and the search index are set as in production."""

from __future__ import annotations

from typing import Any

from servicedesk.accounts.models import User
from servicedesk.knowledge import services
from servicedesk.knowledge.models import Article, Category
from tests.factories import UserFactory


def editor() -> User:
    existing = User.objects.filter(email="kb-editor@example.test").first()
    return existing or UserFactory(email="kb-editor@example.test", dispatcher=True)


def make_article(
    title: str,
    *,
    body: str = "",
    summary: str = "",
    visibility: str = "public",
    status: str = "published",
    companies: list[Any] | None = None,
    language: str = "ru",
    category: Category | None = None,
    by: User | None = None,
) -> Article:
    by = by or editor()
    article = services.article_save(
        article=None,
        by=by,
        title=title,
        summary=summary,
        body=body,
        language=language,
        category=category,
        visibility=visibility,
        companies=companies or [],
    )
    if status == "published":
        article = services.article_publish(article=article, by=by)
    elif status == "archived":
        article = services.article_archive(article=article, by=by)
    return article


def make_category(name: str, parent: Category | None = None) -> Category:
    return services.category_save(Category(name=name, parent=parent))
