"""The workflow (tickets/workflow.py) through `ticket_transition`: every role × every stage ×
every transition is either carried out exactly, or refused with a clear error and no trace.

The expectations are written out here, independently of workflow.py's table, so that a change
to the table that nobody meant fails a test.
"""

from typing import Any

import pytest
from django.utils import translation

from servicedesk.core.errors import ApplicationError
from servicedesk.tickets import workflow
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_transition
from tests.tickets.conftest import Crew, events, snapshot, ticket_in

ROLES = ["admin", "dispatcher", "engineer_own", "engineer_other", "customer"]
STAGES = [s.value for s in Status]
WORKERS = {"admin", "dispatcher", "engineer_own"}  # engineer_own: on tickets assigned to them
DISPATCHERS = {"admin", "dispatcher"}
S = Status

# code → (from, to, who)
EXPECTED: dict[str, tuple[set[str], str, set[str]]] = {
    "start": ({S.NEW, S.ASSIGNED}, S.IN_PROGRESS, WORKERS),
    "wait": ({S.ASSIGNED, S.IN_PROGRESS}, S.WAITING, WORKERS),
    "resume": ({S.WAITING}, S.IN_PROGRESS, WORKERS),
    "resolve": ({S.ASSIGNED, S.IN_PROGRESS, S.WAITING}, S.RESOLVED, WORKERS),
    "close": ({S.RESOLVED}, S.CLOSED, DISPATCHERS),
    "reopen": ({S.RESOLVED, S.CLOSED}, S.IN_PROGRESS, WORKERS),
    "cancel": ({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING}, S.CANCELLED, DISPATCHERS),
}
NEEDS_ASSIGNEE = {S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.RESOLVED}


def expected_refusal(role: str, stage: str, code: str) -> str | None:
    """The error code the change must be refused with, or None if it is allowed. In the matrix
    a New ticket has no assignee (assigning it makes it Assigned)."""
    sources, target, who = EXPECTED[code]
    if role not in who or (role == "engineer_own" and stage == S.NEW):
        return "forbidden"
    if stage not in sources:
        return "stage"
    if target in NEEDS_ASSIGNEE and stage == S.NEW:
        return "assignee"
    return None


def test_the_matrix_covers_every_transition() -> None:
    assert set(workflow.TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("code", list(EXPECTED))
@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("role", ROLES)
def test_transition_matrix(crew: Crew, role: str, stage: str, code: str) -> None:
    # Given a ticket at `stage` and a person in `role`
    ticket = ticket_in(crew, stage)
    user = crew.role(role)
    before = snapshot(ticket)
    refusal = expected_refusal(role, stage, code)
    # When they fire the transition (with every typed requirement given)
    call: dict[str, Any] = {
        "by": user,
        "ticket": ticket,
        "code": code,
        "resolution": "Replaced the pump.",
        "reason": "The customer asked.",
        "expected_version": 1,
    }
    if refusal is not None:
        # Then it is refused, saying why, and nothing changed: no field, no version, no event
        with pytest.raises(ApplicationError) as error:
            ticket_transition(**call)
        assert error.value.code == refusal
        assert str(error.value.message)
        assert snapshot(ticket) == before
        return
    done = ticket_transition(**call)
    # Then the ticket is at the target, one version on, and the timeline says old → new
    target = EXPECTED[code][1]
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (done.status, stored.status, stored.version) == (target, target, 2)
    status_events = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS_CHANGED)
    assert list(
        status_events.values_list("actor", "field", "old_value", "new_value", "is_public")
    ) == [(user.pk, "status", stage, target, True)]
    if code == "reopen":
        assert (stored.resolved_at, stored.closed_at) == (None, None)
        assert events(ticket)[-1] == (TicketEvent.Kind.REOPENED, "", "", "The customer asked.")
    if code == "cancel":
        assert events(ticket)[-1] == (TicketEvent.Kind.CANCELLED, "", "", "The customer asked.")
    if code == "resolve":
        assert stored.resolved_at is not None
        assert stored.resolution == "Replaced the pump."
    if code == "close":
        assert stored.closed_at is not None


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("role", ROLES)
def test_transitions_for_shows_exactly_the_allowed_buttons(
    crew: Crew, role: str, stage: str
) -> None:
    ticket = ticket_in(crew, stage)
    shown = {t.code for t in workflow.transitions_for(crew.role(role), ticket)}
    assert shown == {code for code in EXPECTED if expected_refusal(role, stage, code) is None}


def test_a_new_ticket_that_already_has_an_assignee_can_be_started(crew: Crew) -> None:
    # e.g. imported with its engineer
    ticket = ticket_in(crew, S.NEW, assignee=crew.engineer)
    assert [t.code for t in workflow.transitions_for(crew.engineer, ticket)] == ["start"]
    done = ticket_transition(by=crew.engineer, ticket=ticket, code="start")
    assert done.status == S.IN_PROGRESS


