"""The works tests' world: the scoping world's company A with a ticket at its HQ boiler,
assigned to the world's engineer and in progress; a work type with a price; the staff's
hourly rates; two materials of the list."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from servicedesk.customers.models import WorkType
from servicedesk.tickets.models import Status, Ticket
from servicedesk.works.models import Material, Unit
from servicedesk.works.services import EngineerLine, MaterialLine, WorkData, work_add
from tests.conftest import World
from tests.factories import TicketFactory

MOSCOW = dt.timezone(dt.timedelta(hours=3))


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    """An instant on 2026-03-<day>, Moscow time."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MOSCOW)


@dataclass
class Works:
    world: World
    ticket: Ticket
    repair: WorkType
    diagnostics: WorkType
    seal: Material
    cable: Material

    @property
    def engineer(self) -> Any:
        return self.world.users["engineer"]

    @property
    def dispatcher(self) -> Any:
        return self.world.users["dispatcher"]

    def data(self, **overrides: Any) -> WorkData:
        """A repair by the engineer, 10:00–11:35 (billed 2 h), with 3 seals."""
        values: dict[str, Any] = {
            "work_type": self.repair,
            "engineers": [EngineerLine(self.engineer, at(10), at(11, 35))],
            "materials": [MaterialLine(material=self.seal, quantity=Decimal(3))],
            "comment": "Replaced the pump seal.",
            "internal_note": "Customer's cat bites.",
        }
        return WorkData(**(values | overrides))

    def add(self, **overrides: Any) -> Any:
        return work_add(by=self.engineer, ticket=self.ticket, data=self.data(**overrides))


@pytest.fixture
def works(world: World) -> Works:
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
        code="seal",
        name_ru="Уплотнение",
        name_en="Pump seal",
        unit=Unit.PIECE,
        price=Decimal("120.50"),
    )
    cable = Material.objects.create(
        code="cable", name_ru="Кабель", name_en="Cable", unit=Unit.METRE, price=Decimal("95.00")
    )
    boiler = world.equipment["eq_a_hq"]
    ticket = TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        site=boiler.site,
        equipment=boiler,
        assignee=world.users["engineer"],
        status=Status.IN_PROGRESS,
        subject="Boiler pump leaks",
    )
    return Works(world, ticket, repair, diagnostics, seal, cable)
