"""The staff's ticket services (tickets/services/): assigning, editing, the customer accepting
a solution or replying, stale pages, bulk changes and the calls into the sla app. Every refusal
also asserts that nothing changed."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import TicketType
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.services import (
    ticket_accept_resolution,
    ticket_assign,
    ticket_bulk,
    ticket_customer_replied,
    ticket_transition,
    ticket_update,
)
from tests.conftest import World
from tests.factories import CriticalityFactory, MembershipFactory, TicketFactory, UserFactory
from tests.tickets.conftest import Crew, events, snapshot

S = Status
K = TicketEvent.Kind
MakeTicket = Callable[..., Ticket]


# --- Assigning -----------------------------------------------------------------------------------


def test_assigning_a_new_ticket_makes_it_assigned(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = make_ticket(S.NEW)
    done = ticket_assign(by=crew.dispatcher, ticket=ticket, assignee=crew.engineer)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (done.version, stored.status, stored.assignee, stored.version) == (
        2,
        S.ASSIGNED,
        crew.engineer,
        2,
    )
    # The customer may see who works on their ticket: the events are public
    assert list(
        TicketEvent.objects.filter(ticket=ticket).values_list(
            "actor", "kind", "field", "old_value", "new_value", "is_public"
        )
    ) == [
        (crew.dispatcher.pk, K.ASSIGNED, "assignee", "", "Eric Engineer", True),
        (crew.dispatcher.pk, K.STATUS_CHANGED, "status", S.NEW, S.ASSIGNED, True),
    ]


def test_reassigning_keeps_the_stage(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = make_ticket(S.IN_PROGRESS)
    ticket_assign(by=crew.admin, ticket=ticket, assignee=crew.dispatcher)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (S.IN_PROGRESS, crew.dispatcher)
    assert events(ticket) == [(K.ASSIGNED, "assignee", "Eric Engineer", "Dora Dispatcher")]


def test_assigning_the_same_person_again_changes_nothing(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    ticket = make_ticket(S.IN_PROGRESS)
    before = snapshot(ticket)
    ticket_assign(by=crew.dispatcher, ticket=ticket, assignee=crew.engineer)
    assert snapshot(ticket) == before


ASSIGN_REFUSALS: dict[str, tuple[str, str, str, str]] = {
    # case: (by, assignee, stage, code)
    "an engineer assigning": ("engineer", "other_engineer", S.IN_PROGRESS, "forbidden"),
    "the customer assigning": ("contact", "engineer", S.NEW, "forbidden"),
    "to a customer": ("dispatcher", "contact", S.NEW, "assignee"),
    "to an administrator": ("dispatcher", "admin", S.NEW, "assignee"),
    "to an inactive engineer": ("dispatcher", "inactive", S.NEW, "assignee"),
    "a cancelled ticket": ("dispatcher", "other_engineer", S.CANCELLED, "stage"),
}


@pytest.mark.parametrize("case", list(ASSIGN_REFUSALS), ids=list(ASSIGN_REFUSALS))
def test_assign_refusals_change_nothing(crew: Crew, make_ticket: MakeTicket, case: str) -> None:
    by, assignee, stage, code = ASSIGN_REFUSALS[case]
    people = {**crew.__dict__, "inactive": UserFactory(engineer=True, inactive=True)}
    ticket = make_ticket(stage)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_assign(by=people[by], ticket=ticket, assignee=people[assignee])
    assert error.value.code == code
    assert snapshot(ticket) == before


# --- The sla app's hooks (the real one: a 24/7 rule, so the arithmetic is plain hours) ------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at_t0(ticket: Ticket) -> Ticket:
    """The ticket as if opened at T0 (created_at is set by the database on insert)."""
    Ticket.objects.filter(pk=ticket.pk).update(created_at=T0)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def rule(db: None) -> Any:
    from tests.factories import SlaRuleFactory

    return SlaRuleFactory(first_response_minutes=60, resolution_minutes=8 * 60, calendar=None)


# --- Editing -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_update_records_each_changed_field_readably(
    crew: Crew, make_ticket: MakeTicket, rule: Any
) -> None:
    ticket = at_t0(make_ticket(S.IN_PROGRESS, subject="Pump", description="Noisy"))
    urgent = CriticalityFactory(name_en="Urgent", name_ru="Срочно")
    old_criticality = ticket.criticality.code
    done = ticket_update(
        by=crew.dispatcher,
        ticket=ticket,
        changes={
            "subject": "  Pump leaks ",
            "description": "Noisy",  # unchanged: not recorded
            "criticality": urgent,
            "country": "de",
        },
        expected_version=1,
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.criticality, stored.country.code, stored.version) == (
        "Pump leaks",
        urgent,
        "DE",
        2,
    )
    assert done.version == 2
    # Reference lists and countries by code: named in each reader's language when shown
    assert events(ticket) == [
        (K.FIELD_CHANGED, "subject", "Pump", "Pump leaks"),
        (K.FIELD_CHANGED, "criticality", old_criticality, urgent.code),
        (K.FIELD_CHANGED, "country", "", "DE"),
        # the criticality moved the SLA deadlines
        (K.FIELD_CHANGED, "due_at", "", "2026-03-02T17:00:00+00:00"),
        (K.FIELD_CHANGED, "first_response_due_at", "", "2026-03-02T10:00:00+00:00"),
    ]


def test_update_without_a_change_records_nothing(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = make_ticket(S.IN_PROGRESS, subject="Pump")
    before = snapshot(ticket)
    ticket_update(by=crew.engineer, ticket=ticket, changes={"subject": "Pump"})
    assert snapshot(ticket) == before


def test_a_deadline_set_by_hand_is_kept_as_manual_until_cleared(
    crew: Crew, make_ticket: MakeTicket, rule: Any
) -> None:
    ticket = at_t0(make_ticket(S.IN_PROGRESS))
    due = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    # When a dispatcher sets the deadline
    ticket = ticket_update(by=crew.dispatcher, ticket=ticket, changes={"due_at": due})
    assert (ticket.due_at, ticket.due_at_manual) == (due, True)
    assert events(ticket) == [(K.FIELD_CHANGED, "due_at", "", "2026-03-10T15:00:00+00:00")]
    # When they clear it, the SLA computes it again
    ticket = ticket_update(by=crew.dispatcher, ticket=ticket, changes={"due_at": None})
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.due_at, stored.due_at_manual, stored.version) == (
        T0 + timedelta(hours=8),
        False,
        3,
    )
    assert events(ticket)[1:] == [
        (K.FIELD_CHANGED, "due_at", "2026-03-10T15:00:00+00:00", ""),
        (K.FIELD_CHANGED, "due_at", "", "2026-03-02T17:00:00+00:00"),
        (K.FIELD_CHANGED, "first_response_due_at", "", "2026-03-02T10:00:00+00:00"),
    ]
    # Clearing a deadline that is not manual changes nothing
    before = snapshot(ticket)
    ticket_update(by=crew.dispatcher, ticket=ticket, changes={"due_at": None})
    assert snapshot(ticket) == before


def test_equipment_without_a_site_brings_its_site(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"], status=S.IN_PROGRESS)
    room, server = world.sites["a_room"], world.equipment["eq_a_room"]
    ticket_update(by=world.users["dispatcher"], ticket=ticket, changes={"equipment": server})
    ticket.refresh_from_db()
    assert (ticket.site, ticket.equipment) == (room, server)
    assert [e[1:] for e in events(ticket)] == [
        ("equipment", "", str(server)),
        ("site", "", str(room)),
    ]


def test_other_equipment_elsewhere_moves_the_site_along(world: World) -> None:
    hq, shop, till = world.sites["a_hq"], world.sites["a_shop"], world.equipment["eq_a_shop"]
    ticket = TicketFactory(site=hq, equipment=world.equipment["eq_a_hq"], status=S.ASSIGNED)
    ticket_update(by=world.users["dispatcher"], ticket=ticket, changes={"equipment": till})
    ticket.refresh_from_db()
    assert (ticket.site, ticket.equipment) == (shop, till)


def test_equipment_beneath_the_site_keeps_the_site(world: World) -> None:
    hq, server = world.sites["a_hq"], world.equipment["eq_a_room"]  # the room is under HQ
    ticket = TicketFactory(site=hq, status=S.ASSIGNED)
    ticket_update(by=world.users["dispatcher"], ticket=ticket, changes={"equipment": server})
    ticket.refresh_from_db()
    assert (ticket.site, ticket.equipment) == (hq, server)


UPDATE_REFUSALS: dict[str, tuple[str, Callable[[World], dict[str, Any]], str, str | None]] = {
    # case: (by, changes, code, field)
    "equipment of another company": (
        "dispatcher",
        lambda w: {"equipment": w.equipment["eq_b"]},
        "equipment",
        "equipment",
    ),
    "site of another company": ("dispatcher", lambda w: {"site": w.sites["b_wh"]}, "site", "site"),
    "equipment not at the site": (
        "dispatcher",
        lambda w: {"site": w.sites["a_shop"], "equipment": w.equipment["eq_a_hq"]},
        "equipment_site",
        "equipment",
    ),
    "contract of another company": (
        "dispatcher",
        lambda w: {"contract": w.contracts["c_b"]},
        "contract",
        "contract",
    ),
    "contract not covering the equipment": (
        "dispatcher",
        lambda w: {"equipment": w.equipment["eq_a_hq"], "contract": w.contracts["c_a_shop"]},
        "contract_coverage",
        "contract",
    ),
    "a field that is not editable": ("dispatcher", lambda w: {"status": "closed"}, "field", None),
    "an empty subject": ("dispatcher", lambda w: {"subject": "  "}, "subject", "subject"),
    "a description over 8192": (
        "dispatcher",
        lambda w: {"description": "я" * 8193},
        "description",
        "description",
    ),
    "no type": ("dispatcher", lambda w: {"ticket_type": None}, "ticket_type", "ticket_type"),
    "an inactive criticality": (
        "dispatcher",
        lambda w: {"criticality": CriticalityFactory(is_active=False)},
        "criticality",
        "criticality",
    ),
    "an unknown country": ("dispatcher", lambda w: {"country": "ZZ"}, "country", "country"),
    "a naive deadline": (
        "dispatcher",
        lambda w: {"due_at": datetime(2026, 3, 10, 15, 0)},  # noqa: DTZ001
        "due_at",
        "due_at",
    ),
    "an engineer changing the criticality": (
        "engineer",
        lambda w: {"criticality": CriticalityFactory()},
        "forbidden",
        "criticality",
    ),
    "an engineer setting the deadline": (
        "engineer",
        lambda w: {"due_at": datetime(2026, 3, 10, tzinfo=UTC)},
        "forbidden",
        "due_at",
    ),
    "an engineer not assigned to it": (
        "other_engineer",
        lambda w: {"subject": "x"},
        "forbidden",
        None,
    ),
    "a customer": ("cust_a", lambda w: {"subject": "x"}, "forbidden", None),
}


@pytest.mark.parametrize("case", list(UPDATE_REFUSALS), ids=list(UPDATE_REFUSALS))
def test_update_refusals_change_nothing(world: World, case: str) -> None:
    by, changes, code, field = UPDATE_REFUSALS[case]
    people = {**world.users, "other_engineer": UserFactory(engineer=True)}
    ticket = TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        status=S.IN_PROGRESS,
        assignee=world.users["engineer"],
    )
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_update(by=people[by], ticket=ticket, changes=changes(world))
    assert (error.value.code, error.value.field) == (code, field)
    assert snapshot(ticket) == before


def test_the_assigned_engineer_edits_the_description(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = make_ticket(S.IN_PROGRESS, description="")
    ticket_update(by=crew.engineer, ticket=ticket, changes={"description": "Seal worn out."})
    ticket.refresh_from_db()
    assert ticket.description == "Seal worn out."


@pytest.mark.parametrize("stage", [S.CLOSED, S.CANCELLED])
def test_closed_and_cancelled_tickets_are_not_edited(
    crew: Crew, make_ticket: MakeTicket, stage: str
) -> None:
    ticket = make_ticket(stage)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_update(by=crew.admin, ticket=ticket, changes={"subject": "New subject"})
    assert error.value.code == "stage"
    assert snapshot(ticket) == before


# --- The customer's side -------------------------------------------------------------------------


def test_the_contact_accepts_the_solution(crew: Crew, make_ticket: MakeTicket) -> None:
    ticket = make_ticket(S.RESOLVED)
    ticket_accept_resolution(by=crew.contact, ticket=ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (S.CLOSED, 2)
    assert ticket.closed_at is not None
    assert ticket.resolved_at is not None  # when it was solved stays known
    assert list(
        TicketEvent.objects.filter(ticket=ticket).values_list(
            "actor", "kind", "old_value", "new_value"
        )
    ) == [
        (crew.contact.pk, K.STATUS_CHANGED, S.RESOLVED, S.CLOSED),
        (crew.contact.pk, K.RESOLUTION_ACCEPTED, "", ""),
    ]


def test_a_colleague_who_sees_the_ticket_accepts_it(crew: Crew, make_ticket: MakeTicket) -> None:
    colleague = MembershipFactory(company=crew.company).user
    ticket = make_ticket(S.RESOLVED)
    assert ticket_accept_resolution(by=colleague, ticket=ticket).status == S.CLOSED


@pytest.mark.parametrize("who", ["stranger", "colleague who sees only their own", "dispatcher"])
def test_others_cannot_accept(crew: Crew, make_ticket: MakeTicket, who: str) -> None:
    user = {
        "stranger": lambda: MembershipFactory().user,
        "colleague who sees only their own": lambda: (
            MembershipFactory(company=crew.company, sees_all_tickets=False).user
        ),
        "dispatcher": lambda: crew.dispatcher,
    }[who]()
    ticket = make_ticket(S.RESOLVED)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_accept_resolution(by=user, ticket=ticket)
    assert error.value.code == "forbidden"
    assert snapshot(ticket) == before


@pytest.mark.parametrize("stage", [S.IN_PROGRESS, S.WAITING, S.CLOSED])
def test_only_a_resolved_ticket_is_accepted(
    crew: Crew, make_ticket: MakeTicket, stage: str
) -> None:
    ticket = make_ticket(stage)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_accept_resolution(by=crew.contact, ticket=ticket)
    assert error.value.code == "stage"
    assert snapshot(ticket) == before


@pytest.mark.parametrize("stage", [S.RESOLVED, S.WAITING])
def test_the_customer_replying_puts_the_ticket_back_in_progress(
    crew: Crew, make_ticket: MakeTicket, stage: str
) -> None:
    ticket = make_ticket(stage)
    ticket_customer_replied(by=crew.contact, ticket=ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at, ticket.version) == (S.IN_PROGRESS, None, 2)
    assert list(
        TicketEvent.objects.filter(ticket=ticket).values_list(
            "actor", "kind", "old_value", "new_value"
        )
    ) == [
        (crew.contact.pk, K.STATUS_CHANGED, stage, S.IN_PROGRESS),
        (crew.contact.pk, K.CUSTOMER_REPLIED, "", ""),
    ]


@pytest.mark.parametrize("stage", [S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.CLOSED, S.CANCELLED])
def test_a_reply_leaves_other_stages_alone(crew: Crew, make_ticket: MakeTicket, stage: str) -> None:
    ticket = make_ticket(stage)
    before = snapshot(ticket)
    ticket_customer_replied(by=crew.contact, ticket=ticket)
    assert snapshot(ticket) == before


def test_a_reply_to_a_resolved_ticket_without_an_assignee_goes_back_to_new(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    ticket = make_ticket(S.RESOLVED, assignee=None)  # the engineer's account was deleted
    assert ticket_customer_replied(by=crew.contact, ticket=ticket).status == S.NEW


def test_staff_replies_do_not_go_through_the_customer_hook(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    ticket = make_ticket(S.RESOLVED)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError):
        ticket_customer_replied(by=crew.engineer, ticket=ticket)
    assert snapshot(ticket) == before


# --- Stale pages ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_second_of_two_stale_changes_is_refused_and_nothing_is_lost(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    # Given two dispatchers who opened the ticket at version 1
    ticket = make_ticket(S.NEW)
    page_a = Ticket.objects.get(pk=ticket.pk)
    page_b = Ticket.objects.get(pk=ticket.pk)
    # When the first assigns it
    ticket_assign(
        by=crew.dispatcher, ticket=page_a, assignee=crew.engineer, expected_version=page_a.version
    )
    # Then the second's change, made from the old page, is refused
    for change in (
        lambda: ticket_transition(
            by=crew.admin, ticket=page_b, code="cancel", reason="Dup", expected_version=1
        ),
        lambda: ticket_update(
            by=crew.admin, ticket=page_b, changes={"subject": "Mine"}, expected_version=1
        ),
        lambda: ticket_assign(
            by=crew.admin, ticket=page_b, assignee=crew.other_engineer, expected_version=1
        ),
        lambda: ticket_accept_resolution(by=crew.contact, ticket=page_b, expected_version=1),
    ):
        with pytest.raises(ApplicationError) as error:
            change()
        assert error.value.code == "conflict"
        assert str(error.value.message) == (
            "Someone changed this ticket meanwhile. Reload the page to see the change."
        )
    # And the first's change is there, whole
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.assignee, stored.subject, stored.version) == (
        S.ASSIGNED,
        crew.engineer,
        ticket.subject,
        2,
    )
    assert [e[0] for e in events(ticket)] == [K.ASSIGNED, K.STATUS_CHANGED]
    # And with the fresh version the second may go ahead
    ticket_transition(by=crew.admin, ticket=page_b, code="cancel", reason="Dup", expected_version=2)
    assert Ticket.objects.get(pk=ticket.pk).status == S.CANCELLED


# --- Bulk ----------------------------------------------------------------------------------------


def test_bulk_status_does_what_is_allowed_and_reports_the_rest(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    resolved, working, closed = (
        make_ticket(S.RESOLVED),
        make_ticket(S.IN_PROGRESS),
        make_ticket(S.CLOSED),
    )
    before = {t.pk: snapshot(t) for t in (working, closed)}
    results = ticket_bulk(
        by=crew.dispatcher, tickets=[resolved, working, closed], action="status", value="close"
    )
    assert [(r.ticket.pk, r.ok, r.code) for r in results] == [
        (resolved.pk, True, ""),
        (working.pk, False, "stage"),
        (closed.pk, False, "stage"),
    ]
    assert all(r.message for r in results if not r.ok)
    assert Ticket.objects.get(pk=resolved.pk).status == S.CLOSED
    assert {t.pk: snapshot(t) for t in (working, closed)} == before


def test_bulk_assign_mixes_new_and_cancelled(crew: Crew, make_ticket: MakeTicket) -> None:
    new, cancelled = make_ticket(S.NEW), make_ticket(S.CANCELLED)
    before = snapshot(cancelled)
    results = ticket_bulk(
        by=crew.dispatcher, tickets=[new, cancelled], action="assign", value=crew.other_engineer
    )
    assert [r.ok for r in results] == [True, False]
    new.refresh_from_db()
    assert (new.status, new.assignee) == (S.ASSIGNED, crew.other_engineer)
    assert snapshot(cancelled) == before


def test_bulk_by_an_engineer_follows_the_single_ticket_rules(
    crew: Crew, make_ticket: MakeTicket
) -> None:
    own, other = make_ticket(S.IN_PROGRESS), make_ticket(S.IN_PROGRESS, assignee=crew.dispatcher)
    before = snapshot(other)
    # Assigning and criticality are the dispatcher's; waiting is the assignee's own
    assert [
        r.ok
        for r in ticket_bulk(
            by=crew.engineer, tickets=[own, other], action="assign", value=crew.engineer
        )
    ] == [False, False]
    assert [
        r.ok
        for r in ticket_bulk(
            by=crew.engineer, tickets=[own], action="criticality", value=CriticalityFactory()
        )
    ] == [False]
    assert [
        r.ok
        for r in ticket_bulk(by=crew.engineer, tickets=[own, other], action="status", value="wait")
    ] == [True, False]
    assert snapshot(other) == before


def test_bulk_criticality(crew: Crew, make_ticket: MakeTicket) -> None:
    urgent = CriticalityFactory()
    open_, closed = make_ticket(S.ASSIGNED), make_ticket(S.CLOSED)
    results = ticket_bulk(
        by=crew.dispatcher, tickets=[open_, closed], action="criticality", value=urgent
    )
    assert [(r.ok, r.code) for r in results] == [(True, ""), (False, "stage")]
    assert Ticket.objects.get(pk=open_.pk).criticality == urgent


@pytest.mark.parametrize(
    ("action", "value", "code"),
    [("delete", None, "bulk_action"), ("status", "explode", "unknown_transition")],
)
def test_bulk_refuses_unknown_actions_before_touching_anything(
    crew: Crew, make_ticket: MakeTicket, action: str, value: Any, code: str
) -> None:
    ticket = make_ticket(S.RESOLVED)
    before = snapshot(ticket)
    with pytest.raises(ApplicationError) as error:
        ticket_bulk(by=crew.dispatcher, tickets=[ticket], action=action, value=value)
    assert error.value.code == code
    assert snapshot(ticket) == before


def test_waiting_stops_the_sla_clock_and_leaving_it_restarts_it(
    crew: Crew, make_ticket: MakeTicket, rule: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = at_t0(make_ticket(S.IN_PROGRESS))
        ticket = ticket_update(
            by=crew.dispatcher, ticket=ticket, changes={"criticality": CriticalityFactory()}
        )
        assert Ticket.objects.get(pk=ticket.pk).due_at == T0 + timedelta(hours=8)
        ticket = ticket_transition(by=crew.engineer, ticket=ticket, code="wait")
        assert Ticket.objects.get(pk=ticket.pk).sla_paused_at == T0
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        ticket = ticket_transition(by=crew.engineer, ticket=ticket, code="resume")
    stored = Ticket.objects.get(pk=ticket.pk)
    # Three hours waiting for the customer: the deadline moves three hours on.
    assert (stored.sla_paused_at, stored.sla_paused_seconds) == (None, 3 * 3600)
    assert stored.due_at == T0 + timedelta(hours=11)
    # The moved deadline is recorded for staff, not shown to the customer
    moved = TicketEvent.objects.filter(ticket=ticket, field="due_at").order_by("id").last()
    assert moved is not None
    assert (moved.kind, moved.new_value, moved.is_public) == (
        K.FIELD_CHANGED,
        (T0 + timedelta(hours=11)).isoformat(),
        False,
    )


def test_a_customer_reply_to_a_waiting_ticket_restarts_the_clock(
    crew: Crew, make_ticket: MakeTicket, rule: Any
) -> None:
    ticket = make_ticket(S.WAITING, sla_paused_at=datetime(2026, 3, 2, tzinfo=UTC))
    ticket_customer_replied(by=crew.contact, ticket=ticket)
    assert Ticket.objects.get(pk=ticket.pk).sla_paused_at is None


@pytest.mark.parametrize(
    ("field", "recomputes"),
    [
        ("ticket_type", True),
        ("criticality", True),
        ("work_type", True),
        ("subject", False),
        ("description", False),
        ("product", False),
    ],
)
def test_changing_what_the_sla_looks_at_recomputes_the_deadlines(
    crew: Crew, make_ticket: MakeTicket, rule: Any, field: str, recomputes: bool
) -> None:
    from servicedesk.customers.models import Product, WorkType

    new_values: dict[str, Callable[[], Any]] = {
        "ticket_type": lambda: TicketType.objects.create(code="other", name_ru="Другой"),
        "criticality": lambda: CriticalityFactory(),
        "work_type": lambda: WorkType.objects.create(code="wt-x", name_ru="Работа"),
        "subject": lambda: "Another subject",
        "description": lambda: "Another description",
        "product": lambda: Product.objects.create(code="pr-x", name_ru="Продукт"),
    }
    ticket = at_t0(make_ticket(S.IN_PROGRESS))
    assert ticket.due_at is None  # made by hand, not through ticket_create
    ticket_update(by=crew.dispatcher, ticket=ticket, changes={field: new_values[field]()})
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.due_at == T0 + timedelta(hours=8)) is recomputes


def test_a_manual_deadline_survives_recomputing(
    crew: Crew, make_ticket: MakeTicket, rule: Any
) -> None:
    due = datetime(2026, 3, 9, tzinfo=UTC)
    ticket = make_ticket(S.IN_PROGRESS, due_at=due, due_at_manual=True)
    ticket_update(by=crew.dispatcher, ticket=ticket, changes={"criticality": CriticalityFactory()})
    assert Ticket.objects.get(pk=ticket.pk).due_at == due


def test_a_new_ticket_gets_its_deadlines_from_the_matching_rule(crew: Crew, rule: Any) -> None:
    from servicedesk.customers.models import Criticality
    from servicedesk.tickets.services import TicketData, ticket_create

    with time_machine.travel(T0, tick=False):
        ticket = ticket_create(
            by=crew.contact,
            data=TicketData(
                subject="Boiler is cold",
                ticket_type=TicketType.objects.filter(is_active=True).first(),  # type: ignore[arg-type]
                criticality=Criticality.objects.filter(is_active=True).first(),  # type: ignore[arg-type]
                company=crew.company,
            ),
            origin="portal",
        )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.first_response_due_at == T0 + timedelta(hours=1)
    assert stored.due_at == T0 + timedelta(hours=8)


def test_recomputing_an_unchanged_deadline_records_nothing(crew: Crew, rule: Any) -> None:
    """The deadlines are computed before the row is written and created_at is set on insert a
    moment later: recomputing them must not move them by those microseconds."""
    from servicedesk.customers.models import Criticality, WorkType
    from servicedesk.tickets.services import TicketData, ticket_create

    ticket = ticket_create(
        by=crew.contact,
        data=TicketData(
            subject="Boiler is cold",
            ticket_type=TicketType.objects.filter(is_active=True).first(),  # type: ignore[arg-type]
            criticality=Criticality.objects.filter(is_active=True).first(),  # type: ignore[arg-type]
            company=crew.company,
        ),
        origin="portal",
    )
    work = WorkType.objects.create(code="wt-same", name_ru="Работа")
    ticket_update(by=crew.dispatcher, ticket=ticket, changes={"work_type": work})
    assert not TicketEvent.objects.filter(
        ticket=ticket, field__in=["due_at", "first_response_due_at"]
    ).exists()


def test_the_staff_timeline_shows_moved_deadlines_as_dates(
    crew: Crew, make_ticket: MakeTicket, client: Any
) -> None:
    from django.urls import reverse

    from tests.conftest import login

    ticket = make_ticket(S.IN_PROGRESS)
    ticket_update(
        by=crew.dispatcher,
        ticket=ticket,
        changes={"due_at": datetime(2026, 3, 10, 15, 0, tzinfo=UTC)},
    )
    login(client, crew.dispatcher)
    page = client.get(reverse("backoffice:ticket_detail", args=[ticket.number])).content.decode()
    assert "2026-03-10T15:00:00+00:00" not in page
    assert "10.03.2026" in page  # the page is in Russian: its short date format
