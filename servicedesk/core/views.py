from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.templatetags.static import static


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found_view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Stands in for a route a library provides but this product does not offer."""
    raise Http404


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (error pages, downloads)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
