"""The portal shows each customer exactly what the scoping layer allows, in bounded queries."""

import pytest

from tests.conftest import build_world, login
from tests.customers.test_querysets import EXPECTED
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = ["cust_a", "cust_ab", "cust_b", "cust_eq", "cust_site", "cust_none"]
KINDS = ["companies", "sites", "equipment", "contracts"]
# The portal page's queries: session, user, the user's memberships (read once, then literal ids),
# companies, and one prefetch each for sites, equipment and contracts. (Permissions come from
# roles: no permission-table queries.) Every page's header adds the bell's count; the menu's
# unread messages badge is cached (its sum is made once, on the first page).
PORTAL_QUERIES = 8


def shown_and_hidden(world, user_key):
    shown, hidden = set(), set()
    for kind in KINDS:
        for key, obj in world.objects(kind).items():
            (shown if key in EXPECTED[user_key][kind] else hidden).add(obj.name)
    return shown, hidden


@pytest.mark.parametrize("user_key", CUSTOMERS)
def test_portal_lists_exactly_the_visible_companies_sites_equipment_and_contracts(
    client, world, user_key
):
    # Given a signed-in customer
    login(client, world.users[user_key])

    # When they open the portal
    response = client.get("/portal/companies/", headers={"accept-language": "en"})

    # Then every visible name is on the page and no other one is
    assert response.status_code == 200
    html = response.content.decode()
    shown, hidden = shown_and_hidden(world, user_key)
    assert {name for name in shown if name in html} == shown
    assert {name for name in hidden if name in html} == set()
    assert html.count('data-testid="company"') == len(EXPECTED[user_key]["companies"])


def test_customer_of_b_sees_nothing_of_a(client, world):
    login(client, world.users["cust_b"])
    html = client.get("/portal/companies/").content.decode()
    assert "Betaworks" in html
    assert "Alphacorp" not in html
    assert "alpha-" not in html


def test_customer_without_a_company_is_told_so(client, world):
    login(client, world.users["cust_none"])
    html = client.get("/portal/companies/", headers={"accept-language": "en"}).content.decode()
    assert "You are not yet a member of any company." in html


def test_site_scoped_customer_sees_the_subtree_indented(client, world):
    login(client, world.users["cust_site"])
    html = client.get("/portal/companies/").content.decode()
    for name, depth in (("alpha-hq-site", 0), ("alpha-floor-site", 1), ("alpha-room-site", 2)):
        assert f'padding-left: {depth}rem"><i class="bi bi-building me-1"></i>{name}<' in html


def test_portal_query_count_does_not_grow_with_the_data(
    client, world, django_assert_max_num_queries
):
    # Given a customer of both companies, and the queries the page takes for them
    user = world.users["cust_ab"]
    login(client, user)
    client.get("/portal/companies/")  # the badge's sum, once
    with django_assert_max_num_queries(PORTAL_QUERIES) as small:
        assert client.get("/portal/companies/").status_code == 200

    # When there is three times as much data, and the customer belongs to it all
    for tag in ("-2", "-3"):
        more = build_world(tag)
        MembershipFactory(user=user, company=more.companies["A"])
        MembershipFactory(user=user, company=more.companies["B"])

    # Then, once what is kept in the cache is made again for the new memberships, the page
    # takes the same number of queries and shows all six companies
    client.get("/portal/companies/")
    with django_assert_max_num_queries(PORTAL_QUERIES) as large:
        response = client.get("/portal/companies/")
    assert response.content.decode().count('data-testid="company"') == 6
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_portal_offers_no_section_that_is_not_built(client, world):
    # The knowledge base comes with its own issue: until then neither the menu nor an address
    # leads to a "coming soon" page
    login(client, world.users["cust_a"])
    html = client.get("/portal/", headers={"accept-language": "en"}, follow=True).content.decode()
    assert "/portal/knowledge/" not in html
    assert client.get("/portal/knowledge/").status_code == 404
