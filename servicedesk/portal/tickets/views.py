"""Ticket lists and the ticket page in the portal (the create form lives in create.py)."""

from servicedesk.portal.tickets.chat import (
    ticket_message,
    ticket_messages_earlier,
    ticket_messages_poll,
)
from servicedesk.portal.tickets.detail import (
    ticket_accept,
    ticket_attachment,
    ticket_attachments_add,
    ticket_detail,
    ticket_follow,
)
from servicedesk.portal.tickets.list import ticket_list
from servicedesk.portal.tickets.printing import ticket_pdf, ticket_print

__all__ = [
    "ticket_accept",
    "ticket_attachment",
    "ticket_attachments_add",
    "ticket_detail",
    "ticket_follow",
    "ticket_list",
    "ticket_message",
    "ticket_messages_earlier",
    "ticket_messages_poll",
    "ticket_pdf",
    "ticket_print",
]
