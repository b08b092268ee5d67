"""The same change for many tickets, each through the single-ticket service."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets import workflow
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.assign import ticket_assign
from servicedesk.tickets.services.edit import ticket_update
from servicedesk.tickets.services.transitions import ticket_transition


@dataclass(frozen=True)
class BulkResult:
    """One ticket's outcome of a bulk change: done (`ticket` as saved), or refused with the
    reason (`ticket` as it was)."""

    ticket: Ticket
    ok: bool
    message: str = ""
    code: str = ""


BULK_ACTIONS = ("assign", "status", "criticality")
BULK_MAX = 500


def ticket_bulk(
    *,
    by: User,
    tickets: Sequence[Ticket],
    action: str,
    value: Any,
    resolution: str = "",
    reason: str = "",
) -> list[BulkResult]:
    """The same change for many tickets: `assign` (value: the person), `status` (value: a
    transition code; `resolution`/`reason` as for ticket_transition) or `criticality` (value:
    a Criticality). Each ticket goes through the single-ticket service, in a transaction of
    its own: one refused leaves no trace and does not stop the others."""
    if action not in BULK_ACTIONS:
        raise ApplicationError(_("Unknown action."), code=ErrorCode.BULK_ACTION)
    if len(tickets) > BULK_MAX:
        raise ApplicationError(
            _("At most %(max)s tickets at a time.") % {"max": BULK_MAX},
            code=ErrorCode.BULK_TOO_MANY,
        )
    if action == "status":
        workflow.transition_get(str(value))
    results: list[BulkResult] = []
    for ticket in tickets:
        try:
            if action == "assign":
                done = ticket_assign(by=by, ticket=ticket, assignee=value)
            elif action == "status":
                done = ticket_transition(
                    by=by, ticket=ticket, code=str(value), resolution=resolution, reason=reason
                )
            else:
                done = ticket_update(by=by, ticket=ticket, changes={"criticality": value})
        except ApplicationError as error:
            results.append(
                BulkResult(ticket, ok=False, message=str(error.message), code=error.code)
            )
        else:
            results.append(BulkResult(done, ok=True))
    return results
