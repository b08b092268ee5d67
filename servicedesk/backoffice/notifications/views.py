"""The staff's bell page (servicedesk.web.notifications)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.web import notifications as pages


@backoffice_view
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return pages.notification_list(request, "backoffice")


@backoffice_view
@require_GET
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return pages.notification_open(request, "backoffice", pk)


@backoffice_view
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    return pages.notifications_read_all(request, "backoffice")
