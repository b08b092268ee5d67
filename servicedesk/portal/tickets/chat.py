"""The chat on the portal's ticket page: posting (text and files), the poll, earlier messages.
What they do is in web/chat.py, shared with the back office."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.tickets.models import Ticket
from servicedesk.web import chat


def _page(
    request: AuthenticatedHttpRequest, ticket: Ticket, composer: chat.Composer
) -> HttpResponse:
    from servicedesk.portal.tickets.detail import detail_context

    return render(
        request, "portal/tickets/detail.html", detail_context(request, ticket, composer=composer)
    )


@portal_view
@require_POST
def ticket_message(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """A customer's message on the ticket (always public). Replying to a Resolved or Waiting
    ticket puts it back in the service team's work."""
    return chat.chat_post(request, number, chat.PORTAL, _page)


@portal_view
@require_GET
def ticket_messages_poll(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return chat.chat_poll(request, number, chat.PORTAL)


@portal_view
@require_GET
def ticket_messages_earlier(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return chat.chat_earlier(request, number, chat.PORTAL)
