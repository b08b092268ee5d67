"""The scoping layer for the knowledge base: which articles a person may read, decided here only.

- Anyone, signed in or not: published articles with visibility «public».
- A signed-in customer: also published «customers» articles, and published «companies» articles
  selected for one of the companies they are a member of (active memberships only).
- The provider's staff: every article in every status (pages that show readers' views filter
  `.published()` on top).
- An inactive account sees what an anonymous visitor sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from servicedesk.accounts.scopes import company_ids

if TYPE_CHECKING:
    from servicedesk.knowledge.models import Article, Category  # noqa: F401


def article_filter(user: Any) -> Q | None:
    """The condition on `Article` for `user`; None means no restriction (staff)."""
    signed_in = bool(getattr(user, "is_authenticated", False) and user.is_active)
    if signed_in and user.is_provider_staff:
        return None
    condition = Q(status="published") & Q(visibility="public")
    if not signed_in:
        return condition
    companies = company_ids(user)
    readable = Q(visibility__in=["public", "customers"])
    if companies:
        readable |= Q(visibility="companies") & Q(
            pk__in=_article_companies().filter(company_id__in=companies).values("article_id")
        )
    return Q(status="published") & readable


def _article_companies() -> Any:
    from servicedesk.knowledge.models import Article

    return Article.companies.through.objects.all()


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: Any) -> Self:
        condition = article_filter(user)
        return self if condition is None else self.filter(condition)

    def published(self) -> Self:
        return self.filter(status="published")

    def public(self) -> Self:
        """What anyone may read without signing in (the public view, the sitemap)."""
        return self.filter(status="published", visibility="public")


class CategoryQuerySet(models.QuerySet["Category"]):
    def subtree(self, path: str) -> Self:
        return self.filter(path__startswith=path)
