"""Status changes: the workflow's transitions (tickets/workflow.py) fired by staff, the
customer accepting a solution or replying, and closing resolved tickets nobody answered."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets import counts, events, hooks, workflow
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.services.common import _sla, _ticket_lock, _ticket_save

RESOLUTION_MAX_LENGTH = 8192
REASON_MAX_LENGTH = 2000


def _notify_status(
    ticket_id: int, by: User | None, old: Status, new: Status, event_id: int
) -> None:
    """People are told of the change (notifications, after the commit)."""
    hooks.status_changed(ticket_id=ticket_id, by=by, old=old, new=new, event_id=event_id)


def _status_move(ticket: Ticket, by: User | None, target: Status, now: datetime) -> set[str]:
    """Put the ticket in `target` (in memory), with the timestamps and the SLA clock that go
    with it, and record the change. The caller has checked that the move is allowed."""
    old = Status(ticket.status)
    ticket.status = target
    fields = {"status"}
    if target == Status.RESOLVED:
        ticket.resolved_at, ticket.closed_at = now, None
        fields |= {"resolved_at", "closed_at"}
    elif target == Status.CLOSED:
        ticket.closed_at = now
        fields.add("closed_at")
    elif target != Status.CANCELLED and (ticket.resolved_at or ticket.closed_at):
        ticket.resolved_at = ticket.closed_at = None  # reopened
        fields |= {"resolved_at", "closed_at"}
    event = events.status_changed(ticket, by, old, target)
    _notify_status(ticket.pk, by, old, target, event.pk)
    if target == Status.WAITING and old != Status.WAITING:
        fields |= _sla("pause", ticket, by)
    elif old == Status.WAITING and target != Status.WAITING:
        fields |= _sla("resume", ticket, by)
    return fields


@transaction.atomic
def ticket_transition(
    *,
    by: User,
    ticket: Ticket,
    code: str,
    resolution: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Fire the workflow transition `code` (tickets/workflow.py). `resolution` is the solution
    (resolve), `reason` why the ticket is reopened or cancelled. Returns the ticket as saved."""
    ticket = _ticket_lock(ticket, expected_version)
    transition = workflow.check(by, ticket, code, resolution=resolution, reason=reason)
    resolution, reason = resolution.strip(), reason.strip()
    if len(resolution) > RESOLUTION_MAX_LENGTH:
        raise ApplicationError(
            _("The solution is too long."), code=ErrorCode.RESOLUTION, field="resolution"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(_("The reason is too long."), code=ErrorCode.REASON, field="reason")
    fields = _status_move(ticket, by, transition.target, timezone.now())
    if transition.needs_resolution and resolution != ticket.resolution:
        events.field_changed(ticket, by, "resolution", ticket.resolution, resolution)
        ticket.resolution = resolution
        fields.add("resolution")
    if transition.code == "reopen":
        events.reopened(ticket, by, reason)
    elif transition.code == "cancel":
        events.cancelled(ticket, by, reason)
    return _ticket_save(ticket, fields)


@transaction.atomic
def ticket_accept_resolution(
    *, by: User, ticket: Ticket, expected_version: int | None = None
) -> Ticket:
    """The customer (the contact, or a member who sees the ticket) accepts the proposed
    solution: the resolved ticket closes."""
    ticket = _ticket_lock(ticket, expected_version)
    if not (by.is_customer and by.has_perm("tickets.accept_resolution", ticket)):
        raise ApplicationError(
            _("Only the customer can accept the solution."), code=ErrorCode.FORBIDDEN
        )
    if ticket.status != Status.RESOLVED:
        raise ApplicationError(
            _("There is no proposed solution to accept: the ticket is not resolved."),
            code=ErrorCode.STAGE,
        )
    workflow.stage_check(ticket, Status.CLOSED)
    fields = _status_move(ticket, by, Status.CLOSED, timezone.now())
    events.resolution_accepted(ticket, by)
    return _ticket_save(ticket, fields)


@transaction.atomic
def ticket_customer_replied(*, by: User, ticket: Ticket) -> Ticket:
    """For the conversations service, after a customer posted a public message: a Resolved or
    Waiting ticket goes back in progress (to New if it has lost its assignee), saying why.
    Other tickets stay as they are."""
    ticket = _ticket_lock(ticket, None)
    if not (by.is_customer and Ticket.objects.visible_to(by).filter(pk=ticket.pk).exists()):
        raise ApplicationError(
            _("Only the customer's reply reopens a ticket."), code=ErrorCode.FORBIDDEN
        )
    if ticket.status not in (Status.RESOLVED, Status.WAITING):
        return ticket
    target = Status.IN_PROGRESS if ticket.assignee_id is not None else Status.NEW
    fields = _status_move(ticket, by, target, timezone.now())
    events.customer_replied(ticket, by)
    return _ticket_save(ticket, fields)


@transaction.atomic
def ticket_back_to_work(*, by: User, ticket: Ticket) -> Ticket:
    """For the acts service, after a customer disputed the act: a Resolved, Waiting or Closed
    ticket goes back in progress (to New without an assignee), so that the engineer corrects
    the works. The act's own timeline entry says why; other tickets stay as they are."""
    ticket = _ticket_lock(ticket, None)
    if ticket.status not in (Status.RESOLVED, Status.WAITING, Status.CLOSED):
        return ticket
    target = Status.IN_PROGRESS if ticket.assignee_id is not None else Status.NEW
    fields = _status_move(ticket, by, target, timezone.now())
    return _ticket_save(ticket, fields)


def tickets_close_resolved(*, now: datetime, days: int, chunk_size: int = 500) -> int:
    """Close the tickets resolved more than `days` ago (the customer neither accepted nor
    answered), `chunk_size` at a time, each chunk in its own short transaction; returns how
    many were closed. Idempotent: a ticket reopened or closed meanwhile is left alone."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    closed, last_pk = 0, 0
    while True:
        # status = 'resolved' first: the status indexes serve it, and resolved is a small set.
        ids = list(
            Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return closed
        last_pk = ids[-1]
        closed += _close_resolved_chunk(ids, cutoff, now, days)


@transaction.atomic
def _close_resolved_chunk(ids: list[int], cutoff: datetime, now: datetime, days: int) -> int:
    rows = list(
        Ticket.objects.select_for_update()
        .filter(pk__in=ids, status=Status.RESOLVED, resolved_at__lt=cutoff)
        .values_list("pk", "company_id", "number")
    )
    if not rows:
        return 0
    pks = [pk for pk, _company, _number in rows]
    Ticket.objects.filter(pk__in=pks).update(
        status=Status.CLOSED, closed_at=now, version=F("version") + 1, updated_at=now
    )
    closings = [
        event
        for pk in pks
        for event in (
            events.status_changed(pk, None, Status.RESOLVED, Status.CLOSED, save=False),
            events.auto_closed(pk, days, save=False),
        )
    ]
    TicketEvent.objects.bulk_create(closings)
    for event in closings:
        if event.kind == TicketEvent.Kind.STATUS_CHANGED:
            _notify_status(event.ticket_id, None, Status.RESOLVED, Status.CLOSED, event.pk)
    # update() and bulk_create() send no post_save: move the counts' versions here.
    for company_id in {company for _pk, company, _number in rows}:
        counts.company_changed(company_id)
    counts.workload_changed()
    return len(pks)
