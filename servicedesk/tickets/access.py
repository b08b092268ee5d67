"""`access_ticket(user, number)`: the ticket if the user may see it, else 404 (the same 404 for
another company's ticket as for one that does not exist)."""

from typing import Any

from django.http import Http404

from servicedesk.tickets.models import Ticket, TicketAttachment


def access_ticket(user: Any, number: str) -> Ticket:
    ticket = (
        Ticket.objects.visible_to(user)
        .select_related(
            "company",
            "contact",
            "created_by",
            "ticket_type",
            "criticality",
            "site",
            "equipment__site",
            "work_type",
            "contract",
            "product",
            "assignee",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def access_attachment(user: Any, number: str, attachment_id: int) -> TicketAttachment:
    attachment = (
        TicketAttachment.objects.filter(
            pk=attachment_id, ticket__in=Ticket.objects.visible_to(user), ticket__number=number
        )
        .select_related("ticket")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment
