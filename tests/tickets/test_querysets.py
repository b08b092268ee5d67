"""Ticket.objects.visible_to(user): the one scoping layer for tickets, as a matrix of people
and tickets in the scoping world (tests/conftest.py)."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from servicedesk.accounts.models import Membership, User
from servicedesk.tickets.models import Ticket, TicketFollower
from tests.conftest import World
from tests.factories import MembershipFactory, TicketFactory


def _tickets(w: World) -> dict[str, Ticket]:
    """Company A: one with no place, one on each of HQ (directly), the server room (only through
    its equipment), the shop (equipment and site), the shop (site only), one filed by the
    equipment-scoped customer and one by the site-scoped customer outside their scope.
    Company B: one."""
    author_a = MembershipFactory(company=w.companies["A"]).user
    author_b = MembershipFactory(company=w.companies["B"]).user
    a = w.companies["A"]
    return {
        "a_plain": TicketFactory(company=a, contact=author_a, subject="a plain"),
        "a_hq": TicketFactory(site=w.sites["a_hq"], contact=author_a),
        "a_room_eq": TicketFactory(equipment=w.equipment["eq_a_room"], contact=author_a),
        "a_shop_eq": TicketFactory(
            equipment=w.equipment["eq_a_shop"], site=w.sites["a_shop"], contact=author_a
        ),
        "a_shop_site": TicketFactory(site=w.sites["a_shop"], contact=author_a),
        "a_own_eq": TicketFactory(company=a, contact=w.users["cust_eq"]),
        "a_own_site": TicketFactory(site=w.sites["a_shop"], contact=w.users["cust_site"]),
        "b": TicketFactory(equipment=w.equipment["eq_b"], contact=author_b),
    }


ALL_A = {"a_plain", "a_hq", "a_room_eq", "a_shop_eq", "a_shop_site", "a_own_eq", "a_own_site"}
EVERYTHING = ALL_A | {"b"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", EVERYTHING),
        ("dispatcher", EVERYTHING),
        ("engineer", EVERYTHING),
        ("inactive_engineer", set()),
        ("cust_a", ALL_A),
        ("cust_ab", EVERYTHING),
        ("cust_b", {"b"}),
        # listed: the shop's till only, plus their own
        ("cust_eq", {"a_shop_eq", "a_own_eq"}),
        # listed: HQ and beneath it (floor, room), directly or through equipment, plus their own
        ("cust_site", {"a_hq", "a_room_eq", "a_own_site"}),
        ("cust_inactive", set()),
        ("cust_none", set()),
        ("anonymous", set()),
    ],
)
def test_visible_to_matrix(world: World, who: str, expected: set[str]) -> None:
    # Given tickets across both companies
    tickets = _tickets(world)
    names = {t.pk: name for name, t in tickets.items()}
    # When the user's visible tickets are listed
    visible = Ticket.objects.visible_to(world.user(who))
    # Then exactly the expected ones, without duplicates
    pks = list(visible.values_list("pk", flat=True))
    assert {names[pk] for pk in pks} == expected
    assert len(pks) == len(set(pks))


def test_without_sees_all_tickets_only_own_and_followed(world: World) -> None:
    # Given a whole-company member of A who does not see all company tickets
    tickets = _tickets(world)
    user = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    mine = TicketFactory(company=world.companies["A"], contact=user)
    filed_by_me = TicketFactory(
        company=world.companies["A"], contact=world.users["cust_a"], created_by=user
    )
    TicketFollower.objects.create(ticket=tickets["a_hq"], user=user)
    # When their tickets are listed, then: their own, filed by them, followed — nothing else
    visible = set(Ticket.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {mine.pk, filed_by_me.pk, tickets["a_hq"].pk}


def test_listed_member_without_sees_all_tickets_ignores_the_list(world: World) -> None:
    tickets = _tickets(world)
    user = MembershipFactory(
        company=world.companies["A"],
        listed=True,
        sites=[world.sites["a_hq"]],
        sees_all_tickets=False,
    ).user
    TicketFollower.objects.create(ticket=tickets["a_shop_site"], user=user)
    visible = set(Ticket.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {tickets["a_shop_site"].pk}


def test_following_another_companys_ticket_shows_nothing(world: World) -> None:
    # A follower row for B's ticket (left over, or made by hand) never widens A's customer
    tickets = _tickets(world)
    user = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    TicketFollower.objects.create(ticket=tickets["b"], user=user)
    assert not Ticket.objects.visible_to(user).exists()


def test_removed_member_no_longer_sees_the_companys_tickets_even_their_own(world: World) -> None:
    # Given a customer of A with a ticket of their own, who follows another
    tickets = _tickets(world)
    user = MembershipFactory(company=world.companies["A"]).user
    own = TicketFactory(company=world.companies["A"], contact=user)
    TicketFollower.objects.create(ticket=tickets["a_hq"], user=user)
    assert own.pk in set(Ticket.objects.visible_to(user).values_list("pk", flat=True))
    # When they are removed from the company
    Membership.objects.filter(user=user).delete()
    # Then (on the next request, a fresh user object) they see nothing
    fresh = User.objects.get(pk=user.pk)
    assert list(Ticket.objects.visible_to(fresh)) == []


def test_deactivated_company_hides_its_tickets(world: World) -> None:
    _tickets(world)
    world.companies["B"].is_active = False
    world.companies["B"].save()
    fresh = User.objects.get(pk=world.users["cust_ab"].pk)
    names = set(Ticket.objects.visible_to(fresh).values_list("subject", flat=True))
    assert "a plain" in names
    assert Ticket.objects.visible_to(fresh).filter(company=world.companies["B"]).count() == 0


def test_anonymous_user_object_sees_nothing(world: World) -> None:
    _tickets(world)
    assert Ticket.objects.visible_to(AnonymousUser()).count() == 0


@pytest.mark.parametrize(
    ("who", "first", "again"),
    [
        ("admin", 1, 1),  # no memberships to read
        ("cust_a", 2, 1),  # memberships + count, then count only
        ("cust_ab", 2, 1),
        ("cust_eq", 4, 1),  # memberships, listed sites, listed equipment + count
        ("cust_site", 4, 1),
    ],
)
def test_query_count_is_bounded(
    world: World, django_assert_num_queries: Any, who: str, first: int, again: int
) -> None:
    # Given many tickets and a fresh user object (as at the start of a request)
    _tickets(world)
    for _ in range(3):
        _tickets(world)
    user = User.objects.get(pk=world.users[who].pk)
    # When visible tickets are counted twice, then memberships are read only the first time
    with django_assert_num_queries(first):
        Ticket.objects.visible_to(user).count()
    with django_assert_num_queries(again):
        Ticket.objects.visible_to(user).count()
