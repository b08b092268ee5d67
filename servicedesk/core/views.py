from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found_view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Stands in for a route a library provides but this product does not offer."""
    raise Http404
