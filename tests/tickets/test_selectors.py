"""The list selector: views, filters, ordering and counts, on the scoping world."""

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from servicedesk.accounts.models import Membership
from servicedesk.customers.models import Criticality, TicketType, WorkType
from servicedesk.tickets import selectors
from servicedesk.tickets.models import Status, TicketFollower, TicketView
from servicedesk.tickets.selectors import TicketFilters, ticket_list_for_customer
from tests.conftest import World
from tests.factories import (
    CompanyFactory,
    CriticalityFactory,
    MembershipFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def numbers(queryset: Any) -> list[str]:
    return [t.number for t in queryset]


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


def make(w: World, number: str, **fields: Any) -> Any:
    fields.setdefault("company", w.companies["A"])
    fields.setdefault("contact", w.users["cust_ab"])
    created_at = fields.pop("created_at", None)
    ticket = TicketFactory(number=number, **fields)
    if created_at is not None:
        type(ticket).objects.filter(pk=ticket.pk).update(created_at=created_at)
    return ticket


def test_views_depend_on_the_membership(world: World) -> None:
    assert selectors.ticket_views_for(world.users["cust_a"]) == ("company", "mine", "recent")
    assert selectors.ticket_views_for(world.users["cust_eq"]) == ("company", "mine", "recent")
    own_only = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    assert selectors.ticket_views_for(own_only) == ("mine", "recent")
    # Asking for a view one does not have gives one's own tickets, not the company's.
    make(world, "00000001")
    mine = make(world, "00000002", contact=own_only)
    assert numbers(ticket_list_for_customer(own_only, "company", TicketFilters(), "")) == [
        mine.number
    ]


def test_company_mine_and_recent(world: World) -> None:
    user = world.users["cust_a"]
    filed = make(world, "00000001", contact=user, created_at=at(1))
    created = make(world, "00000002", created_by=user, created_at=at(2))
    other = make(world, "00000003", created_at=at(3))
    make(world, "00000004", company=world.companies["B"], contact=world.users["cust_b"])
    assert numbers(ticket_list_for_customer(user, "company", TicketFilters(), "-created")) == [
        other.number,
        created.number,
        filed.number,
    ]
    assert numbers(ticket_list_for_customer(user, "mine", TicketFilters(), "-created")) == [
        created.number,
        filed.number,
    ]
    TicketView.objects.create(user=user, ticket=filed, viewed_at=at(10))
    TicketView.objects.create(user=user, ticket=other, viewed_at=at(9))
    TicketView.objects.create(user=world.users["cust_ab"], ticket=created, viewed_at=at(11))
    assert numbers(ticket_list_for_customer(user, "recent", TicketFilters(), "")) == [
        filed.number,
        other.number,
    ]
    assert selectors.ticket_view_counts(user) == {"company": 3, "mine": 2, "recent": 2}


def test_recently_viewed_never_shows_a_ticket_no_longer_visible(world: World) -> None:
    user = world.users["cust_a"]
    foreign = make(world, "00000009", company=world.companies["B"], contact=world.users["cust_b"])
    TicketView.objects.create(user=user, ticket=foreign, viewed_at=at(1))
    assert numbers(ticket_list_for_customer(user, "recent", TicketFilters(), "")) == []


def test_listed_and_own_only_memberships(world: World) -> None:
    shop = make(world, "00000001", equipment=world.equipment["eq_a_shop"])
    make(world, "00000002", equipment=world.equipment["eq_a_hq"])
    make(world, "00000003")
    cust_eq = world.users["cust_eq"]
    own = make(world, "00000004", contact=cust_eq)
    assert sorted(numbers(ticket_list_for_customer(cust_eq, "company", TicketFilters(), ""))) == [
        shop.number,
        own.number,
    ]
    own_only = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    followed = make(world, "00000005")
    TicketFollower.objects.create(ticket=followed, user=own_only)
    assert numbers(ticket_list_for_customer(own_only, "mine", TicketFilters(), "")) == []
    assert numbers(ticket_list_for_customer(own_only, "company", TicketFilters(), "")) == []
    assert Membership.objects.filter(user=own_only, sees_all_tickets=False).exists()


def test_filters(world: World) -> None:
    user = world.users["cust_a"]
    repair = TicketType.objects.create(code="test-repair", name_ru="Ремонт", name_en="Repair")
    high = Criticality.objects.create(code="test-high", name_ru="Высокая", name_en="High")
    install = WorkType.objects.create(code="test-install", name_ru="Монтаж", name_en="Install")
    t1 = make(
        world,
        "00000001",
        ticket_type=repair,
        status=Status.RESOLVED,
        created_at=at(1),
        equipment=world.equipment["eq_a_room"],
    )
    t2 = make(world, "00000002", criticality=high, created_at=at(2), site=world.sites["a_floor"])
    t3 = make(world, "00000003", work_type=install, created_at=at(3), subject="Насос течёт")
    t4 = make(world, "00000004", status=Status.IN_PROGRESS, created_at=at(4, 23))

    def run(**filters: Any) -> list[str]:
        return sorted(
            numbers(ticket_list_for_customer(user, "company", TicketFilters(**filters), ""))
        )

    assert run(status="resolved") == [t1.number]
    assert run(status="open") == [t2.number, t3.number, t4.number]
    assert run(status="finished") == [t1.number]
    assert run(ticket_type_id=repair.pk) == [t1.number]
    assert run(criticality_id=high.pk) == [t2.number]
    assert run(work_type_id=install.pk) == [t3.number]
    assert run(equipment_id=world.equipment["eq_a_room"].pk) == [t1.number]
    floor = world.sites["a_floor"]
    # The floor's tickets and those on equipment in rooms beneath it.
    assert run(site_id=floor.pk, site_path=floor.path) == [t1.number, t2.number]
    assert run(company_id=world.companies["B"].pk) == []
    assert run(q="насос") == [t3.number]
    assert run(q=t2.number) == [t2.number]
    # Dates are the user's days: 4 March 23:00 UTC is already 5 March in Moscow.
    with timezone.override(zoneinfo.ZoneInfo("Europe/Moscow")):
        assert run(created_from=dt.date(2026, 3, 2), created_to=dt.date(2026, 3, 3)) == [
            t2.number,
            t3.number,
        ]
        assert run(created_from=dt.date(2026, 3, 5)) == [t4.number]
    with timezone.override(dt.UTC):
        assert run(created_to=dt.date(2026, 3, 4)) == [t1.number, t2.number, t3.number, t4.number]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("subject", ["00000002", "00000003", "00000001"]),
        ("-subject", ["00000001", "00000003", "00000002"]),
        ("number", ["00000001", "00000002", "00000003"]),
        ("-number", ["00000003", "00000002", "00000001"]),
        # Ties keep a stable order, by id in the sort's direction: the oldest row first going
        # up, the newest first going down (one index serves both ways).
        ("status", ["00000001", "00000002", "00000003"]),
        ("-status", ["00000003", "00000002", "00000001"]),
        # No deadline comes last either way.
        ("due", ["00000002", "00000001", "00000003"]),
        ("-due", ["00000001", "00000002", "00000003"]),
        ("contact", ["00000003", "00000001", "00000002"]),
        ("-contact", ["00000002", "00000001", "00000003"]),
    ],
)
def test_ordering(world: World, order: str, expected: list[str]) -> None:
    user = world.users["cust_a"]
    adam = UserFactory(full_name="Adam")
    zoe = UserFactory(full_name="Zoe")
    make(world, "00000001", subject="Zebra", due_at=at(20), contact=zoe)
    make(world, "00000002", subject="Apple", due_at=at(10), contact=zoe)
    make(world, "00000003", subject="Mango", contact=adam)
    assert numbers(ticket_list_for_customer(user, "company", TicketFilters(), order)) == expected


