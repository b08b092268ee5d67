"""The chat on a ticket's page, the Messages inbox and the pulse, for both areas: the portal's
and the back office's views are thin wrappers that pass their `Area` (URL names) and check the
audience (`@portal_view` / `@backoffice_view`); what the pages show and do is here, once.

Live updates are htmx polls (docs/decisions/0007): the ticket page asks every 3 s for what is
newer than the last message it shows (`after`) and whether the other side has read further
(`read`); every page asks every 15 s for the unread badge and the bell (the pulse)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.conversations import live, selectors
from servicedesk.conversations.models import Message
from servicedesk.conversations.services import (
    conversation_read,
    conversations_read_all,
    message_post,
)
from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import page_number, pk_or_none
from servicedesk.tickets.access import access_ticket, access_ticket_light
from servicedesk.tickets.models import Ticket, TicketAttachment

CHAT_TEMPLATE = "conversations/_chat.html"
POLL_SECONDS = live.POLL_SECONDS


@dataclass(frozen=True)
class Area:
    """The URL names of one area's conversation pages."""

    name: str
    ticket: str
    post: str
    poll: str
    earlier: str
    attachment: str
    inbox: str
    read_all: str
    pulse: str


PORTAL = Area(
    name="portal",
    ticket="portal:ticket_detail",
    post="portal:ticket_message",
    poll="portal:ticket_messages_poll",
    earlier="portal:ticket_messages_earlier",
    attachment="portal:ticket_attachment",
    inbox="portal:messages",
    read_all="portal:messages_read_all",
    pulse="portal:pulse",
)
BACKOFFICE = Area(
    name="backoffice",
    ticket="backoffice:ticket_detail",
    post="backoffice:ticket_message",
    poll="backoffice:ticket_messages_poll",
    earlier="backoffice:ticket_messages_earlier",
    attachment="backoffice:ticket_attachment",
    inbox="backoffice:messages",
    read_all="backoffice:messages_read_all",
    pulse="backoffice:pulse",
)


@dataclass
class Composer:
    """What the composer shows: empty, or what was typed when it was refused, and why."""

    body: str = ""
    internal: bool = False
    error: str = ""


@dataclass
class Chat:
    area: Area
    ticket: Ticket
    messages: list[Message]
    more: bool  # earlier messages exist
    after: int  # the newest message shown
    read: int  # up to which message the other side has read
    staff: bool
    composer: Composer = field(default_factory=Composer)
    poll_seconds: int = field(default_factory=lambda: POLL_SECONDS)


def _mark(messages: list[Message], user: Any, read: int) -> list[Message]:
    """Each message knows whether it is the reader's own and whether the other side read it."""
    for message in messages:
        message.mine = message.author_id == user.pk  # type: ignore[attr-defined]
        message.seen = message.pk <= read  # type: ignore[attr-defined]
    return messages


def chat_context(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    area: Area,
    composer: Composer | None = None,
    files: Iterable[TicketAttachment] | None = None,
) -> Chat:
    """The chat for the ticket's page (the ticket reached through `access_ticket`). Opening
    the page reads the conversation, for this user only. `files`: the page's list of the
    ticket's files this user may see (the messages take theirs from it)."""
    user = request.user
    shown, more = selectors.ticket_messages_latest(user, ticket, files=files)
    conversation_read(user=user, ticket=ticket, newest_id=shown[-1].pk if shown else 0)
    read = selectors.conversation_state(ticket.number).read_by_other_side(user)
    return Chat(
        area=area,
        ticket=ticket,
        messages=_mark(shown, user, read),
        more=more,
        after=shown[-1].pk if shown else 0,
        read=read,
        staff=bool(user.is_provider_staff),
        composer=composer or Composer(),
    )


def _int(value: Any) -> int:
    """A message id from the page (0: none): pk_or_none's bounds."""
    return pk_or_none(value) or 0


def _news(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    area: Area,
    after: int,
    read: int,
    state: selectors.ConversationState | None = None,
) -> tuple[str, bool]:
    """The HTML of what is new since `after` (appended to the list), the new `after` and
    `read` for the next poll (the page's script marks the reader's messages up to `read` as
    read) and the badge (the new messages are read now); and whether there was anything."""
    user = request.user
    # How far the other side has read (the reader's own reading below does not move it).
    state = state or selectors.conversation_state(ticket.number)
    other_read = state.read_by_other_side(user)
    news = selectors.ticket_messages_after(user, ticket, after)
    if news:
        conversation_read(user=user, ticket=ticket, newest_id=news[-1].pk)
    if not news and other_read <= read:
        return "", False
    chat = Chat(
        area=area,
        ticket=ticket,
        messages=_mark(news, user, other_read),
        more=False,
        after=news[-1].pk if news else after,
        read=max(other_read, read),
        staff=bool(user.is_provider_staff),
    )
    html = render_to_string(f"{CHAT_TEMPLATE}#news", {"chat": chat, "badge": news}, request)
    return html, True


