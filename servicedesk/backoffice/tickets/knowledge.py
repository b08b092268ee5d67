"""The staff ticket page's «База знаний» card (loaded by htmx after the page): the articles
attached to the ticket, the knowledge base's suggestions for its subject and description, each
attachable in one click when the ticket's customer may read it, and the tickets most like it
(how a like one was solved, or whether it is a duplicate)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.core.errors import ApplicationError
from servicedesk.knowledge import selectors
from servicedesk.knowledge.access import access_article
from servicedesk.knowledge.models import Article
from servicedesk.knowledge.search import search_articles
from servicedesk.knowledge.sharing import ticket_article_share
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.search import similar_tickets

SUGGESTIONS = 5


def _card(
    request: AuthenticatedHttpRequest, ticket: Ticket, error: str = "", shared: str = ""
) -> HttpResponse:
    user = request.user
    attached = selectors.ticket_articles(user, ticket)
    attached_ids = {a.pk for a in attached}
    hits = [
        hit
        for hit in search_articles(
            user,
            f"{ticket.subject}\n{ticket.description}",
            limit=SUGGESTIONS + len(attached_ids),
            source="staff",
        )
        if hit.article_id not in attached_ids
    ][:SUGGESTIONS]
    # What the ticket's customer may read: only those can be attached (one query).
    readable = set(
        Article.objects.visible_to(ticket.contact)
        .published()
        .filter(pk__in=[h.article_id for h in hits])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "backoffice/tickets/_kb_card.html",
        {
            "ticket": ticket,
            "attached": attached,
            "suggestions": [(hit, hit.article_id in readable) for hit in hits],
            "similar": similar_tickets(Ticket.objects.visible_to(user), ticket, SUGGESTIONS),
            "error": error,
            "shared": shared,
        },
    )


@backoffice_view
@require_GET
def ticket_kb(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _card(request, access_ticket(request.user, number))


@backoffice_view
@require_POST
def ticket_kb_attach(request: AuthenticatedHttpRequest, number: str, pk: int) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    article = access_article(request.user, pk)
    url = settings.SITE_URL.rstrip("/") + reverse("portal:kb_article", args=[article.pk])
    try:
        ticket_article_share(ticket=ticket, article=article, by=request.user, article_url=url)
    except ApplicationError as error:
        return _card(request, ticket, error=str(error.message))
    return _card(request, ticket, shared=article.title)
