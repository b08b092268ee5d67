"""The back office's queue: saved views with counts, the deadline column, filters, sorting,
bulk actions reported ticket by ticket, and who may open it."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.tickets.models import Status, Ticket
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("backoffice:tickets")
BULK = reverse("backoffice:ticket_bulk")
EN = {"accept-language": "en"}
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def rows(response: Any) -> list[str]:
    return re.findall(r'data-testid="queue-row" data-number="([^"]+)"', response.content.decode())


def view_counts(response: Any) -> dict[str, int]:
    html = response.content.decode()
    return {
        v: int(n)
        for v, n in re.findall(
            r'data-view="(\w+)"[^>]*>\s*[^<]+<span[^>]*data-testid="view-count">(\d+)<', html
        )
    }


@pytest.fixture
def tickets(world: World) -> dict[str, Ticket]:
    a, b = world.companies["A"], world.companies["B"]
    eng = world.users["engineer"]
    return {
        "new": TicketFactory(number="00000101", company=a, status=Status.NEW),
        "mine": TicketFactory(
            number="00000102",
            company=a,
            status=Status.IN_PROGRESS,
            assignee=eng,
            due_at=NOW + dt.timedelta(hours=30),
        ),
        "overdue": TicketFactory(
            number="00000103",
            company=b,
            status=Status.ASSIGNED,
            assignee=eng,
            due_at=NOW - dt.timedelta(hours=5),
        ),
        "soon": TicketFactory(
            number="00000104", company=b, status=Status.NEW, due_at=NOW + dt.timedelta(minutes=20)
        ),
        "waiting": TicketFactory(number="00000105", company=a, status=Status.WAITING, assignee=eng),
        "closed": TicketFactory(
            number="00000106",
            company=a,
            status=Status.CLOSED,
            due_at=NOW - dt.timedelta(days=3),
            closed_at=NOW - dt.timedelta(days=4),
        ),
    }


@time_machine.travel(NOW, tick=False)
def test_views_counts_and_deadlines(world: World, client: Client, tickets: Any) -> None:
    login(client, world.users["dispatcher"])
    response = client.get(QUEUE, headers=EN)
    assert response.status_code == 200
    assert sorted(rows(response)) == [f"0000010{i}" for i in range(1, 7)]
    assert view_counts(response) == {
        "all": 6,
        "new": 2,
        "overdue": 1,
        "due_soon": 1,
        "waiting": 1,
        "mine": 0,
    }
    html = response.content.decode()
    assert "overdue by 5" in html  # hours
    assert "left" in html
    assert rows(client.get(QUEUE + "?view=overdue")) == ["00000103"]
    assert rows(client.get(QUEUE + "?view=due_soon")) == ["00000104"]
    assert sorted(rows(client.get(QUEUE + "?view=new"))) == ["00000101", "00000104"]
    assert rows(client.get(QUEUE + "?view=waiting")) == ["00000105"]


@time_machine.travel(NOW, tick=False)
def test_an_engineer_starts_with_their_own_tickets(
    world: World, client: Client, tickets: Any
) -> None:
    login(client, world.users["engineer"])
    response = client.get(QUEUE)
    assert sorted(rows(response)) == ["00000102", "00000103", "00000105"]


@time_machine.travel(NOW, tick=False)
def test_filters_search_and_sort(world: World, client: Client, tickets: Any) -> None:
    login(client, world.users["dispatcher"])
    a = world.companies["A"].pk
    assert sorted(rows(client.get(f"{QUEUE}?view=all&company={a}&status=open"))) == [
        "00000101",
        "00000102",
        "00000105",
    ]
    by_due = rows(client.get(f"{QUEUE}?view=all&sort=due"))
    assert by_due[:3] == ["00000106", "00000103", "00000104"]  # empty deadlines last
    # Ties (two new tickets) go by id in the sort's direction: going down is going up reversed.
    by_status = rows(client.get(f"{QUEUE}?view=all&sort=status"))
    assert by_status == ["00000103", "00000106", "00000102", "00000101", "00000104", "00000105"]
    assert rows(client.get(f"{QUEUE}?view=all&sort=-status")) == by_status[::-1]
    assert rows(client.get(f"{QUEUE}?view=all&q=00000104")) == ["00000104"]
    # A stale or hand-made value is dropped, not an error.
    assert client.get(f"{QUEUE}?view=nope&company=zzz&sort=evil").status_code == 200


def test_customers_and_strangers_do_not_get_the_queue(world: World, client: Client) -> None:
    login(client, world.users["cust_a"])
    assert client.get(QUEUE).status_code == 404
    client.logout()
    assert client.get(QUEUE).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_the_page(world: World, client: Client) -> None:
    login(client, world.users["dispatcher"])

    def queries(n: int) -> int:
        Ticket.objects.all().delete()
        for i in range(n):
            TicketFactory(
                company=world.companies["A" if i % 2 else "B"],
                assignee=world.users["engineer"] if i % 3 else None,
                due_at=NOW + dt.timedelta(hours=i - 5),
            )
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE + "?view=all&size=100").status_code == 200
        return len(captured)

    assert queries(3) == queries(40)


@time_machine.travel(NOW, tick=False)
def test_bulk_assign_reports_each_ticket(world: World, client: Client, tickets: Any) -> None:
    login(client, world.users["dispatcher"])
    engineer = world.users["engineer"]
    picked = [tickets["new"].pk, tickets["soon"].pk]
    response = client.post(
        BULK,
        {"tickets": picked, "action": "assign", "assignee": engineer.pk, "return_to": QUEUE},
        headers=EN,
        follow=True,
    )
    assert response.status_code == 200
    for key in ("new", "soon"):
        tickets[key].refresh_from_db()
        assert tickets[key].assignee == engineer
    assert "Done for 00000101, 00000104" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_bulk_change_refused_for_some_is_reported_and_changes_nothing_for_them(
    world: World, client: Client, tickets: Any
) -> None:
    login(client, world.users["dispatcher"])
    closed, new = tickets["closed"], tickets["new"]
    response = client.post(
        BULK,
        {
            "tickets": [closed.pk, new.pk],
            "action": "status",
            "transition": "start",
            "return_to": QUEUE,
        },
        headers=EN,
        follow=True,
    )
    html = response.content.decode()
    assert "00000106:" in html and "00000101:" in html  # both refused, each with a reason
    closed.refresh_from_db()
    new.refresh_from_db()
    assert closed.status == Status.CLOSED and new.status == Status.NEW


def test_bulk_without_a_choice_says_so(world: World, client: Client, tickets: Any) -> None:
    login(client, world.users["dispatcher"])
    response = client.post(
        BULK, {"tickets": [], "action": "assign", "assignee": ""}, headers=EN, follow=True
    )
    assert "Select at least one ticket." in response.content.decode()


def test_the_company_filter_searches_instead_of_listing_every_company(
    world: World, client: Client, tickets: Any
) -> None:
    login(client, world.users["dispatcher"])
    a, b = world.companies["A"], world.companies["B"]

    def company_select(url: str) -> str:
        # The filter panel's fields, fetched when the panel is opened.
        html = client.get(url + ("&" if "?" in url else "?") + "panel=filters").content.decode()
        found = re.search(r'<select name="company".*?</select>', html, re.S)
        assert found is not None
        return found.group(0)

    assert company_select(QUEUE).count("<option") == 1  # "any" only
    assert a.name not in company_select(QUEUE)  # no company listed until one is chosen
    assert f'<option value="{a.pk}" selected>' in company_select(f"{QUEUE}?company={a.pk}")
    options = reverse("backoffice:queue_company_options")
    found = client.get(options, {"company_q": b.name[:4], "company": a.pk}).content.decode()
    assert f'<option value="{a.pk}" selected>' in found  # the chosen one stays
    assert f'<option value="{b.pk}">' in found
    nothing = client.get(options, {"company_q": "zzzz-no-such"}, headers=EN).content.decode()
    assert "No company found" in nothing
    customer = login(Client(), world.users["cust_a"])
    assert customer.get(options, {"company_q": "a"}).status_code == 404
