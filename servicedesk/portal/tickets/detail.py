"""The ticket page in the portal, its attachments (download, drag-and-drop upload) and follow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.acts.building import issued_act
from servicedesk.conversations.survey_forms import survey_card
from servicedesk.core.errors import ApplicationError
from servicedesk.customers.access import sees_equipment
from servicedesk.knowledge import selectors as knowledge_selectors
from servicedesk.tickets import selectors, services, workflow
from servicedesk.tickets.access import access_attachment, access_ticket
from servicedesk.tickets.models import Status, Ticket
from servicedesk.web import chat
from servicedesk.web.tickets import attachment_response, timeline_rows


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
        "act": issued_act(ticket),
        "equipment_visible": sees_equipment(request.user, ticket.equipment),
        "ticket_articles": knowledge_selectors.ticket_articles(request.user, ticket),
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
