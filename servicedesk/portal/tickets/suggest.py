"""«Нужны ответы быстро?»: while the customer types a new ticket's subject and description,
the knowledge base's matching articles appear beside the form (htmx, debounced by
static/js/kb_suggest.js); «Это решило мою проблему» gives the draft up and counts a
deflection."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.knowledge import services
from servicedesk.knowledge.access import access_article
from servicedesk.knowledge.search import search_articles

SUGGESTIONS = 5
MIN_CHARS = 3  # fewer typed characters than this: nothing to suggest yet


def _draft_text(request: AuthenticatedHttpRequest) -> tuple[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    return data.get("subject", "").strip(), data.get("description", "").strip()


@portal_view
@require_GET
def ticket_suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    subject, description = _draft_text(request)
    text = f"{subject}\n{description}".strip()
    hits = []
    if len(text) >= MIN_CHARS:
        hits = search_articles(request.user, text, limit=SUGGESTIONS, source="suggest")
    return render(
        request,
        "portal/tickets/_kb_suggestions.html",
        {"hits": hits, "typed": len(text) >= MIN_CHARS},
    )


@portal_view
@require_POST
def ticket_deflect(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = access_article(request.user, pk)
    subject, _description = _draft_text(request)
    services.deflection_record(user=request.user, article=article, subject=subject)
    return render(request, "portal/tickets/_kb_deflected.html", {"article": article})
