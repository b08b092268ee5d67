"""«Все заявки» in the portal: views, filters, sort, pagination, htmx, remembered state, and a
constant number of queries."""

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from servicedesk.tickets.models import Status, Ticket, TicketListPreference, TicketView
from tests.conftest import World, login
from tests.factories import MembershipFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """Pages in English, whatever the catalogue holds (texts are compared below)."""
    return Client(headers={"accept-language": "en"})


URL = reverse("portal:tickets")
HTMX = {"HX-Request": "true"}


def make(w: World, number: str, **fields: Any) -> Ticket:
    fields.setdefault("company", w.companies["A"])
    fields.setdefault("contact", w.users["cust_ab"])
    return TicketFactory(number=number, **fields)


def listed(response: Any) -> list[str]:
    return re.findall(r'data-testid="ticket-row" data-number="([^"]+)"', response.content.decode())


@pytest.fixture
def cust_a(world: World, client: Client) -> Client:
    return login(client, world.users["cust_a"])


def test_lists_the_company_tickets_with_the_columns_a_customer_reads(
    world: World, cust_a: Client, english: None
) -> None:
    ticket = make(world, "00000042", subject="Pump leaks", status=Status.IN_PROGRESS, assignee=None)
    make(world, "00000043", company=world.companies["B"], contact=world.users["cust_b"])
    response = cust_a.get(URL + "?view=company")
    assert response.status_code == 200
    assert listed(response) == ["00000042"]
    html = response.content.decode()
    headings = re.findall(r'data-sort="([a-z]+)"', html)
    assert headings == ["number", "subject", "status", "due"]
    for text in ("Pump leaks", "In progress", "opened "):
        assert text in html
    assert "text-bg-warning" in html  # the status colour
    # One company: no company on the rows; the number is quiet, its zeros quieter.
    assert "Alphacorp" not in html.split('data-testid="ticket-table"')[1]
    assert '<span class="ticket-number-zeros">000000</span>42</a>' in html
    assert ticket.contact.full_name not in html.split('data-testid="ticket-table"')[1]


def test_a_customer_of_several_companies_sees_the_company_under_the_subject(
    world: World, client: Client, english: None
) -> None:
    make(world, "00000042", subject="Pump leaks", company=world.companies["B"])
    login(client, world.users["cust_ab"])
    html = client.get(URL + "?view=company").content.decode()
    details = re.findall(r'data-testid="subject-details">(.*?)</div>', html)
    assert len(details) == 1
    assert "Betaworks" in details[0]


def test_views_and_their_counts(world: World, cust_a: Client, english: None) -> None:
    user = world.users["cust_a"]
    mine = make(world, "00000001", contact=user)
    other = make(world, "00000002")
    TicketView.objects.create(user=user, ticket=other, viewed_at=other.created_at)
    response = cust_a.get(URL + "?view=mine")
    assert listed(response) == [mine.number]
    counts = re.findall(
        r'data-view="(\w+)">\s*[^<]+<span[^>]*data-testid="view-count">(\d+)<',
        response.content.decode(),
    )
    assert counts == [("company", "2"), ("mine", "1"), ("recent", "1")]
    assert listed(cust_a.get(URL + "?view=recent")) == [other.number]
    assert listed(cust_a.get(URL + "?view=company")) == [other.number, mine.number]


def test_own_only_member_has_no_company_view(world: World, client: Client) -> None:
    own_only = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    make(world, "00000001")
    mine = make(world, "00000002", contact=own_only)
    response = login(client, own_only).get(URL + "?view=company")
    assert listed(response) == [mine.number]
    assert 'data-view="company"' not in response.content.decode()


