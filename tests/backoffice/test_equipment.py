"""«Оборудование» in the back office, through the test client: the list (search, company filter,
open tickets), a piece's page (passport, figures, the history with works, engineers' hours,
materials, amounts and internal notes), who gets in (staff: yes; customers: 404; anonymous:
the login page), pagination, links from the ticket page and its Works tab, and a fixed number
of queries whatever the history."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from tests.conftest import World, login
from tests.core.test_english_pages import cyrillic_in
from tests.works.history_data import (
    NEW_NOTE,
    OLD_NOTE,
    SHOP_NOTE,
    History,
    build_history,
    make_ticket,
    make_work,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
EN = {"accept-language": "en"}
LIST = reverse("backoffice:equipment_list")


@pytest.fixture
def hist(world: World) -> History:
    return build_history(world)


def detail(equipment: Any) -> str:
    return reverse("backoffice:equipment_detail", args=[equipment.pk])


def page(client: Client, address: str, **params: Any) -> str:
    response = client.get(address, params, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : start + 6000]


# --- The page --------------------------------------------------------------------------------


def test_the_page_shows_the_passport_figures_and_the_history(hist: History, client: Client) -> None:
    boiler = hist.boiler
    boiler.equipment_type, boiler.model = "Gas boiler", "Vaillant ecoTEC"
    boiler.save()
    login(client, hist.world.users["dispatcher"])

    html = page(client, detail(boiler))

    assert 'data-testid="equipment-name">alpha-hq-boiler<' in html
    facts = section(html, "equipment-facts")
    assert "Alphacorp" in facts and "alpha-hq-site" in facts
    assert "Gas boiler" in facts and "Vaillant ecoTEC" in facts
    assert f'data-testid="equipment-serial">{boiler.serial_number}<' in facts
    # The whole-company contract and the one for HQ cover it; the till's does not.
    assert "alpha-whole-contract" in facts and "alpha-hq-contract" in facts
    assert "alpha-till-contract" not in facts
    # Figures: 2 tickets, 1 open, 2 works, 2 h + 1 h, 3 099.00 + 1 320.50
    assert 'data-testid="summary-tickets">2<' in html
    assert 'data-testid="summary-open">1<' in html
    assert 'data-testid="summary-works">2<' in html
    assert 'data-testid="summary-hours">3 h<' in html
    assert 'data-testid="summary-amount">4,419.50\xa0₽<' in html
    materials = section(html, "history-materials")
    assert "Cable" in materials and "2.5 m" in materials
    assert "Pump seal" in materials and "4 pcs" in materials
    # The history, newest first, each ticket with a link, its type, status, assignee and works
    history = section(html, "history")
    assert history.index(hist.new.number) < history.index(hist.old.number)
    assert html.count('data-testid="history-ticket"') == 2
    assert f'href="/backoffice/tickets/{hist.old.number}/"' in html
    assert "Boiler pump leaks" in html and "Boiler makes noise" in html
    assert "In progress" in history and "Closed" in history
    assert html.count('data-testid="history-work"') == 2
    assert f"{hist.world.users['engineer'].full_name} — 2 h" in html
    assert f"{hist.world.users['dispatcher'].full_name} — 1 h" in html
    assert "Pump seal — 3 pcs" in html and "Cable — 2.5 m" in html
    assert 'data-testid="history-work-amount">3,099.00\xa0₽<' in html
    assert 'data-testid="history-work-amount">1,320.50\xa0₽<' in html
    # Staff read the internal notes; the till's work is not this machine's
    assert OLD_NOTE in html and NEW_NOTE in html
    assert SHOP_NOTE not in html and "Till does not print" not in html
    # Everything in English for an English reader
    assert cyrillic_in(html) == []


def test_the_page_in_russian(hist: History, client: Client) -> None:
    login(client, hist.world.users["engineer"])
    html = client.get(detail(hist.boiler), headers={"accept-language": "ru"}).content.decode()
    assert "История обслуживания" in html and "Оборудование" in html
    assert "Ремонт" in html and "Уплотнение — 3 шт" in html
    assert "4\xa0419,50\xa0₽" in html


@pytest.mark.parametrize("key", ["admin", "dispatcher", "engineer"])
def test_every_member_of_staff_sees_any_piece_and_its_notes(
    hist: History, client: Client, key: str
) -> None:
    # An engineer sees the works of tickets that are not theirs too, as on the Works tab
    login(client, hist.world.users[key])
    html = page(client, detail(hist.world.equipment["eq_b"]))
    assert 'data-testid="history-empty"' in html
    html = page(client, detail(hist.till))
    assert SHOP_NOTE in html


@pytest.mark.parametrize(
    "key", ["cust_a", "cust_ab", "cust_b", "cust_eq", "cust_site", "cust_none"]
)
def test_customers_get_404_for_every_back_office_address(
    hist: History, client: Client, key: str
) -> None:
    login(client, hist.world.users[key])
    assert client.get(detail(hist.boiler)).status_code == 404
    assert client.get(LIST).status_code == 404


def test_anonymous_goes_to_the_login_page(hist: History, client: Client) -> None:
    for address in (detail(hist.boiler), LIST):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_missing_or_impossible_id_is_404(hist: History, client: Client) -> None:
    login(client, hist.world.users["admin"])
    assert client.get("/backoffice/equipment/999999/").status_code == 404
    assert client.get("/backoffice/equipment/99999999999999999999999/").status_code == 404


def test_the_history_is_paginated_newest_first(hist: History, client: Client) -> None:
    import datetime as dt

    world = hist.world
    piece = world.equipment["eq_a_floor"]
    tickets = [
        make_ticket(
            world, piece, dt.date(2025, 1, 1) + dt.timedelta(days=n), subject=f"Call {n:02d}"
        )
        for n in range(23)
    ]
    login(client, world.users["dispatcher"])

    first = page(client, detail(piece))
    second = page(client, detail(piece), page=2)

    assert first.count('data-testid="history-ticket"') == 20
    assert second.count('data-testid="history-ticket"') == 3
    assert first.index("Call 22") < first.index("Call 21")
    assert "Call 02" not in first and "Call 02" in second and "Call 00" in second
    assert 'data-testid="pagination"' in first
    assert 'data-testid="summary-tickets">23<' in second  # the figures cover every page
    assert 'data-testid="summary-open">23<' in second
    assert len(tickets) == 23
    # A page past the end is the last one, a bad one the first
    assert page(client, detail(piece), page=99).count('data-testid="history-ticket"') == 3
    assert page(client, detail(piece), page="x").count('data-testid="history-ticket"') == 20


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_runs_the_same_queries_whatever_the_history(
    world: World, client: Client, django_assert_num_queries: Any, size: int
) -> None:
    import datetime as dt

    from servicedesk.works.models import Material
    from servicedesk.works.services import MaterialLine
    from tests.works.history_data import setup_reference_data

    repair, _diagnostics, seal, cable = setup_reference_data(world)
    piece = world.equipment["eq_a_room"]
    day = dt.date(2026, 2, 2)
    for _ in range(size):
        ticket = make_ticket(world, piece, day)
        for _work in range(2):
            make_work(
                world,
                ticket,
                day,
                repair,
                materials=[
                    MaterialLine(material=seal, quantity=1),
                    MaterialLine(material=cable, quantity=2),
                ],
                internal_note="n",
            )
    assert Material.objects.count() == 2
    login(client, world.users["dispatcher"])
    reference_rows(WorkType)  # warm, as every other page leaves it
    client.get(detail(piece), headers=EN)  # the session's first request
    with django_assert_num_queries(QUERIES):
        html = page(client, detail(piece))
    assert html.count('data-testid="history-work"') == 2 * size


# The session, the user, the equipment with its company and site; the page's count and tickets,
# their works, engineers and materials; the site chain, the contracts; the figures (tickets,
# works, engineers' hours, materials). The bell's count and the menu's badge are cached.
QUERIES = 14


# --- The list --------------------------------------------------------------------------------


def test_the_list_searches_and_filters(hist: History, client: Client) -> None:
    boiler = hist.boiler
    boiler.model = "Vaillant ecoTEC"
    boiler.save()
    login(client, hist.world.users["engineer"])

    everything = page(client, LIST)
    assert everything.count('data-testid="equipment-row"') == 6
    assert f'href="{detail(boiler)}"' in everything

    by_model = page(client, LIST, q="ecotec")
    assert by_model.count('data-testid="equipment-row"') == 1 and "alpha-hq-boiler" in by_model
    by_serial = page(client, LIST, q=hist.till.serial_number)
    assert by_serial.count('data-testid="equipment-row"') == 1 and "alpha-shop-till" in by_serial
    by_name = page(client, LIST, q="FORKLIFT")
    assert by_name.count('data-testid="equipment-row"') == 1
    of_b = page(client, LIST, company=hist.world.companies["B"].pk)
    assert of_b.count('data-testid="equipment-row"') == 1 and "beta-forklift" in of_b
    assert 'data-testid="equipment-empty"' in page(client, LIST, q="nothing-like-it")
    # Bad numbers open the page unfiltered
    assert (
        page(client, LIST, company="99999999999999999999999", page="-1").count(
            'data-testid="equipment-row"'
        )
        == 6
    )


def test_the_list_counts_open_tickets_in_fixed_queries(
    hist: History, client: Client, django_assert_max_num_queries: Any
) -> None:
    login(client, hist.world.users["engineer"])
    client.get(LIST)
    with django_assert_max_num_queries(8):
        html = page(client, LIST)
    row = html[html.index("alpha-hq-boiler") :]
    assert 'data-testid="equipment-open"><span class="badge text-bg-primary">1<' in row[:2500]


def test_the_menu_leads_to_the_list(hist: History, client: Client) -> None:
    login(client, hist.world.users["engineer"])
    assert f'href="{LIST}"' in page(client, reverse("backoffice:dashboard"))


# --- Links from the ticket -------------------------------------------------------------------


def test_the_ticket_page_and_its_works_tab_link_to_the_equipment(
    hist: History, client: Client
) -> None:
    login(client, hist.world.users["dispatcher"])
    ticket_page = page(client, reverse("backoffice:ticket_detail", args=[hist.old.number]))
    assert f'<a href="{detail(hist.boiler)}" data-testid="ticket-equipment">' in ticket_page
    works_tab = page(client, reverse("backoffice:ticket_works", args=[hist.old.number]))
    assert f'href="{detail(hist.boiler)}" data-testid="works-equipment"' in works_tab