def chat_poll(request: AuthenticatedHttpRequest, number: str, area: Area) -> HttpResponse:
    """GET …/messages/poll/?after=&read=: 204 while nothing changed, else the news (see
    `_news`). Access is checked first, through the scoping layer, on every poll: another
    company's ticket is a 404, as a missing one. Whether anything changed is then told by the
    conversation's state in the cache (conversations/live.py)."""
    user = request.user
    after, read = _int(request.GET.get("after")), _int(request.GET.get("read"))
    ticket = access_ticket_light(user, number)
    state = selectors.conversation_state(ticket.number)
    if state.last_for(user) <= after and state.read_by_other_side(user) <= read:
        return HttpResponse(status=204)
    html, changed = _news(request, ticket, area, after, read, state)
    if not changed:
        return HttpResponse(status=204)
    return HttpResponse(html)


def chat_earlier(request: AuthenticatedHttpRequest, number: str, area: Area) -> HttpResponse:
    """GET …/messages/?before=<id>: the earlier messages, put before the first one shown."""
    user = request.user
    ticket = access_ticket_light(user, number)
    before = _int(request.GET.get("before")) or None
    shown, more = selectors.ticket_messages_latest(user, ticket, before=before)
    read = selectors.conversation_state(ticket.number).read_by_other_side(user)
    chat = Chat(
        area=area,
        ticket=ticket,
        messages=_mark(shown, user, read),
        more=more,
        after=0,
        read=read,
        staff=bool(user.is_provider_staff),
    )
    return render(request, f"{CHAT_TEMPLATE}#earlier_page", {"chat": chat})


Page = Callable[[AuthenticatedHttpRequest, Ticket, Composer], HttpResponse]


def chat_post(
    request: AuthenticatedHttpRequest, number: str, area: Area, page: Page
) -> HttpResponse:
    """POST a message (text and files; staff: `internal=1` for a note). With htmx: the list
    gets what is new (the message and anything that came meanwhile) and the composer is
    emptied; refused, the composer comes back with the reason and the text. Without htmx: back
    to the page, or the page again with the composer as it was (`page`) when refused."""
    user = request.user
    ticket = access_ticket(user, number)
    internal = request.POST.get("internal") == "1" and bool(user.is_provider_staff)
    body = request.POST.get("body", "")
    htmx = bool(getattr(request, "htmx", False))
    try:
        message_post(
            by=user,
            ticket=ticket,
            body=body,
            internal=internal,
            files=request.FILES.getlist("files"),
        )
    except ApplicationError as error:
        composer = Composer(body=body, internal=internal, error=str(error.message))
        if not htmx:
            response = page(request, ticket, composer)
            response.status_code = 400
            return response
        chat = Chat(
            area=area,
            ticket=ticket,
            messages=[],
            more=False,
            after=_int(request.POST.get("after")),
            read=_int(request.POST.get("read")),
            staff=bool(user.is_provider_staff),
            composer=composer,
        )
        response = render(request, f"{CHAT_TEMPLATE}#composer", {"chat": chat})
        response["HX-Retarget"] = "#composer"
        response["HX-Reswap"] = "outerHTML"
        return response
    if not htmx:
        flash.success(request, _("Internal note added.") if internal else _("Message sent."))
        return redirect(reverse(area.ticket, args=[ticket.number]) + "#messages")
    status, responded = (
        Ticket.objects.filter(pk=ticket.pk).values_list("status", "first_responded_at").get()
    )
    if status != ticket.status or (responded is None) != (ticket.first_responded_at is None):
        # A customer's reply took the ticket back to work, or staff's first public reply
        # stopped the first-response clock: the whole page tells it (the status, the history,
        # the SLA panel), the new message with it.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    after, read = _int(request.POST.get("after")), _int(request.POST.get("read"))
    html, _changed = _news(request, ticket, area, after, read)
    chat = Chat(
        area=area,
        ticket=ticket,
        messages=[],
        more=False,
        after=0,
        read=0,
        staff=bool(user.is_provider_staff),
        composer=Composer(internal=internal),
    )
    # The composer comes back empty (the poll's state lives outside it, in the news).
    empty = render_to_string(f"{CHAT_TEMPLATE}#composer", {"chat": chat, "oob": True}, request)
    return HttpResponse(html + empty)


# --- The inbox and the pulse ----------------------------------------------------------------


def inbox_response(request: AuthenticatedHttpRequest, area: Area, template: str) -> HttpResponse:
    user = request.user
    view = request.GET.get("filter", selectors.INBOX_ALL)
    if view not in selectors.INBOX_FILTERS:
        view = selectors.INBOX_ALL
    page = selectors.inbox_page(user, view, page_number(request.GET.get("page")))
    return render(
        request,
        template,
        {
            "section": "messages",
            "area": area,
            "view": view,
            "page": page,
            "unread_total": selectors.unread_total(user),
        },
    )


def inbox_read_all(request: AuthenticatedHttpRequest, area: Area) -> HttpResponse:
    changed = conversations_read_all(user=request.user)
    if changed:
        flash.success(request, _("All conversations are marked as read."))
    return redirect(area.inbox)


def pulse_response(request: AuthenticatedHttpRequest, area: Area) -> HttpResponse:
    """Out-of-band swaps only: the menu's unread badge and, when the page has one
    (`bell=1`), the notifications bell."""
    return render(
        request,
        "conversations/_pulse.html",
        {"area": area, "bell": request.GET.get("bell") == "1"},
    )
