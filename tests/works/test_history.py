"""An equipment's service history as the domain reads it (works/history.py, acts/building.py's
issued works, customers.selectors.site_chain): exact figures, the scoping layer's tickets, the
works customers may read, a fixed number of queries."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from servicedesk.acts.building import issued_act_works, issued_acts, issued_works
from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from servicedesk.customers.selectors import site_address, site_chain
from servicedesk.customers.services import site_save
from servicedesk.works import history
from servicedesk.works.history import MaterialTotal
from servicedesk.works.models import CompletedWork
from tests.conftest import World
from tests.works.history_data import OLD_NOTE, History, build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def hist(world: World) -> History:
    return build_history(world)


def test_staff_see_every_ticket_newest_first_and_every_work_summed(hist: History) -> None:
    staff = hist.world.users["engineer"]
    tickets = history.equipment_tickets(staff, hist.boiler)
    assert list(tickets) == [hist.new, hist.old]

    with translation.override("en"):
        summary = history.history_summary(tickets, CompletedWork.objects.visible_to(staff))

    assert (summary.tickets, summary.open_tickets, summary.works) == (2, 1, 2)
    assert summary.hours == 3  # 1 h 35 min → 2 h, and 20 min → 1 h
    assert summary.materials == (
        MaterialTotal(name="Cable", unit="m", quantity=Decimal("2.500")),
        MaterialTotal(name="Pump seal", unit="pcs", quantity=Decimal("4.000")),
    )
    # 1 500 + 2 h × 500 + 3 × 120.50 + 2.5 × 95, and 800 + 1 h × 400 + 120.50
    assert summary.amount == Decimal("4419.50")


def test_a_customer_sums_only_the_works_of_issued_acts(hist: History) -> None:
    customer = hist.world.users["cust_a"]
    tickets = history.equipment_tickets(customer, hist.boiler)
    assert list(tickets) == [hist.new, hist.old]

    with translation.override("ru"):
        summary = history.history_summary(tickets, issued_works(tickets))

    assert (summary.tickets, summary.open_tickets, summary.works, summary.hours) == (2, 1, 1, 2)
    assert [(m.name, m.unit, m.quantity) for m in summary.materials] == [
        ("Кабель", "м", Decimal("2.500")),
        ("Уплотнение", "шт", Decimal("3.000")),
    ]


def test_a_customer_who_sees_only_their_own_tickets_counts_only_those(hist: History) -> None:
    tickets = history.equipment_tickets(hist.own, hist.boiler)
    assert list(tickets) == [hist.new]
    summary = history.history_summary(tickets, issued_works(tickets))
    assert (summary.tickets, summary.open_tickets, summary.works, summary.hours) == (1, 1, 0, 0)
    assert summary.materials == ()


def test_customers_read_works_only_through_the_act_without_notes(hist: History) -> None:
    acts = issued_acts([hist.old.pk, hist.new.pk])
    assert list(acts) == [hist.old.pk]

    with translation.override("en"):
        works = issued_act_works(acts)

    assert list(works) == [hist.old.pk]
    (work,) = works[hist.old.pk]
    assert work.title == "Repair"
    assert [(e.hours, e.name) for e in work.engineers] == [
        (2, hist.world.users["engineer"].full_name)
    ]
    assert OLD_NOTE not in repr(work)
    assert issued_act_works({}) == {}


def test_staff_works_come_grouped_by_ticket_with_their_lines(hist: History) -> None:
    staff = hist.world.users["dispatcher"]
    grouped = history.works_by_ticket(
        CompletedWork.objects.visible_to(staff), [hist.old.pk, hist.new.pk]
    )
    assert set(grouped) == {hist.old.pk, hist.new.pk}
    assert grouped[hist.old.pk][0].internal_note == OLD_NOTE
    # Customers get none from the scoping layer, whatever tickets are asked for.
    customer = hist.world.users["cust_a"]
    assert history.works_by_ticket(CompletedWork.objects.visible_to(customer), [hist.old.pk]) == {}


def test_the_reads_take_a_fixed_number_of_queries(
    hist: History, django_assert_num_queries: Any
) -> None:
    from tests.works.history_data import make_ticket, make_work

    staff = hist.world.users["engineer"]
    tickets = history.equipment_tickets(staff, hist.boiler)
    works = CompletedWork.objects.visible_to(staff)
    reference_rows(WorkType)  # the work types' cache, warm as on every page
    with django_assert_num_queries(4):
        history.history_summary(tickets, works)
    ids = [t.pk for t in tickets]
    with django_assert_num_queries(3):
        history.works_by_ticket(works, ids)

    day = hist.old.created_at.date()
    for _ in range(5):
        make_work(hist.world, make_ticket(hist.world, hist.boiler, day), day, hist.repair)
    with django_assert_num_queries(4):
        assert history.history_summary(tickets, works).tickets == 7
    ids = list(history.equipment_tickets(staff, hist.boiler).values_list("pk", flat=True))
    with django_assert_num_queries(3):
        assert len(history.works_by_ticket(works, ids)) == 7


def test_open_ticket_counts_per_equipment(hist: History) -> None:
    counts = history.open_ticket_counts(
        [hist.boiler.pk, hist.till.pk, hist.world.equipment["eq_b"].pk]
    )
    assert counts == {hist.boiler.pk: 1, hist.till.pk: 1}


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("admin", ["alpha-hq-site", "alpha-floor-site", "alpha-room-site"]),
        ("cust_a", ["alpha-hq-site", "alpha-floor-site", "alpha-room-site"]),
        ("cust_site", ["alpha-hq-site", "alpha-floor-site", "alpha-room-site"]),
    ],
)
def test_the_site_chain_runs_from_the_outermost_site(
    world: World, user_key: str, expected: list[str]
) -> None:
    chain = site_chain(world.users[user_key], world.sites["a_room"])
    assert [site.name for site in chain] == expected


def test_the_site_chain_hides_the_sites_above_a_customer_scope(world: World) -> None:
    from tests.factories import MembershipFactory

    floor_only = MembershipFactory(
        company=world.companies["A"], listed=True, sites=[world.sites["a_floor"]]
    ).user
    hq = world.sites["a_hq"]
    hq.address = "Moscow, Arbat 1"
    site_save(hq)

    chain = site_chain(floor_only, world.sites["a_room"])
    assert [site.name for site in chain] == ["alpha-floor-site", "alpha-room-site"]
    assert site_address(chain) == ""  # the building's address is the building's
    staff_chain = site_chain(world.users["admin"], world.sites["a_room"])
    assert site_address(staff_chain) == "Moscow, Arbat 1"
    assert site_chain(floor_only, None) == []
