"""The chat on the staff ticket page (replies and internal notes, with files), its poll and
earlier messages, and the ticket's files for staff. What they do is in web/chat.py,
shared with the portal."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.tickets.access import access_attachment
from servicedesk.tickets.models import Ticket
from servicedesk.web import chat
from servicedesk.web.tickets import attachment_response


def _page(
    request: AuthenticatedHttpRequest, ticket: Ticket, composer: chat.Composer
) -> HttpResponse:
    from servicedesk.backoffice.tickets.detail import page_context

    return render(
        request, "backoffice/tickets/detail.html", page_context(request, ticket, composer=composer)
    )


@backoffice_view
@require_POST
def ticket_message(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """A reply to the customer, or an internal note (`internal=1`) only staff ever see."""
    return chat.chat_post(request, number, chat.BACKOFFICE, _page)


@backoffice_view
@require_GET
def ticket_messages_poll(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return chat.chat_poll(request, number, chat.BACKOFFICE)


@backoffice_view
@require_GET
def ticket_messages_earlier(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return chat.chat_earlier(request, number, chat.BACKOFFICE)


@backoffice_view
@require_GET
def ticket_attachment(
    request: AuthenticatedHttpRequest, number: str, attachment_id: int
) -> HttpResponse:
    """A file of the ticket (internal notes' files included), as the portal serves it."""
    return attachment_response(request, access_attachment(request.user, number, attachment_id))
