"""The customer's report counts by hand: a fixed set of tickets at company A (and one at B that
must never be counted), each KPI, each series and MTBF/MTTR worked out in the comments."""

import datetime as dt
from decimal import Decimal

import pytest

from servicedesk.accounts.models import Membership
from servicedesk.customers.models import Criticality, TicketType, WorkType
from servicedesk.reports.client import (
    ClientReport,
    Mode,
    by_equipment_type,
    by_type,
    figures,
    reliability,
    report_tickets,
    sla_by_month,
)
from servicedesk.tickets.models import Status, Ticket
from servicedesk.works.services import EngineerLine, WorkData, work_add
from tests.conftest import World
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 30, 12, tzinfo=UTC)


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def make(world: World, key: str, *, created, status=Status.NEW, due=None, resolved=None,
         assignee=None, kind="test-type", criticality="test-criticality") -> Ticket:  # fmt: skip
    equipment = world.equipment.get(key)
    ticket = TicketFactory(
        company=equipment.company if equipment else world.companies[key],
        site=equipment.site if equipment else None,
        equipment=equipment,
        contact=world.users["cust_a"],
        status=status,
        assignee=assignee,
        ticket_type=TicketType.objects.get_or_create(code=kind, defaults={"name_ru": kind})[0],
        criticality=Criticality.objects.get_or_create(
            code=criticality, defaults={"name_ru": criticality}
        )[0],
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, due_at=due, resolved_at=resolved)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def data(world: World) -> World:
    engineer = world.users["engineer"]
    world.equipment["eq_a_hq"].equipment_type = "Котёл"
    world.equipment["eq_a_hq"].save()
    world.equipment["eq_a_shop"].equipment_type = "Касса"
    world.equipment["eq_a_shop"].save()
    # The boiler: three tickets in May, 10 days apart (MTBF 10 d), two resolved in 2 d and 4 d
    # (MTTR 3 d); one of them after its deadline.
    b1 = make(world, "eq_a_hq", created=at(5, 1), status=Status.CLOSED, due=at(5, 5),
              resolved=at(5, 3), assignee=engineer, kind="repair")  # fmt: skip
    make(world, "eq_a_hq", created=at(5, 11), status=Status.RESOLVED, due=at(5, 13),
         resolved=at(5, 15), assignee=engineer, kind="repair", criticality="high")  # fmt: skip
    make(world, "eq_a_hq", created=at(5, 21), status=Status.IN_PROGRESS, due=at(6, 1),
         assignee=engineer, kind="repair")  # overdue, open  # fmt: skip
    # The till: one waiting for the customer (deadline ahead), one new, unassigned, no deadline
    make(world, "eq_a_shop", created=at(6, 10), status=Status.WAITING, due=at(7, 10),
         assignee=engineer, kind="maintenance")  # fmt: skip
    make(world, "eq_a_shop", created=at(6, 20), kind="maintenance")
    # Company B: never in A's report
    make(world, "eq_b", created=at(5, 2), status=Status.CLOSED, due=at(5, 3), resolved=at(5, 9),
         kind="repair")  # fmt: skip
    assert b1.status == Status.CLOSED
    return world


def report(world: World, key: str = "cust_a", mode: Mode = Mode.CREATED, **kw) -> ClientReport:
    values = {"start": dt.date(2026, 5, 1), "end": dt.date(2026, 6, 30), "time_zone": "UTC"}
    return ClientReport(user=world.users[key], mode=mode, now=NOW, **(values | kw))


def test_the_created_mode_counts_the_period_and_never_another_company(data: World) -> None:
    found = figures(report(data))
    assert found.tickets == 5  # B's ticket is not A's
    assert found.overdue_open == 1  # the boiler's third, due 1 June, open on 30 June
    assert found.overdue_done == 1  # the boiler's second: due 13 May, resolved 15 May
    assert found.overdue == 2
    assert found.unassigned == 1  # the till's new one
    assert found.awaiting_customer == 1
    assert found.without_deadline == 1
    # The customer of both companies sees B's too; B's customer only B's.
    assert figures(report(data, "cust_ab")).tickets == 6
    assert figures(report(data, "cust_b")).tickets == 1
    # An outsider counts nothing.
    assert figures(report(data, "cust_none")).tickets == 0


