"""«Сообщения» for staff: the conversations of the tickets they are assigned to, follow,
dispatched, wrote in or opened, the latest first; and the pulse every page polls."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.web import chat


@backoffice_view
@require_GET
def messages_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    return chat.inbox_response(request, chat.BACKOFFICE, "backoffice/messages.html")


@backoffice_view
@require_POST
def messages_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    return chat.inbox_read_all(request, chat.BACKOFFICE)


@backoffice_view
@require_GET
def pulse(request: AuthenticatedHttpRequest) -> HttpResponse:
    return chat.pulse_response(request, chat.BACKOFFICE)
