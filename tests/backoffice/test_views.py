"""The back-office dashboard: provider staff only, with the totals."""

import pytest

from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("user_key", ["admin", "dispatcher", "engineer"])
def test_dashboard_shows_the_totals(client, world, user_key, django_assert_max_num_queries):
    login(client, world.users[user_key])
    # session, user, the customers' data (2), the queue's counts (6, then from the cache),
    # the ratings, the bell and the menu's unread badge (each until cached)
    with django_assert_max_num_queries(13):
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


def test_dashboard_shows_what_needs_the_staff_now_and_no_plans(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import TicketFactory

    # Given an unassigned overdue ticket and one waiting for the customer
    TicketFactory(company=world.companies["A"], due_at=timezone.now() - timedelta(hours=1))
    TicketFactory(company=world.companies["A"], status="waiting")
    login(client, world.users["dispatcher"])
    html = client.get("/backoffice/", headers={"accept-language": "en"}).content.decode()
    # Then the queue's counts link to the queue's views
    overdue = html.split('data-testid="queue-count-overdue"')[1].split("</a>")[0]
    assert "Overdue" in overdue and ">1<" in overdue
    assert 'href="/backoffice/tickets/?view=overdue"' in html
    waiting = html.split('data-testid="queue-count-waiting"')[1].split("</a>")[0]
    assert ">1<" in waiting
    # and nothing promises features to come
    assert "What is coming" not in html and "Until then" not in html
