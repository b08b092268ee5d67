"""The benchmark's floor (bench/run.py): the cheapest pages the stack can serve, with the same
middleware and a logged-in user. Routed by bench/urls.py only (bench.settings)."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from servicedesk.tickets.models import TicketSequence


@login_required
@require_http_methods(["GET", "POST"])
def floor(request: HttpRequest) -> HttpResponse:
    """GET: a trivial page naming the user. POST (a form with its CSRF token): saves one row."""
    if request.method == "POST":
        TicketSequence.objects.create(key=f"bench-floor-{uuid.uuid4().hex}")
        return HttpResponse("saved", content_type="text/plain")
    return HttpResponse(f"floor {request.user.pk}", content_type="text/plain")
