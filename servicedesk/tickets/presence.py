"""The engineer's presence at the equipment (TicketType.requires_presence_scan): work on a
ticket of such a type starts (New/Assigned → In progress) only once its assigned engineer has
opened the equipment's passport while signed in, after being assigned. The scan itself is a
`customers.PassportScan`; the ticket's timeline records it (`events.passport_scanned`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from servicedesk.core.errors import ErrorCode
from servicedesk.customers.models import PassportScan
from servicedesk.tickets import events
from servicedesk.tickets.hooks import Refusal
from servicedesk.tickets.models import Status, Ticket, TicketEvent

if TYPE_CHECKING:
    from servicedesk.accounts.models import User
    from servicedesk.customers.models import Equipment

# `start`'s sources: only the move that begins the work needs the scan (resume and reopen come
# back to work already begun).
STARTING_FROM = frozenset({Status.NEW, Status.ASSIGNED})


def _assigned_since(ticket: Ticket) -> datetime:
    last = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ASSIGNED).aggregate(
        at=Max("created_at")
    )["at"]
    return last or ticket.created_at


def presence_required(*, ticket: Ticket, target: Status, **kwargs: Any) -> Refusal | None:
    """tickets.hooks.stage_guard: refuse starting work until the assignee has scanned
    (`presence_required`)."""
    if target != Status.IN_PROGRESS or ticket.status not in STARTING_FROM:
        return None
    if not ticket.ticket_type.requires_presence_scan or ticket.equipment_id is None:
        return None
    if ticket.assignee_id is None:
        return None
    scanned = PassportScan.objects.filter(
        user_id=ticket.assignee_id,
        equipment_id=ticket.equipment_id,
        scanned_at__gte=_assigned_since(ticket),
    ).exists()
    if scanned:
        return None
    message = _(
        "Work on this ticket starts at the equipment: the assigned engineer must scan its QR "
        "code (open its passport while signed in) first."
    )
    return Refusal(message, ErrorCode.PRESENCE_REQUIRED)


@transaction.atomic
def presence_scan_record(*, user: User, equipment: Equipment, now: datetime) -> list[Ticket]:
    """A member of staff opened the equipment's passport: the scan is kept, and each open
    ticket on the equipment assigned to them whose type needs presence records it on its
    timeline (once per assignment). Returns those tickets."""
    PassportScan.objects.create(user=user, equipment=equipment, scanned_at=now)
    tickets = list(
        Ticket.objects.filter(
            equipment=equipment,
            assignee=user,
            status__in=STARTING_FROM,
            ticket_type__requires_presence_scan=True,
        ).select_related("ticket_type")
    )
    for ticket in tickets:
        since = _assigned_since(ticket)
        already = TicketEvent.objects.filter(
            ticket=ticket, kind=TicketEvent.Kind.PASSPORT_SCANNED, created_at__gte=since
        ).exists()
        if not already:
            events.passport_scanned(ticket, user)
    return tickets