def test_equipment_scoped_customer_sees_their_equipment_and_own(
    world: World, client: Client
) -> None:
    shop = make(world, "00000001", equipment=world.equipment["eq_a_shop"])
    make(world, "00000002", equipment=world.equipment["eq_a_hq"])
    make(world, "00000003")
    make(world, "00000009", company=world.companies["B"], contact=world.users["cust_b"])
    own = make(world, "00000004", contact=world.users["cust_eq"])
    response = login(client, world.users["cust_eq"]).get(URL + "?view=company")
    assert listed(response) == [own.number, shop.number]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=resolved", ["00000003"]),
        ("status=open", ["00000002", "00000001"]),
        ("q=pump", ["00000001"]),
        ("q=00000002", ["00000002"]),
        ("sort=subject", ["00000002", "00000001", "00000003"]),
        ("sort=-subject", ["00000003", "00000001", "00000002"]),
        ("sort=number&status=open", ["00000001", "00000002"]),
        # Values that do not validate are dropped, not obeyed: a foreign company, a bad status.
        ("company={b}", ["00000003", "00000002", "00000001"]),
        ("status=bogus&sort=password", ["00000003", "00000002", "00000001"]),
        ("equipment={eq}", ["00000002"]),
        ("site={floor}", ["00000002"]),
    ],
)
def test_filters_search_and_sort(
    world: World, cust_a: Client, query: str, expected: list[str]
) -> None:
    make(world, "00000001", subject="Pump leaks")
    make(world, "00000002", subject="Boiler noise", equipment=world.equipment["eq_a_room"])
    make(world, "00000003", subject="Window", status=Status.RESOLVED)
    query = query.format(
        b=world.companies["B"].pk,
        eq=world.equipment["eq_a_room"].pk,
        floor=world.sites["a_floor"].pk,
    )
    assert listed(cust_a.get(f"{URL}?view=company&{query}")) == expected


def test_pagination_and_page_size(world: World, cust_a: Client, english: None) -> None:
    for n in range(1, 31):
        make(world, f"{n:08d}")
    first = cust_a.get(URL + "?view=company&sort=number")
    assert listed(first) == [f"{n:08d}" for n in range(1, 26)]
    assert "1–25 of 30" in first.content.decode()
    second = cust_a.get(URL + "?view=company&sort=number&page=2")
    assert listed(second) == [f"{n:08d}" for n in range(26, 31)]
    assert 'data-testid="previous-page"' in second.content.decode()
    assert 'data-testid="next-page"' not in second.content.decode()
    assert len(listed(cust_a.get(URL + "?view=company&size=50"))) == 30
    # A page past the end is empty, not an error; a bad page number is page 1.
    assert listed(cust_a.get(URL + "?view=company&page=9")) == []
    assert len(listed(cust_a.get(URL + "?view=company&page=x"))) == 25
    assert len(listed(cust_a.get(URL + "?view=company&size=7"))) == 25


def test_next_link_keeps_view_filters_and_sort(world: World, cust_a: Client) -> None:
    for n in range(1, 31):
        make(world, f"{n:08d}", subject="Pump")
    html = cust_a.get(URL + "?view=company&q=pump&sort=number").content.decode()
    link = re.search(r'href="([^"]+)"[^>]*data-testid="next-page"', html)
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == f"{URL}?view=company&q=pump&sort=number&page=2"


