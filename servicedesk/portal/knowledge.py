"""«База знаний» in the portal: browse by category and product, search, read an article (what
the customer may read: knowledge/querysets.py), say whether it helped; and the ticket's
«Статьи» tab (the articles staff attached, those the customer may read)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.knowledge import selectors, services
from servicedesk.knowledge.access import access_article
from servicedesk.tickets.access import access_ticket
from servicedesk.web.knowledge import (
    allow_frames,
    article_context,
    feedback_response,
    search_context,
)


@portal_view
@require_GET
def kb_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = search_context(
        request, request.user, source="portal", article_url="portal:kb_article"
    )
    context["section"] = "kb"
    return render(request, "portal/knowledge/index.html", context)


@portal_view
@require_GET
def kb_article(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = access_article(request.user, pk)
    services.article_viewed(article=article)
    context = article_context(request, request.user, article)
    context.update(
        section="kb",
        article_url="portal:kb_article",
        feedback_url=reverse("portal:kb_feedback", args=[article.pk]),
    )
    response = render(request, "portal/knowledge/article.html", context)
    return allow_frames(response, context["frame_origins"])


@portal_view
@require_POST
def kb_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return feedback_response(request, access_article(request.user, pk))


@portal_view
@require_GET
def ticket_articles(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The «Статьи» tab's content (loaded by htmx when the tab opens, or as a page)."""
    ticket = access_ticket(request.user, number)
    articles = selectors.ticket_articles(request.user, ticket)
    return render(
        request,
        "portal/knowledge/_ticket_articles.html",
        {"ticket": ticket, "ticket_articles": articles},
    )
