"""What the staff's ticket services share. Each locks the ticket's row (`select_for_update`),
refuses a change made from a stale page (`expected_version`), checks the rules, changes the row,
moves `version` on and records what changed as TicketEvents — or raises ApplicationError having
changed nothing. The SLA hook is the one place they call the sla app."""

from datetime import UTC, datetime
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_countries.fields import Country

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.core.models import ReferenceItem
from servicedesk.tickets import events
from servicedesk.tickets.models import Ticket

CONFLICT_MESSAGE = gettext_lazy(
    "Someone changed this ticket meanwhile. Reload the page to see the change."
)


# Deadlines the sla app moves: recorded (for staff) when a hook changes them.
_SLA_RECORDED_FIELDS = ("due_at", "first_response_due_at")


def _ticket_lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    """The ticket's row read again and locked until the transaction ends; refused when it has
    moved on since the page that asks for the change was made."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ApplicationError(CONFLICT_MESSAGE, code=ErrorCode.CONFLICT)
    return locked


def _ticket_save(ticket: Ticket, fields: set[str]) -> Ticket:
    ticket.version += 1
    # .save(): the post_save signal moves the company's counts on (tickets/counts.py).
    ticket.save(update_fields=sorted(fields | {"version", "updated_at"}))
    return ticket


def _readable(value: Any) -> str:
    """A field's value as the timeline keeps it: names, not ids; instants in UTC, ISO 8601;
    an entry of a reference list and a country by its code, named when shown in the reader's
    language (web/tickets.py) — a name kept in the editor's language would stay in it for
    every reader."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, ReferenceItem):
        return value.code
    if isinstance(value, Country):
        return str(value.code or "")
    return str(value)


# SLA hooks ------------------------------------------------------------------------------------


def _sla(hook: Literal["apply", "pause", "resume"], ticket: Ticket, by: User | None) -> set[str]:
    """The one place the ticket services call the sla app: it changes the ticket in memory and
    names the fields it changed, which the caller saves. A deadline it moves is recorded for
    staff (internal event), with the person whose change made it move."""
    from servicedesk.sla import services as sla  # sla imports tickets' models: import late

    before = {name: getattr(ticket, name) for name in _SLA_RECORDED_FIELDS}
    changed = {str(name) for name in getattr(sla, f"sla_{hook}")(ticket, now=timezone.now())}
    for name in _SLA_RECORDED_FIELDS:
        if name in changed and getattr(ticket, name) != before[name]:
            events.deadline_moved(
                ticket, by, name, _readable(before[name]), _readable(getattr(ticket, name))
            )
    return changed
