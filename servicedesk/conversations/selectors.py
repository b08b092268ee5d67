"""Reads of messages. A customer's reads never include internal notes: the filter is here, in
one place, and every page, email and export that shows messages goes through it."""

from typing import Any

from django.db.models import QuerySet

from servicedesk.conversations.models import Message
from servicedesk.tickets.models import Ticket


def ticket_messages(user: Any, ticket: Ticket) -> QuerySet[Message]:
    """The messages of a ticket the user may see (the ticket itself must have been reached
    through `access_ticket`), oldest first, with their authors."""
    messages = Message.objects.filter(ticket=ticket).select_related("author")
    if not getattr(user, "is_provider_staff", False):
        messages = messages.filter(is_internal=False)
    return messages.order_by("created_at", "id")
