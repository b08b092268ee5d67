"""«Сообщения»: the customer's conversations, the latest first, and the pulse every page polls
(the unread badge and the bell)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import portal_view
from servicedesk.conversations import chat


@portal_view
@require_GET
def messages_inbox(request: HttpRequest) -> HttpResponse:
    return chat.inbox_response(request, chat.PORTAL, "portal/messages.html")


@portal_view
@require_POST
def messages_read_all(request: HttpRequest) -> HttpResponse:
    return chat.inbox_read_all(request, chat.PORTAL)


@portal_view
@require_GET
def pulse(request: HttpRequest) -> HttpResponse:
    return chat.pulse_response(request, chat.PORTAL)
