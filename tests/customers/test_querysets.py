"""The scoping layer: `<Model>.objects.visible_to(user)` returns exactly what each user may see."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.customers.models import Company, Contract, Equipment, Site
from servicedesk.customers.services import site_save
from tests.conftest import build_world
from tests.factories import EquipmentFactory, MembershipFactory, SiteFactory

MODELS = {"companies": Company, "sites": Site, "equipment": Equipment, "contracts": Contract}

ALL = {
    "companies": {"A", "B"},
    "sites": {"a_hq", "a_floor", "a_room", "a_shop", "b_wh"},
    "equipment": {"eq_a_hq", "eq_a_floor", "eq_a_room", "eq_a_shop", "eq_a_nosite", "eq_b"},
    "contracts": {"c_a_all", "c_a_shop", "c_a_hq", "c_b"},
}
NOTHING: dict[str, set[str]] = {kind: set() for kind in ALL}
COMPANY_A = {
    "companies": {"A"},
    "sites": {"a_hq", "a_floor", "a_room", "a_shop"},
    "equipment": {"eq_a_hq", "eq_a_floor", "eq_a_room", "eq_a_shop", "eq_a_nosite"},
    "contracts": {"c_a_all", "c_a_shop", "c_a_hq"},
}
COMPANY_B = {
    "companies": {"B"},
    "sites": {"b_wh"},
    "equipment": {"eq_b"},
    "contracts": {"c_b"},
}
# Scoped to the shop's till: the till, the site it stands on (for its address), the contract
# covering the till and the contract that covers the whole company.
EQUIPMENT_SCOPED = {
    "companies": {"A"},
    "sites": {"a_shop"},
    "equipment": {"eq_a_shop"},
    "contracts": {"c_a_all", "c_a_shop"},
}
# Scoped to HQ: HQ and its subtree (floor, room) with their equipment; not the sibling shop.
SITE_SCOPED = {
    "companies": {"A"},
    "sites": {"a_hq", "a_floor", "a_room"},
    "equipment": {"eq_a_hq", "eq_a_floor", "eq_a_room"},
    "contracts": {"c_a_all", "c_a_hq"},
}

EXPECTED = {
    "admin": ALL,
    "dispatcher": ALL,
    "engineer": ALL,
    "cust_a": COMPANY_A,
    "cust_ab": ALL,
    "cust_b": COMPANY_B,
    "cust_eq": EQUIPMENT_SCOPED,
    "cust_site": SITE_SCOPED,
    "cust_inactive": NOTHING,
    "cust_none": NOTHING,
    "inactive_engineer": NOTHING,
    "anonymous": NOTHING,
}
MATRIX = [(user, kind) for user in EXPECTED for kind in MODELS]


def visible_keys(world, kind, queryset):
    by_pk = {obj.pk: key for key, obj in world.objects(kind).items()}
    pks = list(queryset.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "visible_to returned duplicates"
    return {by_pk[pk] for pk in pks}


@pytest.mark.parametrize(("user_key", "kind"), MATRIX)
def test_visible_to_returns_exactly_what_the_user_may_see(world, user_key, kind):
    # Given the world and one of its users
    user = world.user(user_key)

    # When the model's scoping queryset is asked
    queryset = MODELS[kind].objects.visible_to(user)

    # Then it holds exactly the expected objects, without duplicates
    assert visible_keys(world, kind, queryset) == EXPECTED[user_key][kind]


@pytest.mark.parametrize("kind", list(MODELS))
def test_visible_to_composes_with_other_filters(world, kind):
    # Given a whole-company customer of A
    user = world.users["cust_a"]
    some_key = sorted(EXPECTED["cust_a"][kind])[0]
    some = world.objects(kind)[some_key]

    # When the scoped queryset is filtered further and counted
    queryset = MODELS[kind].objects.visible_to(user).filter(pk=some.pk)

    # Then the filter applies on top of the scope
    assert list(queryset) == [some]
    assert MODELS[kind].objects.filter(pk=some.pk).visible_to(user).count() == 1


def test_member_of_an_inactive_company_sees_nothing_of_it(world):
    # Given company A is deactivated
    world.companies["A"].is_active = False
    world.companies["A"].save()
    user = world.users["cust_ab"]

    # Then its member sees only company B's data
    for kind, model in MODELS.items():
        assert visible_keys(world, kind, model.objects.visible_to(user)) == COMPANY_B[kind]


def test_listed_site_of_another_company_grants_nothing(world):
    # Given a listed-scope membership in A whose listed site and equipment belong to B
    membership = MembershipFactory(
        company=world.companies["A"],
        listed=True,
        sites=[world.sites["b_wh"]],
        equipment=[world.equipment["eq_b"]],
    )
    user = membership.user

    # Then nothing of B is visible, and of A only the company and its whole-company contract
    expected = {
        "companies": {"A"},
        "sites": set(),
        "equipment": set(),
        "contracts": {"c_a_all"},
    }
    for kind, model in MODELS.items():
        assert visible_keys(world, kind, model.objects.visible_to(user)) == expected[kind]


def test_site_without_a_path_does_not_widen_visibility(world):
    # Given a site saved without site_save (no path) and listed in a membership
    stray = Site.objects.create(company=world.companies["A"], name="stray")
    assert stray.path == ""
    world.sites["stray"] = stray
    user = MembershipFactory(company=world.companies["A"], listed=True, sites=[stray]).user

    # Then the empty path matches nothing: no site, no equipment, only the whole-company contract
    assert visible_keys(world, "sites", Site.objects.visible_to(user)) == set()
    assert visible_keys(world, "equipment", Equipment.objects.visible_to(user)) == set()
    assert visible_keys(world, "contracts", Contract.objects.visible_to(user)) == {"c_a_all"}


def test_pathless_child_of_a_listed_site_stays_hidden(world):
    # Given a child of HQ saved without site_save
    stray = Site.objects.create(company=world.companies["A"], parent=world.sites["a_hq"], name="x")
    world.sites["stray"] = stray

    # Then the HQ-scoped customer's sites are unchanged
    user = world.users["cust_site"]
    assert visible_keys(world, "sites", Site.objects.visible_to(user)) == SITE_SCOPED["sites"]


def test_site_paths_are_materialised_by_site_save(world):
    hq, floor, room = (world.sites[k] for k in ("a_hq", "a_floor", "a_room"))
    assert hq.path == f"{hq.pk}/"
    assert floor.path == f"{hq.pk}/{floor.pk}/"
    assert room.path == f"{hq.pk}/{floor.pk}/{room.pk}/"
    assert (hq.depth, floor.depth, room.depth) == (0, 1, 2)


def test_moving_a_site_rewrites_descendant_paths_and_visibility(world):
    # Given the floor (with the room beneath it) under HQ
    floor, room, shop = (world.sites[k] for k in ("a_floor", "a_room", "a_shop"))
    untouched = {k: world.sites[k].path for k in ("a_hq", "a_shop", "b_wh")}

    # When the floor is moved under the shop
    floor.parent = shop
    site_save(floor)

    # Then the floor and the room carry the new prefix, the rest is unchanged
    floor.refresh_from_db()
    room.refresh_from_db()
    assert floor.path == f"{shop.pk}/{floor.pk}/"
    assert room.path == f"{shop.pk}/{floor.pk}/{room.pk}/"
    assert {k: Site.objects.get(pk=world.sites[k].pk).path for k in untouched} == untouched

    # And the HQ-scoped customer no longer sees the moved subtree
    user = world.users["cust_site"]
    assert visible_keys(world, "sites", Site.objects.visible_to(user)) == {"a_hq"}
    assert visible_keys(world, "equipment", Equipment.objects.visible_to(user)) == {"eq_a_hq"}


def test_moving_a_root_site_under_another_root_moves_its_subtree(world):
    hq, floor, room, shop = (world.sites[k] for k in ("a_hq", "a_floor", "a_room", "a_shop"))
    hq.parent = shop
    site_save(hq)
    paths = {k: Site.objects.get(pk=world.sites[k].pk).path for k in ("a_hq", "a_floor", "a_room")}
    assert paths == {
        "a_hq": f"{shop.pk}/{hq.pk}/",
        "a_floor": f"{shop.pk}/{hq.pk}/{floor.pk}/",
        "a_room": f"{shop.pk}/{hq.pk}/{floor.pk}/{room.pk}/",
    }


@pytest.mark.parametrize(
    ("site_key", "new_parent_key"),
    [("a_hq", "a_hq"), ("a_hq", "a_floor"), ("a_hq", "a_room"), ("a_floor", "b_wh")],
)
def test_site_cannot_move_inside_itself_or_to_another_company(world, site_key, new_parent_key):
    # Given a site and a parent that is the site itself, its descendant or another company's
    site = world.sites[site_key]
    before = dict(Site.objects.values_list("pk", "parent_id"))
    paths = dict(Site.objects.values_list("pk", "path"))

    # When it is moved there
    site.parent = world.sites[new_parent_key]
    with pytest.raises(ValidationError) as excinfo:
        site_save(site)

    # Then the parent field is refused and no parent or path changed
    assert list(excinfo.value.message_dict) == ["parent"]
    assert dict(Site.objects.values_list("pk", "parent_id")) == before
    assert dict(Site.objects.values_list("pk", "path")) == paths


def test_scoping_does_not_leak_between_similar_path_prefixes(db):
    # Given enough sites that some primary keys share leading digits (1/ and 11/, 2/ and 21/...)
    sites = [SiteFactory() for _ in range(12)]
    target = sites[0]
    user = MembershipFactory(company=target.company, listed=True, sites=[target]).user
    EquipmentFactory(site=target)
    for other in sites[1:]:
        EquipmentFactory(site=other)
        MembershipFactory(user=user, company=other.company, listed=True)

    # Then only the listed site and its equipment are visible
    assert list(Site.objects.visible_to(user)) == [target]
    assert [e.site_id for e in Equipment.objects.visible_to(user)] == [target.pk]


def test_two_worlds_do_not_see_each_other(db):
    first, second = build_world("-1"), build_world("-2")
    user = first.users["cust_a"]
    names = set(Site.objects.visible_to(user).values_list("name", flat=True))
    assert names == {first.sites[k].name for k in COMPANY_A["sites"]}
    assert not names & {s.name for s in second.sites.values()}


def test_memberships_are_read_from_the_database_on_every_request(world, django_assert_num_queries):
    # Permissions are never cached (docs/decisions/0012): each request's user object reads
    # the memberships again, so a change made by another process is never missed.
    from servicedesk.accounts.models import User
    from servicedesk.accounts.scopes import membership_scopes

    user_id = world.users["cust_site"].pk
    with CaptureQueriesContext(connection) as read:
        first = membership_scopes(User.objects.get(pk=user_id))
    # the user, the memberships, their listed sites and equipment
    assert len(read.captured_queries) == 4
    again = User.objects.get(pk=user_id)
    with django_assert_num_queries(3):
        assert membership_scopes(again) == first
    # Read once per user object (so once per request)
    with django_assert_num_queries(0):
        assert membership_scopes(again) == first
