"""The back-office dashboard: provider staff only, with the totals."""

import pytest

from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("user_key", ["admin", "dispatcher", "engineer"])
def test_dashboard_shows_the_totals(client, world, user_key, django_assert_max_num_queries):
    login(client, world.users[user_key])
    with django_assert_max_num_queries(7):  # 6, and the menu's unread badge until cached
        response = client.get("/backoffice/", headers={"accept-language": "en"})
    assert response.status_code == 200
    # 2 companies; 5 sites; 6 pieces of equipment; 4 contracts; 6 active customer users
    # (cust_a, cust_ab, cust_b, cust_eq, cust_site, cust_none; cust_inactive is not counted).
    assert response.context["counts"] == {
        "companies": 2,
        "sites": 5,
        "equipment": 6,
        "contracts": 4,
        "customers": 6,
    }
    html = response.content.decode()
    assert '<h1 class="h3 mb-3">Dashboard</h1>' in html
    assert ('href="/admin/"' in html) is (user_key == "admin")


def test_dashboard_on_an_empty_installation(client, db):
    login(client, UserFactory(dispatcher=True))
    response = client.get("/backoffice/")
    assert response.context["counts"] == {
        "companies": 0,
        "sites": 0,
        "equipment": 0,
        "contracts": 0,
        "customers": 0,
    }


def test_dashboard_is_russian_for_a_russian_profile(client, world):
    world.users["dispatcher"].language = "ru"
    world.users["dispatcher"].save()
    login(client, world.users["dispatcher"])
    html = client.get("/backoffice/").content.decode()
    assert '<html lang="ru"' in html
    assert "Сводка" in html
    assert "Бэк-офис" in html
