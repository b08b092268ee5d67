"""The engineer's presence at the equipment (TicketType.requires_presence_scan): work on a
ticket of such a type starts (New/Assigned → In progress) only once its assigned engineer has
opened the equipment's passport while signed in, after being assigned. The scan itself is a
`customers.PassportScan`; the ticket's timeline records it (`events.passport_scanned`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
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


def _scan_needed(*, user: User, equipment: Equipment, now: datetime) -> bool:
    """Whether this visit must be kept as a scan. A reload or a second visit within
    PASSPORT_SCAN_DEDUP_MINUTES of the person's last scan of the piece adds nothing — unless
    one of their tickets on it was (re)assigned after that scan: the presence check counts only
    scans since the last assignment, so the last scan would not do for it (scan at 09:58,
    assigned at 10:00, scan at 10:02: the 10:02 one is kept). Two queries at most."""
    minutes = int(getattr(settings, "PASSPORT_SCAN_DEDUP_MINUTES", 10))
    if minutes <= 0:
        return True
    last = (
        PassportScan.objects.filter(
            user=user, equipment=equipment, scanned_at__gt=now - timedelta(minutes=minutes)
        )
        .order_by("-scanned_at")
        .values_list("scanned_at", flat=True)
        .first()
    )
    if last is None:
        return True
    # Any of the person's tickets on the piece (whatever its stage or type: either may change
    # before work starts) assigned, or filed without an assignment event, after that scan.
    return (
        Ticket.objects.filter(equipment=equipment, assignee=user)
        .annotate(
            assigned_at=Max("events__created_at", filter=Q(events__kind=TicketEvent.Kind.ASSIGNED))
        )
        .filter(Q(assigned_at__gt=last) | Q(assigned_at__isnull=True, created_at__gt=last))
        .exists()
    )


@transaction.atomic
def presence_scan_record(*, user: User, equipment: Equipment, now: datetime) -> list[Ticket]:
    """A member of staff opened the equipment's passport: the scan is kept (at most one per
    person and piece per PASSPORT_SCAN_DEDUP_MINUTES, `_scan_needed`), and each open ticket on
    the equipment assigned to them whose type needs presence records it on its timeline (once
    per assignment). Returns those tickets."""
    if _scan_needed(user=user, equipment=equipment, now=now):
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