def test_modes_and_periods(data: World) -> None:
    assert figures(report(data, mode=Mode.ACTIVE)).tickets == 3  # in progress, waiting, new
    assert figures(report(data, mode=Mode.COMPLETED)).tickets == 2  # resolved 3 and 15 May
    june = {"start": dt.date(2026, 6, 1), "end": dt.date(2026, 6, 30)}
    assert figures(report(data, **june)).tickets == 2  # filed 10 and 20 June
    assert figures(report(data, mode=Mode.COMPLETED, **june)).tickets == 0
    # The active mode ignores the period: what is open now.
    assert figures(report(data, mode=Mode.ACTIVE, **june)).tickets == 3


def test_the_analytics_switch(data: World) -> None:
    # Off by default for people who see listed places only; on for whole-company members.
    assert figures(report(data, "cust_eq")).tickets == 0
    Membership.objects.filter(user=data.users["cust_a"]).update(analytics=False)
    assert figures(report(data)).tickets == 0
    # A person of two companies with the switch off at one reads the other's report only.
    Membership.objects.filter(user=data.users["cust_ab"], company=data.companies["A"]).update(
        analytics=False
    )
    assert figures(report(data, "cust_ab")).tickets == 1


def test_scoped_people_and_places(data: World) -> None:
    # Scoped to the till (the analytics switched on): its two tickets only, whatever is asked.
    Membership.objects.filter(user=data.users["cust_eq"]).update(analytics=True)
    assert figures(report(data, "cust_eq")).tickets == 2
    asked = frozenset({data.equipment["eq_a_hq"].pk})
    assert figures(report(data, "cust_eq", equipment_ids=asked)).tickets == 0
    # A whole-company person narrows to the HQ site (the boiler stands there).
    hq = frozenset({data.sites["a_hq"].pk})
    assert figures(report(data, site_ids=hq)).tickets == 3
    # Another company's ids count nothing of theirs.
    foreign = frozenset({data.equipment["eq_b"].pk})
    assert figures(report(data, equipment_ids=foreign)).tickets == 0
    assert figures(report(data, company_ids=frozenset({data.companies["B"].pk}))).tickets == 0


def test_the_series(data: World) -> None:
    kinds = {TicketType.objects.get(code=c).pk: c for c in ("repair", "maintenance")}
    slices = {kinds[s.type_id]: s for s in by_type(report(data))}
    assert slices["repair"].count == 3 and slices["maintenance"].count == 2
    high = Criticality.objects.get(code="high").pk
    assert slices["repair"].by_criticality[high] == 1

    bars = {b.label: (b.on_time, b.overdue) for b in by_equipment_type(report(data))}
    assert bars == {"Котёл": (1, 2), "Касса": (2, 0)}

    months = sla_by_month(report(data))
    assert [(m.month, m.closed, m.on_time) for m in months] == [(dt.date(2026, 5, 1), 2, 1)]
    assert months[0].share == 0.5


def test_mtbf_and_mttr(data: World) -> None:
    rows = reliability(report(data))
    boiler = next(r for r in rows if r.equipment_id == data.equipment["eq_a_hq"].pk)
    assert boiler.tickets == 3
    assert boiler.mtbf == dt.timedelta(days=10)
    assert boiler.mttr == dt.timedelta(days=3)  # (2 d + 4 d) / 2
    till = next(r for r in rows if r.equipment_id == data.equipment["eq_a_shop"].pk)
    assert till.mtbf == dt.timedelta(days=10) and till.mttr is None
    assert rows[0] == boiler  # most tickets first
    assert all(r.equipment_id != data.equipment["eq_b"].pk for r in rows)


def test_hours_of_work_done(data: World) -> None:
    assert figures(report(data)).hours == 0 and not figures(report(data)).has_works
    resolved = report_tickets(report(data)).get(status=Status.RESOLVED)
    engineer, dispatcher = data.users["engineer"], data.users["dispatcher"]
    start = at(5, 14, 10)
    work_add(
        by=dispatcher,
        ticket=resolved,
        data=WorkData(
            work_type=WorkType.objects.get(code="repair"),
            engineers=[
                # 1 h 35 min is billed as 2 h, 30 min as 1 h
                EngineerLine(engineer, start, start + dt.timedelta(minutes=95), Decimal(500)),
                EngineerLine(dispatcher, start, start + dt.timedelta(minutes=30), Decimal(400)),
            ],
        ),
    )
    found = figures(report(data))
    assert found.hours == 3 and found.has_works
    assert figures(report(data, "cust_b")).hours == 0
