"""The ticket workflow, in one place: the stages, what each reads to the customer, and which
status changes (transitions) exist, from where, for whom and on what condition.

Stages are `Status`. Staff move a ticket along them with the transitions below; the services
(`tickets/services/`) carry them out. Customers fire no transition: their reply to a resolved
or waiting ticket puts it back in progress (`ticket_customer_replied`) and they may accept a
proposed solution, which closes the ticket (`ticket_accept_resolution`). New → Assigned is not
a button either: it happens when a dispatcher assigns the ticket (`ticket_assign`).

    code     from                          to           permission               needs
    start    new, assigned                 in_progress  tickets.work_on_ticket   assignee
    wait     assigned, in_progress         waiting      tickets.work_on_ticket   assignee
    resume   waiting                       in_progress  tickets.work_on_ticket   assignee
    resolve  assigned, in_progress,        resolved     tickets.work_on_ticket   assignee,
             waiting                                                             resolution
    close    resolved                      closed       tickets.dispatch         —
    reopen   resolved, closed              in_progress  tickets.work_on_ticket   assignee, reason
    cancel   new, assigned, in_progress,   cancelled    tickets.dispatch         reason
             waiting

Who holds a permission is accounts/rules.py's business (decision 0001: nothing else compares
roles): `tickets.work_on_ticket` — administrators and dispatchers on any ticket, an engineer on
the tickets assigned to them; `tickets.dispatch` — administrators and dispatchers. Customers
hold neither. So, by role:

    admin, dispatcher   every transition
    engineer            start, wait, resume, resolve, reopen — on tickets assigned to them
    customer            none

Cancelled is final. A closed ticket comes back only through staff's `reopen`.

What the customer reads: the provider's inner steps are not theirs to follow. Assigned and In
progress both read "In progress" (someone is responsible for it; who, the timeline's public
"assigned" event says), Waiting reads "Waiting for your reply" and Resolved "Solution proposed"
(they are asked to accept it or answer). See `customer_status_label`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets import hooks
from servicedesk.tickets.models import Status

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket

WORK_ON_TICKET = "tickets.work_on_ticket"
DISPATCH = "tickets.dispatch"
WORK = "tickets.work"

# Stages in which somebody must be responsible for the ticket: a transition into one of them
# needs an assignee (leaving New included).
ASSIGNED_STAGES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED})
FINAL_STAGES = frozenset({Status.CLOSED, Status.CANCELLED})


class CustomerStatus:
    """What a customer reads for each stage (labels only; the stage itself is `Status`)."""

    NEW = pgettext_lazy("customer ticket status", "New")
    IN_PROGRESS = pgettext_lazy("customer ticket status", "In progress")
    WAITING = pgettext_lazy("customer ticket status", "Waiting for your reply")
    RESOLVED = pgettext_lazy("customer ticket status", "Solution proposed")
    CLOSED = pgettext_lazy("customer ticket status", "Closed")
    CANCELLED = pgettext_lazy("customer ticket status", "Cancelled")


CUSTOMER_STATUS_LABELS: dict[Status, Promise] = {
    Status.NEW: CustomerStatus.NEW,
    Status.ASSIGNED: CustomerStatus.IN_PROGRESS,
    Status.IN_PROGRESS: CustomerStatus.IN_PROGRESS,
    Status.WAITING: CustomerStatus.WAITING,
    Status.RESOLVED: CustomerStatus.RESOLVED,
    Status.CLOSED: CustomerStatus.CLOSED,
    Status.CANCELLED: CustomerStatus.CANCELLED,
}


def customer_status_label(status: str) -> str:
    """The stage as the customer reads it (in the active language)."""
    return str(CUSTOMER_STATUS_LABELS[Status(status)])


def staff_status_label(status: str) -> str:
    return str(Status(status).label)


@dataclass(frozen=True)
class Transition:
    code: str
    label: Promise  # the button
    sources: frozenset[Status]
    target: Status
    perm: str  # asked with the ticket: user.has_perm(perm, ticket)
    needs_resolution: bool = False
    needs_reason: bool = False

    @property
    def needs_assignee(self) -> bool:
        return self.target in ASSIGNED_STAGES

    def __str__(self) -> str:
        return str(self.label)


TRANSITIONS: dict[str, Transition] = {
    t.code: t
    for t in (
        Transition(
            code="start",
            label=gettext_lazy("Start work"),
            sources=frozenset({Status.NEW, Status.ASSIGNED}),
            target=Status.IN_PROGRESS,
            perm=WORK_ON_TICKET,
        ),
        Transition(
            code="wait",
            label=gettext_lazy("Wait for the customer"),
            sources=frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
            target=Status.WAITING,
            perm=WORK_ON_TICKET,
        ),
        Transition(
            code="resume",
            label=gettext_lazy("Resume work"),
            sources=frozenset({Status.WAITING}),
            target=Status.IN_PROGRESS,
            perm=WORK_ON_TICKET,
        ),
        Transition(
            code="resolve",
            label=gettext_lazy("Resolve"),
            sources=frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING}),
            target=Status.RESOLVED,
            perm=WORK_ON_TICKET,
            needs_resolution=True,
        ),
        Transition(
            code="close",
            label=gettext_lazy("Close"),
            sources=frozenset({Status.RESOLVED}),
            target=Status.CLOSED,
            perm=DISPATCH,
        ),
        Transition(
            code="reopen",
            label=gettext_lazy("Reopen"),
            sources=frozenset({Status.RESOLVED, Status.CLOSED}),
            target=Status.IN_PROGRESS,
            perm=WORK_ON_TICKET,
            needs_reason=True,
        ),
        Transition(
            code="cancel",
            label=gettext_lazy("Cancel the ticket"),
            sources=frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING}),
            target=Status.CANCELLED,
            perm=DISPATCH,
            needs_reason=True,
        ),
    )
}


def transition_get(code: str) -> Transition:
    try:
        return TRANSITIONS[code]
    except KeyError:
        raise ApplicationError(_("Unknown action."), code=ErrorCode.UNKNOWN_TRANSITION) from None


def _refusal(user: Any, ticket: Ticket, transition: Transition) -> ApplicationError | None:
    """Why the user may not fire the transition on the ticket as it is now, or None. The
    typed-in requirements (resolution, reason) are not looked at here."""
    if not user.has_perm(WORK):
        return ApplicationError(
            _("Only the provider's staff change a ticket's status."), code=ErrorCode.FORBIDDEN
        )
    if not user.has_perm(transition.perm, ticket):
        if transition.perm == DISPATCH:
            message = _("Only a dispatcher or an administrator can do this: %(action)s.")
        else:
            message = _("Only the engineer the ticket is assigned to can do this: %(action)s.")
        return ApplicationError(message % {"action": transition.label}, code=ErrorCode.FORBIDDEN)
    if ticket.status not in transition.sources:
        return ApplicationError(
            _("“%(action)s” is not possible for a ticket in status “%(status)s”.")
            % {"action": transition.label, "status": staff_status_label(ticket.status)},
            code=ErrorCode.STAGE,
        )
    if transition.needs_assignee and ticket.assignee_id is None:
        return ApplicationError(
            _("Assign the ticket to someone first."), code=ErrorCode.ASSIGNEE, field="assignee"
        )
    return None


def transitions_for(user: Any, ticket: Ticket) -> list[Transition]:
    """The status changes the user may make on the ticket now: the buttons to show. Those
    that need typed input (resolution, reason) are included; the form asks for it."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(WORK):
        return []
    return [t for t in TRANSITIONS.values() if _refusal(user, ticket, t) is None]


def check(user: Any, ticket: Ticket, code: str, **data: Any) -> Transition:
    """The transition `code` if the user may fire it on the ticket with `data` (resolution,
    reason); otherwise ApplicationError saying why, in words a person can act on."""
    transition = transition_get(code)
    refusal = _refusal(user, ticket, transition)
    if refusal is not None:
        raise refusal
    if transition.needs_resolution and not str(data.get("resolution") or "").strip():
        raise ApplicationError(
            _("Describe the solution."), code=ErrorCode.RESOLUTION, field="resolution"
        )
    if transition.needs_reason and not str(data.get("reason") or "").strip():
        raise ApplicationError(_("Give the reason."), code=ErrorCode.REASON, field="reason")
    stage_check(ticket, transition.target)
    return transition


def stage_check(ticket: Ticket, target: Status) -> None:
    """What other apps require before the ticket may reach `target` (tickets.hooks.stage_guard:
    e.g. a signed act before Resolved or Closed); ApplicationError with their reason. Asked
    when the move is made, not when the buttons are listed: the button stays, and pressing it
    says what is missing."""
    refusal = hooks.stage_guard(ticket=ticket, target=target)
    if refusal is not None:
        raise ApplicationError(refusal.message, code=refusal.code)