def test_htmx_gets_the_results_only(world: World, cust_a: Client) -> None:
    make(world, "00000001", subject="Pump leaks")
    response = cust_a.get(URL + "?view=company&q=pump&sort=number", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="ticket-results"')
    assert listed(response) == ["00000001"]
    # The form's hidden sort field follows the column clicked.
    assert 'id="id_sort" value="number" hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]
    # The address bar gets the tidy URL, not every empty field of the form.
    empty_fields = cust_a.get(
        URL + "?view=company&q=pump&sort=number&status=&type=&size=25", headers=HTMX
    )
    assert empty_fields["HX-Push-Url"] == f"{URL}?view=company&q=pump&sort=number"
    # A history restore (back button after the cache is gone) gets the whole page.
    restore = cust_a.get(
        URL + "?view=company", headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_the_last_list_is_remembered(world: World, cust_a: Client) -> None:
    make(world, "00000001", status=Status.RESOLVED)
    cust_a.get(URL + "?view=mine&status=resolved&sort=number&size=50&page=3&junk=1")
    saved = TicketListPreference.objects.get(user=world.users["cust_a"]).querystring
    assert saved == "view=mine&status=resolved&sort=number&size=50"
    response = cust_a.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?{saved}"
    # Another list replaces it (one row per person).
    cust_a.get(URL + "?view=company", headers=HTMX)
    assert (
        TicketListPreference.objects.get(user=world.users["cust_a"]).querystring == "view=company"
    )
    assert TicketListPreference.objects.count() == 1


def test_first_visit_shows_the_default_list(world: World, cust_a: Client, english: None) -> None:
    response = cust_a.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="empty"' in html
    assert "No tickets yet." in html
    assert reverse("portal:ticket_new") in html


def test_empty_filter_result_offers_a_reset(world: World, cust_a: Client, english: None) -> None:
    make(world, "00000001")
    html = cust_a.get(URL + "?view=company&q=nothing-like-this").content.decode()
    assert "No tickets match these filters." in html
    assert 'href="/portal/?view=company"' in html


def test_subject_is_escaped(world: World, cust_a: Client) -> None:
    make(world, "00000001", subject='<script>alert("x")</script>')
    html = cust_a.get(URL + "?view=company").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_overdue_deadline_is_highlighted(world: World, cust_a: Client) -> None:
    from django.utils import timezone

    now = timezone.now()
    make(world, "00000001", due_at=now - timezone.timedelta(hours=1))
    make(world, "00000002", due_at=now + timezone.timedelta(hours=1))
    html = cust_a.get(URL + "?view=company&sort=number").content.decode()
    assert html.count('data-testid="overdue"') == 1


@pytest.mark.parametrize("size", [25, 100])
def test_query_count_does_not_grow_with_data_or_page_size(
    world: World, cust_a: Client, django_assert_max_num_queries: Any, size: int
) -> None:
    user = world.users["cust_a"]

    def queries_for(tickets: int) -> int:
        Ticket.objects.all().delete()
        for n in range(tickets):
            ticket = make(
                world,
                f"{n:08d}",
                contact=user if n % 2 else world.users["cust_ab"],
                assignee=world.users["engineer"] if n % 3 else None,
                equipment=world.equipment["eq_a_room"] if n % 4 else None,
            )
            TicketView.objects.create(user=user, ticket=ticket, viewed_at=ticket.created_at)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # the cold path: counts and filter choices are read from the database
        with CaptureQueriesContext(connection) as captured:
            response = cust_a.get(f"{URL}?view=company&size={size}&status=open&q=Ticket")
        assert response.status_code == 200
        return len(captured)

    small, big = queries_for(10), queries_for(60)
    assert small == big
    for view in ("company", "mine", "recent"):
        cache.clear()
        with django_assert_max_num_queries(small):
            assert cust_a.get(f"{URL}?view={view}&size={size}").status_code == 200
    # Warm (the same list again): the session, the user, the memberships, the page's ids and
    # its tickets; counts, filter choices and the remembered list come from the cache.
    warm = f"{URL}?view=company&size={size}&status=open&q=Ticket"
    assert cust_a.get(warm).status_code == 200
    with django_assert_max_num_queries(5):
        assert cust_a.get(warm).status_code == 200


def test_the_filter_panel_is_fetched_when_opened_and_the_filters_show_as_chips(
    world: World, cust_a: Client, english: None
) -> None:
    a, b = world.companies["A"], world.companies["B"]
    html = cust_a.get(f"{URL}?view=company&status=open&company={a.pk}&size=50").content.decode()
    # The closed panel: no widgets, the filters kept as hidden inputs, named as chips.
    assert 'data-testid="filter-fields"' not in html
    assert '<select name="type"' not in html
    for name, value in (("status", "open"), ("company", a.pk), ("size", 50)):
        assert f'<input type="hidden" name="{name}" value="{value}">' in html
    chips = re.findall(r'data-testid="filter-chip"[^>]*>(.*?)</a>', html, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", chip).split()) for chip in chips]
    assert texts == [
        "Status: Open (any) Remove this filter",
        "Company: Alphacorp Remove this filter",
    ]
    assert 'data-testid="filter-count">2<' in html
    # Opening the panel fetches its fields with the current values chosen.
    panel = cust_a.get(
        f"{URL}?view=company&status=open&company={a.pk}&panel=filters", headers=HTMX
    ).content.decode()
    assert 'data-testid="filter-fields"' in panel
    assert '<option value="open" selected>' in panel
    assert f'<option value="{a.pk}" selected>' in panel
    assert b.name not in panel  # only the person's own companies are offered
    assert 'data-testid="ticket-row"' not in panel
    # Another company's id is no filter at all: no chip, no leak of its name.
    html = cust_a.get(f"{URL}?view=company&company={b.pk}").content.decode()
    assert 'data-testid="filter-chip"' not in html
    assert b.name not in html


def test_a_chip_removes_its_filter_only(world: World, cust_a: Client, english: None) -> None:
    make(world, "00000001", status=Status.NEW, subject="Pump leaks")
    make(world, "00000002", status=Status.CLOSED, subject="Pump replaced")
    html = cust_a.get(f"{URL}?view=company&status=closed&q=pump").content.decode()
    assert listed(cust_a.get(f"{URL}?view=company&status=closed&q=pump")) == ["00000002"]
    found = re.search(r'href="([^"]+)" data-testid="filter-chip"', html)
    assert found is not None
    target = found.group(1).replace("&amp;", "&")
    assert "status=" not in target and "q=pump" in target
    assert sorted(listed(cust_a.get(target))) == ["00000001", "00000002"]