def _expected_order(tickets: list[Any], value: Any, descending: bool) -> list[str]:
    """Sorted by `value`, ties by id, both in the sort's direction; no value last either way."""
    present = sorted(
        (t for t in tickets if value(t) is not None),
        key=lambda t: (value(t), t.pk),
        reverse=descending,
    )
    missing = sorted((t for t in tickets if value(t) is None), key=lambda t: t.pk)
    return [t.number for t in present + (missing[::-1] if descending else missing)]


SORT_VALUES: dict[str, Any] = {
    "number": lambda t: t.number,
    "company": lambda t: t.company.name,
    "contact": lambda t: t.contact.full_name,
    "subject": lambda t: t.subject,
    "status": lambda t: t.status,
    "created": lambda t: t.created_at,
    "due": lambda t: t.due_at,
    "assignee": lambda t: t.assignee.full_name if t.assignee else None,
    "criticality": lambda t: t.criticality.sort_order,
}


@pytest.fixture
def ties(world: World) -> list[Any]:
    """Eight tickets of company A in which every sortable column has ties, and the nullable
    ones (deadline, assignee) empty values, numbered against the order of their ids."""
    a = world.companies["A"]
    a.name = "Alpha"
    a.save(update_fields=["name"])
    other = CompanyFactory(name="Beta")
    MembershipFactory(user=world.users["cust_a"], company=other)
    zoe, adam = UserFactory(full_name="Zoe"), UserFactory(full_name="Adam")
    low, high = CriticalityFactory(sort_order=2), CriticalityFactory(sort_order=1)
    engineer, dispatcher = world.users["engineer"], world.users["dispatcher"]
    engineer.full_name, dispatcher.full_name = "Eve", "Dan"
    engineer.save(update_fields=["full_name"])
    dispatcher.save(update_fields=["full_name"])
    rows = [
        (a, zoe, "Pump", Status.NEW, at(5), None, engineer, low),
        (other, adam, "Leak", Status.NEW, at(5), at(20), None, high),
        (a, adam, "Pump", Status.CLOSED, at(2), at(20), dispatcher, high),
        (other, zoe, "Leak", Status.WAITING, at(9), None, engineer, low),
        (a, zoe, "Pump", Status.NEW, at(2), at(10), None, low),
        (a, adam, "Leak", Status.CLOSED, at(9), at(10), dispatcher, high),
        (other, zoe, "Pump", Status.WAITING, at(5), at(20), engineer, low),
        (a, adam, "Leak", Status.NEW, at(9), None, None, high),
    ]
    tickets = []
    for n, (company, contact, subject, status, created, due, assignee, level) in enumerate(rows):
        tickets.append(
            make(
                world,
                f"{90 - n:08d}",
                company=company,
                contact=contact,
                subject=subject,
                status=status,
                created_at=created,
                due_at=due,
                assignee=assignee,
                criticality=level,
            )
        )
    for ticket in tickets:
        ticket.refresh_from_db()
    return tickets


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", list(selectors.QUEUE_SORTS))
def test_every_sort_is_one_stable_order_both_ways(
    world: World, ties: list[Any], key: str, descending: bool
) -> None:
    """Each sort of the queue and of the customer's list, with ties and empty values: sorted
    by the column, then by id in the same direction; no deadline or assignee last both ways.
    Going down is exactly going up reversed where nothing is empty."""
    assert set(SORT_VALUES) == set(selectors.QUEUE_SORTS) >= set(selectors.SORTS)
    expected = _expected_order(ties, SORT_VALUES[key], descending)
    sort = f"-{key}" if descending else key
    queue = selectors.staff_queue(world.users["dispatcher"], "all", TicketFilters(), sort)
    assert numbers(queue) == expected
    if key in selectors.SORTS:
        user = world.users["cust_a"]
        assert numbers(ticket_list_for_customer(user, "company", TicketFilters(), sort)) == (
            expected
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_deadline_going_down_has_its_index(world: World) -> None:
    """Outside the model's Meta (SQLite cannot write NULLS LAST in an index): made by
    tickets/migrations/0011 on PostgreSQL, in the order selectors._order_by asks for."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_due_desc'")
        (definition,) = cursor.fetchone()
    assert definition.endswith("(due_at DESC NULLS LAST, id DESC)")
    queue = selectors.staff_queue(world.users["dispatcher"], "all", TicketFilters(), "-due")
    assert str(queue.values("pk").query).endswith(
        'ORDER BY "tickets_ticket"."due_at" DESC NULLS LAST, "tickets_ticket"."id" DESC'
    )


def test_capped_count(world: World) -> None:
    for n in range(5):
        make(world, f"0000001{n}")
    tickets = ticket_list_for_customer(world.users["cust_a"], "company", TicketFilters(), "")
    assert selectors.capped_count(tickets, cap=3) == 4
    assert selectors.capped_count(tickets, cap=10) == 5


def test_filters_report_whether_any_is_active() -> None:
    assert not TicketFilters().active
    assert TicketFilters(q="pump").active
    assert TicketFilters(created_from=dt.date(2026, 1, 1)).active
