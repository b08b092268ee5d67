"""The one list engine (tickets/listing.py, tickets/_list.html) as both its pages show it: the
customer's lists and the staff queue — their rows (hostile names shown as text, long subjects
cut, the deadline), their pages, and query strings nobody should have sent."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import User
from servicedesk.tickets.models import Status, Ticket
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PAGES = {"portal": ("cust_a", "ticket"), "backoffice": ("dispatcher", "queue")}


def english(user: User) -> User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def row(html: str, name: str, number: str) -> str:
    found = re.search(rf'<tr data-testid="{name}-row" data-number="{number}">.*?</tr>', html, re.S)
    assert found is not None, f"no row {number}"
    return found.group(0)


@pytest.fixture
def hostile(world: World) -> Ticket:
    company, contact = world.companies["A"], world.users["cust_a"]
    company.name = f"Alpha {HOSTILE}"
    company.save(update_fields=["name"])
    contact.full_name = f"Ann {HOSTILE}"
    contact.save(update_fields=["full_name"])
    engineer = world.users["engineer"]
    engineer.full_name = f"Eng {HOSTILE}"
    engineer.save(update_fields=["full_name"])
    return TicketFactory(
        number="00000042",
        company=company,
        contact=contact,
        assignee=engineer,
        subject=f"{HOSTILE} " + "pump " * 30,
        status=Status.IN_PROGRESS,
        due_at=NOW - dt.timedelta(hours=2),
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("area", ["portal", "backoffice"])
def test_a_row_shows_hostile_values_as_text(
    world: World, client: Client, hostile: Ticket, area: str
) -> None:
    reader, name = PAGES[area]
    login(client, english(world.users[reader]))
    html = client.get(reverse(f"{area}:tickets") + "?view=all&view=company").content.decode()
    assert "<script>" not in html
    # (Jinja2 writes a quote as &#34;, Django as &quot;: the same character to a browser)
    shown = row(html, name, "00000042").replace("&#34;", "&quot;")
    detail = reverse(f"{area}:ticket_detail", args=["00000042"])
    number = '<span class="ticket-number-zeros">000000</span>42</a>'
    assert f'<a class="ticket-number" href="{detail}" aria-label="00000042">{number}' in shown
    for text in (ESCAPED, "In progress"):
        assert text in shown
    if area == "portal":
        # A customer of one company reads the number, subject, status and deadline only.
        assert "Alpha" not in shown and "Eng " not in shown and "Ann " not in shown
        # A long subject is cut; the deadline passed is marked.
        assert "pump p…</a>" in shown and "pump pump </a>" not in shown
        assert 'data-testid="overdue" title="Overdue"' in shown
    else:
        assert f"Alpha {ESCAPED}" in shown and f"Eng {ESCAPED}" in shown
        assert f'name="tickets" value="{hostile.pk}"' in shown
        assert ">overdue by 2\xa0hours</td>" in shown
        assert "pump </a>" in shown  # the queue shows the whole subject


@pytest.mark.parametrize("area", ["portal", "backoffice"])
@pytest.mark.parametrize(
    "query",
    [
        "page=abc&size=x&sort=zzz&from=bad&to=2026-13-45&company=999&status=%00",
        "page=-3&size=7&sort=--number&view=nonsense&type=a&criticality=1.5&assignee=x",
        "page=99999999999999999999&q=" + "x" * 500,
        "q=%22%27%3C%3E&sort=-",
    ],
)
def test_bad_query_strings_open_the_list(
    world: World, client: Client, area: str, query: str
) -> None:
    reader, name = PAGES[area]
    TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    login(client, world.users[reader])
    response = client.get(f"{reverse(f'{area}:tickets')}?{query}")
    assert response.status_code == 200
    assert f'data-testid="{name}-results"' in response.content.decode()


@pytest.mark.parametrize("area", ["portal", "backoffice"])
def test_both_lists_page_the_same_way(world: World, client: Client, area: str) -> None:
    reader, name = PAGES[area]
    for n in range(1, 31):
        TicketFactory(
            number=f"{n:08d}", company=world.companies["A"], contact=world.users["cust_a"]
        )
    login(client, english(world.users[reader]))
    url = reverse(f"{area}:tickets")
    first = client.get(url + "?sort=number").content.decode()
    assert len(re.findall(f'data-testid="{name}-row"', first)) == 25
    assert '<span class="page-link">Page 1' in first
    link = re.search(r'href="([^"]+)"[^>]*data-testid="next-page"', first)
    assert link is not None
    second = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.findall(f'data-testid="{name}-row" data-number="([^"]+)"', second) == [
        f"{n:08d}" for n in range(26, 31)
    ]
    assert 'data-testid="previous-page"' in second
    assert 'data-testid="next-page"' not in second
