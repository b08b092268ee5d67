"""The staff's bell page (servicedesk.web.notifications)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.web import notifications as pages


@backoffice_view
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return pages.notification_list(request, "backoffice")


@backoffice_view
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.notification_open(request, "backoffice", pk)


@backoffice_view
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    return pages.notifications_read_all(request, "backoffice")
