"""An equipment's service history for the history tests (works/history.py, the back-office and
portal equipment pages), on the scoping world (tests/conftest.py: build_world).

Company A's HQ boiler has two tickets:
- `old` (filed 2026-01-10 by cust_a, closed, assigned to the engineer): a repair by the engineer
  10:00–11:35 (billed 2 h at 500) with 3 pump seals at 120.50 and 2.5 m of cable at 95, its act
  issued; works cost 1 500 + 1 000 + 361.50 + 237.50 = 3 099.00;
- `new` (filed 2026-03-01 by `own`, a member of A who sees only their own tickets; in
  progress): diagnostics by the dispatcher 09:00–09:20 (1 h at 400) with 1 pump seal, no act;
  800 + 400 + 120.50 = 1 320.50.
Both works carry an internal note, which no customer may ever read. The shop's till has a ticket
of its own with a work (never on the boiler's page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from servicedesk.acts.services import act_issue
from servicedesk.customers.models import WorkType
from servicedesk.tickets.models import Status, Ticket
from servicedesk.works.models import Material, Unit
from servicedesk.works.services import EngineerLine, MaterialLine, WorkData, work_add
from tests.conftest import World
from tests.factories import MembershipFactory, TicketFactory

MOSCOW = dt.timezone(dt.timedelta(hours=3))
OLD_NOTE = "secret-note-of-the-old-repair"
NEW_NOTE = "secret-note-of-the-diagnostics"
SHOP_NOTE = "secret-note-of-the-till"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW)


@dataclass
class History:
    world: World
    boiler: Any
    till: Any
    old: Ticket
    new: Ticket
    shop: Ticket
    own: Any  # a customer of A who sees only their own tickets (the contact of `new`)
    repair: WorkType
    diagnostics: WorkType
    seal: Material
    cable: Material


def make_ticket(world: World, equipment: Any, created: dt.date, **fields: Any) -> Ticket:
    """A ticket on the equipment filed on `created` (08:00 Moscow), in progress with the
    world's engineer."""
    values: dict[str, Any] = {
        "company": equipment.company,
        "contact": world.users["cust_a"],
        "site": equipment.site,
        "equipment": equipment,
        "assignee": world.users["engineer"],
        "status": Status.IN_PROGRESS,
    }
    ticket = TicketFactory(**(values | fields))
    created_at = at(created, 8)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at)
    ticket.created_at = created_at
    return ticket


def make_work(world: World, ticket: Ticket, day: dt.date, work_type: WorkType, **data: Any) -> Any:
    """A work recorded by the engineer: by default theirs, 10:00–11:35 (billed 2 h)."""
    engineer = world.users["engineer"]
    values: dict[str, Any] = {
        "work_type": work_type,
        "engineers": [EngineerLine(engineer, at(day, 10), at(day, 11, 35))],
    }
    return work_add(by=engineer, ticket=ticket, data=WorkData(**(values | data)))


def setup_reference_data(world: World) -> tuple[WorkType, WorkType, Material, Material]:
    repair = WorkType.objects.get(code="repair")  # «Ремонт», "Repair" (data migration)
    repair.price = Decimal("1500.00")
    repair.save()
    diagnostics = WorkType.objects.get(code="diagnostics")
    diagnostics.price = Decimal("800.00")
    diagnostics.save()
    for key, rate in (("engineer", "500.00"), ("dispatcher", "400.00")):
        world.users[key].hourly_rate = Decimal(rate)
        world.users[key].save()
    seal = Material.objects.create(
        code="seal", name_ru="Уплотнение", name_en="Pump seal", price=Decimal("120.50")
    )
    cable = Material.objects.create(
        code="cable", name_ru="Кабель", name_en="Cable", unit=Unit.METRE, price=Decimal("95.00")
    )
    return repair, diagnostics, seal, cable


def build_history(world: World) -> History:
    repair, diagnostics, seal, cable = setup_reference_data(world)
    own = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    boiler, till = world.equipment["eq_a_hq"], world.equipment["eq_a_shop"]

    old_day, new_day = dt.date(2026, 1, 10), dt.date(2026, 3, 1)
    old = make_ticket(world, boiler, old_day, subject="Boiler pump leaks")
    make_work(
        world,
        old,
        old_day,
        repair,
        materials=[
            MaterialLine(material=seal, quantity=Decimal(3)),
            MaterialLine(material=cable, quantity=Decimal("2.5")),
        ],
        comment="Replaced the pump seal.",
        internal_note=OLD_NOTE,
    )
    act_issue(by=world.users["engineer"], ticket=old)
    Ticket.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    old.status = Status.CLOSED

    new = make_ticket(world, boiler, new_day, subject="Boiler makes noise", contact=own)
    make_work(
        world,
        new,
        new_day,
        diagnostics,
        engineers=[EngineerLine(world.users["dispatcher"], at(new_day, 9), at(new_day, 9, 20))],
        materials=[MaterialLine(material=seal, quantity=Decimal(1))],
        internal_note=NEW_NOTE,
    )

    shop_day = dt.date(2026, 2, 1)
    shop = make_ticket(world, till, shop_day, subject="Till does not print")
    make_work(world, shop, shop_day, repair, internal_note=SHOP_NOTE)
    return History(world, boiler, till, old, new, shop, own, repair, diagnostics, seal, cable)
