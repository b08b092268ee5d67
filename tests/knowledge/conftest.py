"""The search-quality fixture: 215 Russian and English articles (tests/knowledge/data), indexed
through the real engine."""

import json
from pathlib import Path
from typing import Any

import pytest

from servicedesk.knowledge.models import Article, Category
from servicedesk.knowledge.search import index_article

DATA = Path(__file__).parent / "data"


def load_articles(companies: dict[str, Any] | None = None) -> dict[str, Article]:
    """Create and index the fixture's articles; {slug: article}. «companies» articles are
    given company A (from the world fixture) when `companies` is passed."""
    rows = json.loads((DATA / "articles.json").read_text(encoding="utf-8"))
    categories: dict[str, Category] = {}
    articles: dict[str, Article] = {}
    for row in rows:
        category = None
        if row["category"]:
            category = categories.get(row["category"])
            if category is None:
                category = Category.objects.create(name=row["category"])
                category.path = f"{category.pk}/"
                category.save(update_fields=["path"])
                categories[row["category"]] = category
        article = Article.objects.create(
            title=row["title"],
            summary=row["summary"],
            body=row["body"],
            language=row["language"],
            visibility=row["visibility"],
            status=row["status"],
            category=category,
        )
        if row["visibility"] == "companies" and companies:
            article.companies.add(companies["A"])
        index_article(article)
        articles[row["slug"]] = article
    return articles


def queries() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))
    return result


@pytest.fixture
def kb(db: None) -> dict[str, Article]:
    return load_articles()
