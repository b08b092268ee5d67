"""A ticket on paper: an HTML page styled for printing, and the same page as a PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import portal_view
from servicedesk.core.pdf import pdf_from_html
from servicedesk.tickets import selectors, workflow
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Ticket
from servicedesk.web.tickets import timeline_rows


def _context(ticket: Ticket, *, pdf: bool) -> dict[str, object]:
    return {
        "ticket": ticket,
        # The stage as the customer reads it everywhere (page, history, emails): one name
        "customer_status": workflow.customer_status_label(ticket.status),
        "overdue": ticket.is_overdue(timezone.now()),
        "attachments": list(selectors.ticket_attachment_list(ticket)),
        "timeline": timeline_rows(ticket),
        "printed_at": timezone.now(),
        "pdf": pdf,
    }


@portal_view
@require_GET
def ticket_print(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    return render(request, "portal/tickets/print.html", _context(ticket, pdf=False))


@portal_view
@require_GET
def ticket_pdf(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    html = render_to_string("portal/tickets/print.html", _context(ticket, pdf=True), request)
    response = HttpResponse(
        pdf_from_html(html, stylesheets=("css/print.css",)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="ticket-{ticket.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
