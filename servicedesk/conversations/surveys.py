"""The signed survey link: a customer rates a resolved or closed ticket from an email without
signing in. The token names the ticket and the contact it was sent to; it expires after
`SURVEY_LINK_TTL_DAYS` and is spent once a response exists (one response per ticket)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from servicedesk.tickets.models import Ticket

_SALT = "servicedesk.conversations.survey"


def survey_token(ticket: Ticket) -> str:
    return signing.dumps([ticket.pk, ticket.contact_id], salt=_SALT, compress=True)


def survey_url(ticket: Ticket) -> str:
    """The absolute link for emails."""
    path = reverse("survey", args=[survey_token(ticket)])
    return str(settings.SITE_URL).rstrip("/") + path


def survey_token_ticket(token: str) -> Ticket | None:
    """The ticket a token was made for, or None when it is altered, expired, or names a ticket
    whose contact has changed since. (Whether it was used already is the caller's question.)"""
    try:
        ticket_id, contact_id = signing.loads(
            token, salt=_SALT, max_age=timedelta(days=settings.SURVEY_LINK_TTL_DAYS)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Ticket.objects.select_related("contact", "company")
        .filter(pk=ticket_id, contact_id=contact_id)
        .first()
    )