def test_nobody_anonymous_or_inactive_gets_a_button(crew: Crew) -> None:
    from django.contrib.auth.models import AnonymousUser

    ticket = ticket_in(crew, S.IN_PROGRESS)
    crew.dispatcher.is_active = False
    assert workflow.transitions_for(AnonymousUser(), ticket) == []
    assert workflow.transitions_for(crew.dispatcher, ticket) == []


# --- Bad input posted by hand ------------------------------------------------------------------

BAD_INPUT: dict[str, tuple[str, str, dict[str, Any], str, str | None]] = {
    # case: (role, stage, call, error code, field)
    "unknown action": (
        "dispatcher",
        S.IN_PROGRESS,
        {"code": "explode"},
        "unknown_transition",
        None,
    ),
    "resolve without a solution": (
        "engineer_own",
        S.IN_PROGRESS,
        {"code": "resolve", "resolution": "  \n "},
        "resolution",
        "resolution",
    ),
    "reopen without a reason": ("dispatcher", S.CLOSED, {"code": "reopen"}, "reason", "reason"),
    "cancel without a reason": ("dispatcher", S.NEW, {"code": "cancel"}, "reason", "reason"),
    "engineer closing": ("engineer_own", S.RESOLVED, {"code": "close"}, "forbidden", None),
    "customer closing": ("customer", S.RESOLVED, {"code": "close"}, "forbidden", None),
    "customer reopening": (
        "customer",
        S.CLOSED,
        {"code": "reopen", "reason": "Still broken"},
        "forbidden",
        None,
    ),
    "another engineer resolving": (
        "engineer_other",
        S.IN_PROGRESS,
        {"code": "resolve", "resolution": "Done"},
        "forbidden",
        None,
    ),
    "reopening a cancelled ticket": (
        "admin",
        S.CANCELLED,
        {"code": "reopen", "reason": "Mistake"},
        "stage",
        None,
    ),
    "solution too long": (
        "dispatcher",
        S.IN_PROGRESS,
        {"code": "resolve", "resolution": "я" * 8193},
        "resolution",
        "resolution",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_is_refused_and_changes_nothing(crew: Crew, case: str) -> None:
    role, stage, call, code, field = BAD_INPUT[case]
    ticket = ticket_in(crew, stage)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_transition(by=crew.role(role), ticket=ticket, **call)
    assert (error.value.code, error.value.field) == (code, field)
    assert snapshot(ticket) == before


@pytest.mark.usefixtures("english")
def test_refusals_say_why_in_words(crew: Crew) -> None:
    def message(role: str, stage: str, **call: Any) -> str:
        with pytest.raises(ApplicationError) as error:
            ticket_transition(by=crew.role(role), ticket=ticket_in(crew, stage), **call)
        return str(error.value.message)

    assert message("engineer_other", S.IN_PROGRESS, code="wait") == (
        "Only the engineer the ticket is assigned to can do this: Wait for the customer."
    )
    assert message("engineer_own", S.IN_PROGRESS, code="cancel", reason="x") == (
        "Only a dispatcher or an administrator can do this: Cancel the ticket."
    )
    assert message("customer", S.RESOLVED, code="close") == (
        "Only the provider's staff change a ticket's status."
    )
    assert message("dispatcher", S.CLOSED, code="resolve", resolution="x") == (
        "“Resolve” is not possible for a ticket in status “Closed”."
    )
    assert message("dispatcher", S.NEW, code="start") == "Assign the ticket to someone first."


def test_resolving_again_records_the_new_solution(crew: Crew) -> None:
    # Given a ticket resolved once and reopened
    ticket = ticket_in(crew, S.CLOSED)
    ticket = ticket_transition(by=crew.dispatcher, ticket=ticket, code="reopen", reason="Leaks")
    # Then the first solution is kept until a new one replaces it
    assert ticket.resolution == "Replaced the fuse."
    ticket_transition(by=crew.engineer, ticket=ticket, code="resolve", resolution=" New pump. ")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution, ticket.version) == (S.RESOLVED, "New pump.", 3)
    assert events(ticket) == [
        (TicketEvent.Kind.STATUS_CHANGED, "status", S.CLOSED, S.IN_PROGRESS),
        (TicketEvent.Kind.REOPENED, "", "", "Leaks"),
        (TicketEvent.Kind.STATUS_CHANGED, "status", S.IN_PROGRESS, S.RESOLVED),
        (TicketEvent.Kind.FIELD_CHANGED, "resolution", "Replaced the fuse.", "New pump."),
    ]


# --- What the customer reads ---------------------------------------------------------------------


def test_customer_status_labels() -> None:
    with translation.override("en"):
        labels = {s: workflow.customer_status_label(s) for s in STAGES}
    assert labels == {
        "new": "New",
        "assigned": "In progress",
        "in_progress": "In progress",
        "waiting": "Waiting for your reply",
        "resolved": "Solution proposed",
        "closed": "Closed",
        "cancelled": "Cancelled",
    }


def test_every_stage_has_a_customer_label_and_every_transition_a_label() -> None:
    assert set(workflow.CUSTOMER_STATUS_LABELS) == set(Status)
    for transition in workflow.TRANSITIONS.values():
        assert str(transition.label)
        assert transition.target in set(Status)
