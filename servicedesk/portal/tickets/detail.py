"""The ticket page in the portal, its attachments (download, drag-and-drop upload) and follow."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.conversations import chat
from servicedesk.conversations.survey_forms import survey_card
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets import selectors, services, workflow
from servicedesk.tickets.access import access_attachment, access_ticket
from servicedesk.tickets.models import Status, Ticket, TicketAttachment, TicketEvent

# Images a browser may show inline; anything else (SVG included) is only ever downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


def _event_value(event: TicketEvent, value: str, for_customer: bool) -> str:
    if event.kind == TicketEvent.Kind.STATUS_CHANGED and value in Status.values:
        if for_customer:
            return workflow.customer_status_label(value)
        return str(Status(value).label)
    if value and event.field in DATETIME_FIELDS:
        try:  # stored as ISO 8601 in UTC; shown in the reader's time zone and format
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    return value


DATETIME_FIELDS = frozenset(
    f.name for f in Ticket._meta.get_fields() if isinstance(f, models.DateTimeField)
)


def _field_label(name: str) -> str:
    """A ticket field's name as people read it ("deadline", not "due_at")."""
    if not name:
        return ""
    try:
        return str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def timeline_rows(
    ticket: Ticket, events: Iterable[TicketEvent] | None = None
) -> list[dict[str, Any]]:
    """The timeline with values a person can read (field names and status codes become
    labels): the public events in the customer's words unless `events` are given (the back
    office shows every one, with the stages' own names)."""
    for_customer = events is None
    if events is None:
        events = selectors.ticket_public_events(ticket)
    rows = []
    for event in events:
        old = _event_value(event, event.old_value, for_customer)
        new = _event_value(event, event.new_value, for_customer)
        if for_customer and event.kind == TicketEvent.Kind.STATUS_CHANGED and old == new:
            continue  # e.g. Assigned → In progress: the same "In progress" to the customer
        rows.append({"event": event, "field": _field_label(event.field), "old": old, "new": new})
    return rows


def detail_context(
    request: AuthenticatedHttpRequest, ticket: Ticket, composer: chat.Composer | None = None
) -> dict[str, Any]:
    attachments = list(selectors.ticket_attachment_list(ticket, request.user))
    return {
        "section": "tickets",
        "ticket": ticket,
        "overdue": ticket.is_overdue(timezone.now()),
        "attachments": attachments,
        "timeline": timeline_rows(ticket),
        "followed": selectors.ticket_is_followed(request.user, ticket),
        "chat": chat.chat_context(request, ticket, chat.PORTAL, composer, files=attachments),
        "customer_status": workflow.customer_status_label(ticket.status),
        "can_accept": ticket.status == Status.RESOLVED,
        "survey": survey_card(ticket),
    }


@portal_view
@require_POST
def ticket_accept(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The customer accepts the proposed resolution: the ticket closes."""
    ticket = access_ticket(request.user, number)
    try:
        services.ticket_accept_resolution(by=request.user, ticket=ticket)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you! The ticket is closed."))
    return redirect("portal:ticket_detail", number=ticket.number)


@portal_view
@require_GET
def ticket_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    services.ticket_viewed(by=request.user, ticket=ticket)
    return render(request, "portal/tickets/detail.html", detail_context(request, ticket))


@portal_view
@require_POST
def ticket_follow(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Follow or stop following: `action=follow|unfollow`, or a toggle without it."""
    ticket = access_ticket(request.user, number)
    user = request.user
    action = request.POST.get("action", "")
    if action not in ("follow", "unfollow"):
        action = "unfollow" if selectors.ticket_is_followed(user, ticket) else "follow"
    if action == "follow":
        services.ticket_follow(by=user, ticket=ticket)
    else:
        services.ticket_unfollow(by=user, ticket=ticket)
    if getattr(request, "htmx", False):
        return render(
            request,
            "portal/tickets/detail.html#follow",
            {"ticket": ticket, "followed": action == "follow"},
        )
    if action == "follow":
        messages.success(request, _("You follow this ticket now."))
    else:
        messages.success(request, _("You no longer follow this ticket."))
    return redirect("portal:ticket_detail", number=ticket.number)


@portal_view
@require_POST
def ticket_attachments_add(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Files dropped on the ticket page. Errors are shown beside the drop zone; nothing is
    stored from a refused batch (the service runs in one transaction)."""
    ticket = access_ticket(request.user, number)
    error = ""
    added = 0
    try:
        added = len(
            services.ticket_attachments_add(
                by=request.user,
                ticket=ticket,
                files=request.FILES.getlist("files"),
            )
        )
    except ApplicationError as refused:
        error = str(refused.message)
    if getattr(request, "htmx", False):
        return render(
            request,
            "portal/tickets/detail.html#attachments",
            {
                "ticket": ticket,
                "attachments": list(selectors.ticket_attachment_list(ticket, request.user)),
                "attachment_error": error,
                "attachments_added": added,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The files are attached."))
    return redirect("portal:ticket_detail", number=ticket.number)


@portal_view
@require_GET
def ticket_attachment(
    request: AuthenticatedHttpRequest, number: str, attachment_id: int
) -> HttpResponse:
    """A file, after the permission check. Downloaded under its (cleaned) name; images may be
    shown inline (`?inline=1`) in a sandbox. The storage path is never revealed."""
    return attachment_response(request, access_attachment(request.user, number, attachment_id))


def attachment_response(
    request: AuthenticatedHttpRequest, attachment: TicketAttachment
) -> HttpResponse:
    """The file (reached through `access_attachment`) as a download, or an image inline."""
    inline = (
        request.GET.get("inline") == "1"
        and attachment.is_image
        and attachment.content_type in INLINE_TYPES
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    if inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    # A streaming response; the gate's type speaks of HttpResponse only.
    return cast(HttpResponse, response)
