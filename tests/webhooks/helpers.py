"""Making webhooks and tickets for the webhook tests."""

from __future__ import annotations

from typing import Any

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets.models import Origin, Ticket
from servicedesk.tickets.services import TicketData, ticket_create
from servicedesk.webhooks.models import Event, Webhook
from servicedesk.webhooks.services import webhook_create
from tests.webhooks.conftest import Receiver


def hook(
    admin: Any, receiver: Receiver, *events: str, path: str = "/hook", **fields: Any
) -> Webhook:
    webhook = webhook_create(
        by=admin,
        name=fields.pop("name", f"Receiver {path}"),
        url=receiver.url(path),
        events=events or [Event.TICKET_CREATED],
        **fields,
    )
    receiver.secret = webhook.secret
    return webhook


def file_ticket(contact: Any, company: Any, subject: str = "Boiler is cold") -> Ticket:
    return ticket_create(
        by=contact,
        contact=contact,
        data=TicketData(
            subject=subject,
            description="No hot water since the morning.",
            ticket_type=TicketType.objects.first(),
            criticality=Criticality.objects.first(),
            company=company,
        ),
        origin=Origin.PORTAL,
    )
