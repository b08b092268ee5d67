"""`sees_equipment(user, equipment)` (whether a ticket page may link the equipment's page) agrees
with the scoping layer for every user of the world and every piece."""

import pytest

from servicedesk.customers.access import sees_equipment
from servicedesk.customers.models import Equipment
from tests.customers.test_querysets import EXPECTED

pytestmark = pytest.mark.django_db
PIECES = ["eq_a_hq", "eq_a_floor", "eq_a_room", "eq_a_shop", "eq_a_nosite", "eq_b"]


@pytest.mark.parametrize("user_key", list(EXPECTED))
def test_it_answers_as_the_scoping_layer_does(world, user_key):
    user = world.user(user_key)
    for key in PIECES:
        piece = Equipment.objects.select_related("site").get(pk=world.equipment[key].pk)
        assert sees_equipment(user, piece) is (key in EXPECTED[user_key]["equipment"]), key
    assert sees_equipment(user, None) is False


def test_a_whole_company_member_is_answered_without_a_query(world, django_assert_num_queries):
    user = world.users["cust_a"]
    piece = world.equipment["eq_a_room"]
    sees_equipment(user, piece)  # the memberships, read once a request
    with django_assert_num_queries(0):
        assert sees_equipment(user, piece) is True
