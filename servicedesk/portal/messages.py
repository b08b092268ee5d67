"""«Сообщения»: the customer's conversations, the latest first, and the pulse every page polls
(the unread badge and the bell)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.web import chat


@portal_view
@require_GET
def messages_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    return chat.inbox_response(request, chat.PORTAL, "portal/messages.html")


@portal_view
@require_POST
def messages_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    return chat.inbox_read_all(request, chat.PORTAL)


@portal_view
@require_GET
def pulse(request: AuthenticatedHttpRequest) -> HttpResponse:
    return chat.pulse_response(request, chat.PORTAL)
