"""`access_article(user, pk)` and `access_article_file(user, pk)`: the object if the user may
read it, else 404 — the same 404 for another company's article as for one that does not exist.
Both go through `Article.objects.visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from servicedesk.knowledge.models import Article, ArticleAttachment


def access_article(user: Any, pk: int, *, published_only: bool = True) -> Article:
    """An article for reading. `published_only=False` is the back office's: staff see drafts
    and archived articles too (visible_to gives others published ones only anyway)."""
    articles = Article.objects.visible_to(user).select_related("category", "translation")
    if published_only:
        articles = articles.published()
    found = list(articles.filter(pk=pk)[:1])
    if not found:
        raise Http404
    return found[0]


def access_article_file(user: Any, pk: int) -> ArticleAttachment:
    """A file of an article the user may read (staff: of any article; readers: of published
    ones they may see)."""
    visible = Article.objects.visible_to(user)
    if not (getattr(user, "is_authenticated", False) and user.is_provider_staff):
        visible = visible.published()
    found = list(
        ArticleAttachment.objects.filter(pk=pk, article__in=visible.values("pk")).select_related(
            "article"
        )[:1]
    )
    if not found:
        raise Http404
    return found[0]
