"""act_inputs(ticket): what the act is made from — plain frozen data, in the act's language,
amounts that add up to the ticket's total, never an internal note; the scoping layer and the
selectors behind it."""

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from servicedesk.works.act import ActEngineer, ActMaterial, ActWork, act_inputs
from servicedesk.works.models import CompletedWork
from servicedesk.works.selectors import place_text, ticket_works_total, work_list_for_ticket
from servicedesk.works.services import EngineerLine, MaterialLine
from tests.factories import TicketFactory
from tests.works.conftest import Works, at

pytestmark = pytest.mark.django_db


def test_each_work_as_the_act_shows_it(works: Works) -> None:
    # Given a repair by two engineers with a listed and a typed material, and a diagnostics
    works.add(
        engineers=[
            EngineerLine(works.engineer, at(10), at(11, 35)),
            EngineerLine(works.dispatcher, at(10), at(10, 30), hourly_rate=Decimal("450")),
        ],
        materials=[
            MaterialLine(material=works.seal, quantity=Decimal(3)),
            MaterialLine(name="Hose", quantity=Decimal("1.5"), unit="m", price=Decimal("10.10")),
        ],
    )
    works.add(
        work_type=works.diagnostics,
        engineers=[EngineerLine(works.engineer, at(9), at(9, 20))],
        materials=[],
        comment="",
    )

    # When the act asks for them in English
    with translation.override("en"):
        inputs = act_inputs(works.ticket)

    # Then they come oldest first, with everything the act's table needs
    diagnostics, repair = inputs
    boiler = works.ticket.equipment
    assert repair == ActWork(
        work_id=repair.work_id,
        title="Repair",
        started_at=at(10),
        finished_at=at(11, 35),
        place=f"{boiler} — {works.ticket.site.name}",
        work_type_price=Decimal("1500.00"),
        engineers=(
            ActEngineer(works.engineer.full_name, 2, Decimal("500.00"), Decimal("1000.00")),
            ActEngineer(works.dispatcher.full_name, 1, Decimal("450.00"), Decimal("450.00")),
        ),
        materials=(
            ActMaterial("Pump seal", Decimal("3.000"), "pcs", Decimal("120.50"), Decimal("361.50")),
            ActMaterial("Hose", Decimal("1.500"), "m", Decimal("10.10"), Decimal("15.15")),
        ),
        comment="Replaced the pump seal.",
        amount=Decimal("3326.65"),
    )
    assert (diagnostics.title, diagnostics.amount) == ("Diagnostics", Decimal("1300.00"))
    assert sum(work.amount for work in inputs) == ticket_works_total(works.ticket)
    assert ticket_works_total(works.ticket) == Decimal("4626.65")


def test_names_come_in_the_acts_language(works: Works) -> None:
    works.add()
    with translation.override("ru"):
        [work] = act_inputs(works.ticket)
    assert (work.title, work.materials[0].name) == ("Ремонт", "Уплотнение")


def test_a_name_typed_over_a_listed_material_is_kept_in_every_language(works: Works) -> None:
    works.add(materials=[MaterialLine(material=works.seal, name="Seal DN25", quantity=Decimal(1))])
    works.add()
    works.seal.delete()  # a deleted entry leaves the name it had
    for language in ("ru", "en"):
        with translation.override(language):
            names = [work.materials[0].name for work in act_inputs(works.ticket)]
        assert names == ["Seal DN25", "Уплотнение"]


def test_the_act_never_gets_an_internal_note(works: Works) -> None:
    works.add(internal_note="The customer's cat bites: SECRET-NOTE")
    [work] = act_inputs(works.ticket)
    names = {f.name for f in dataclasses.fields(ActWork)}
    assert not names & {"internal_note", "note", "created_by", "photos"}
    assert "SECRET-NOTE" not in repr(dataclasses.asdict(work))


def test_the_inputs_are_frozen(works: Works) -> None:
    works.add()
    [work] = act_inputs(works.ticket)
    with pytest.raises(dataclasses.FrozenInstanceError):
        work.comment = "changed"  # type: ignore[misc]
    assert isinstance(work.engineers, tuple) and isinstance(work.materials, tuple)


def test_a_ticket_without_works_has_no_inputs_and_a_total_of_zero(works: Works) -> None:
    assert act_inputs(works.ticket) == []
    assert ticket_works_total(works.ticket) == Decimal("0.00")


def test_the_inputs_take_the_same_queries_for_one_work_as_for_ten(
    works: Works, django_assert_num_queries: Any
) -> None:
    works.add()
    reference_rows(WorkType)  # the work types come from the cache (customers/reference.py)
    with django_assert_num_queries(4):  # works, engineers, materials, photos
        act_inputs(works.ticket)
    for _ in range(9):
        works.add()
    with django_assert_num_queries(4):
        assert len(act_inputs(works.ticket)) == 10


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", True),
        ("dispatcher", True),
        ("engineer", True),
        ("cust_a", False),
        ("cust_site", False),
        ("cust_none", False),
        ("inactive_engineer", False),
        ("anonymous", False),
    ],
)
def test_only_staff_see_works(works: Works, who: str, sees: bool) -> None:
    works.add()
    user = works.world.user(who)
    assert CompletedWork.objects.visible_to(user).exists() is sees
    assert bool(work_list_for_ticket(works.ticket, user)) is sees


def test_the_place_as_text(works: Works) -> None:
    site, boiler = works.ticket.site, works.ticket.equipment
    site.address = "Tverskaya 10,\n  Moscow"
    assert place_text(site, boiler) == f"{boiler} — {site.name}, Tverskaya 10, Moscow"
    assert place_text(site, None) == f"{site.name}, Tverskaya 10, Moscow"
    assert place_text(None, boiler) == str(boiler)
    assert place_text(None, None) == ""
    # A work keeps its ticket's place; a ticket without one gives an empty place
    bare = TicketFactory(company=works.world.companies["A"], assignee=works.engineer)
    works.ticket = bare
    works.add()
    assert [work.place for work in act_inputs(bare)] == [""]
