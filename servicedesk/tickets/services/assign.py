"""Assigning a ticket to the engineer or dispatcher responsible for it."""

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets import events, hooks, workflow
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.services.common import _ticket_lock, _ticket_save
from servicedesk.tickets.services.transitions import _status_move


def _person(user: User | None) -> str:
    return "" if user is None else str(user)


@transaction.atomic
def ticket_assign(
    *, by: User, ticket: Ticket, assignee: User, expected_version: int | None = None
) -> Ticket:
    """Make `assignee` (an active engineer or dispatcher) responsible for the ticket; a New
    ticket becomes Assigned. The event is public: the customer sees who works on their ticket
    (by name). Assigning the same person again changes nothing."""
    ticket = _ticket_lock(ticket, expected_version)
    if not by.has_perm(workflow.DISPATCH):
        raise ApplicationError(
            _("Only a dispatcher or an administrator assigns tickets."), code=ErrorCode.FORBIDDEN
        )
    if ticket.status == Status.CANCELLED:
        raise ApplicationError(_("A cancelled ticket cannot be assigned."), code=ErrorCode.STAGE)
    if not (assignee.is_active and rules.test_rule("tickets.can_be_assigned", assignee)):
        raise ApplicationError(
            _("Choose an active engineer or dispatcher."), code=ErrorCode.ASSIGNEE, field="assignee"
        )
    if ticket.assignee_id == assignee.pk:
        return ticket
    event = events.assigned(ticket, by, _person(ticket.assignee), _person(assignee))
    ticket.assignee = assignee
    fields = {"assignee"}
    if ticket.status == Status.NEW:
        fields |= _status_move(ticket, by, Status.ASSIGNED, timezone.now())
    # The conversation joins both inboxes, the assignee is told (conversations, notifications)
    hooks.assigned(ticket=ticket, by=by, assignee=assignee, event_id=event.pk)
    return _ticket_save(ticket, fields)
