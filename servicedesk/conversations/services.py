"""Posting a message on a ticket."""

import re
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.conversations.models import BODY_MAX_LENGTH, Message
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Ticket

# Control and zero-width characters have no place in a message (tabs and line ends stay).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_body(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return _INVISIBLE.sub("", text).strip()


@transaction.atomic
def message_post(*, by: User, ticket: Ticket, body: str, internal: bool = False) -> Message:
    """Post a message. Staff may make it an internal note; a customer's message is always
    public, and a customer's reply to a Resolved or Waiting ticket returns it to In progress.
    The first public message from staff records the ticket's first response."""
    text = clean_body(body or "")
    if not text:
        raise ApplicationError(_("Write a message first."), code="empty", field="body")
    if len(text) > BODY_MAX_LENGTH:
        raise ApplicationError(
            _("The message is too long (at most %(max)s characters).") % {"max": BODY_MAX_LENGTH},
            code="too_long",
            field="body",
        )
    staff = by.is_provider_staff
    if internal and not staff:
        raise ApplicationError(_("Only the service team writes internal notes."), code="internal")
    message = Message.objects.create(ticket=ticket, author=by, body=text, is_internal=internal)
    if staff and not internal and ticket.first_responded_at is None:
        Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(
            first_responded_at=timezone.now()
        )
    if not staff:
        from servicedesk.tickets.services import ticket_customer_replied

        ticket_customer_replied(by=by, ticket=ticket)
    return message
