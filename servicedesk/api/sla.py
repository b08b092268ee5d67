"""A ticket's SLA state, read-only: its deadlines (first response, resolution), whether they
are met, passed or running, and whether the clock is stopped (waiting for the customer). The
ticket through the one scoping layer (`access_ticket`): another company's number is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from servicedesk.api.errors import responses
from servicedesk.tickets.access import access_ticket_light
from servicedesk.tickets.models import OPEN_STATUSES, Status, Ticket

router = Router(tags=["sla"])


class DeadlineOut(Schema):
    due_at: dt.datetime | None = Field(description="None: no deadline (no SLA rule matched).")
    done_at: dt.datetime | None = Field(description="When it was met (responded, resolved).")
    breached: bool = Field(description="Passed before it was met (or still unmet and passed).")
    minutes_left: int | None = Field(
        description="While running: minutes until the deadline (negative once passed)."
    )


class SlaOut(Schema):
    number: str
    status: str
    paused: bool = Field(description="The clock is stopped (waiting for the customer).")
    paused_since: dt.datetime | None
    paused_seconds: int = Field(description="Time the clock has been stopped before, in total.")
    deadline_set_by_hand: bool
    first_response: DeadlineOut
    resolution: DeadlineOut


def _deadline(
    due: dt.datetime | None, done: dt.datetime | None, running: bool, now: dt.datetime
) -> dict[str, Any]:
    breached = bool(due and ((done and done > due) or (not done and running and now > due)))
    left = None
    if due and not done and running:
        left = int((due - now).total_seconds() // 60)
    return {"due_at": due, "done_at": done, "breached": breached, "minutes_left": left}


@router.get(
    "/tickets/{number}/sla",
    response=responses({200: SlaOut}, 404),
    summary="A ticket's SLA state",
    description="Deadlines, breaches and the paused clock. Состояние SLA заявки.",
)
def ticket_sla(request: HttpRequest, number: str) -> dict[str, Any]:
    light = access_ticket_light(request.user, number)
    ticket = Ticket.objects.only(
        "number",
        "status",
        "due_at",
        "due_at_manual",
        "first_response_due_at",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "sla_paused_at",
        "sla_paused_seconds",
    ).get(pk=light.pk)
    now = timezone.now()
    running = ticket.status in OPEN_STATUSES and ticket.status != Status.WAITING
    resolved = ticket.resolved_at or ticket.closed_at
    return {
        "number": ticket.number,
        "status": ticket.status,
        "paused": ticket.sla_paused_at is not None,
        "paused_since": ticket.sla_paused_at,
        "paused_seconds": ticket.sla_paused_seconds,
        "deadline_set_by_hand": ticket.due_at_manual,
        "first_response": _deadline(
            ticket.first_response_due_at, ticket.first_responded_at, running, now
        ),
        "resolution": _deadline(ticket.due_at, resolved, running, now),
    }
