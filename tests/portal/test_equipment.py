"""A piece of equipment's page in the portal, through the test client: exactly what each
customer's scope allows (the piece: 404 outside it, the same as a missing one; the tickets: only
those they may see), works only of tickets whose act is issued and never an internal note, an
author or an amount; links from the companies page and the ticket page; pagination; a fixed
number of queries whatever the history."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from tests.conftest import World, login
from tests.core.test_english_pages import cyrillic_in
from tests.customers.test_querysets import EXPECTED
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
CUSTOMERS = ["cust_a", "cust_ab", "cust_b", "cust_eq", "cust_site", "cust_none"]


@pytest.fixture
def hist(world: World) -> History:
    return build_history(world)


def detail(equipment: Any) -> str:
    return reverse("portal:equipment_detail", args=[equipment.pk])


def page(client: Client, address: str, **params: Any) -> str:
    response = client.get(address, params, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_customer_sees_the_passport_the_tickets_and_the_works_of_issued_acts(
    hist: History, client: Client
) -> None:
    login(client, hist.world.users["cust_a"])

    html = page(client, detail(hist.boiler))

    assert 'data-testid="equipment-name">alpha-hq-boiler<' in html
    assert "alpha-hq-site" in html and "alpha-whole-contract" in html
    # Both tickets on the boiler, newest first, linked to their portal pages
    assert html.count('data-testid="history-ticket"') == 2
    assert html.index(hist.new.number) < html.index(hist.old.number)
    assert f'href="/portal/tickets/{hist.old.number}/"' in html
    assert "Boiler pump leaks" in html and "Boiler makes noise" in html
    # The closed ticket's works, as its act lists them, with the act's link
    assert html.count('data-testid="history-work"') == 1
    assert f"{hist.world.users['engineer'].full_name} — 2 h" in html
    assert "Pump seal — 3 pcs" in html and "Cable — 2.5 m" in html
    assert "Replaced the pump seal." in html
    assert f'href="/portal/tickets/{hist.old.number}/act/"' in html
    # The open ticket's diagnostics have no act yet: not shown, nor counted
    assert hist.world.users["dispatcher"].full_name not in html
    assert 'data-testid="summary-tickets">2<' in html
    assert 'data-testid="summary-open">1<' in html
    assert 'data-testid="summary-works">1<' in html
    assert 'data-testid="summary-hours">2 h<' in html
    # No internal note, no amount, no staff address, nothing of the till
    for secret in (OLD_NOTE, NEW_NOTE, SHOP_NOTE, "₽", "/backoffice/", "Till does not print"):
        assert secret not in html, secret
    assert 'data-testid="summary-amount"' not in html
    # Everything in English for an English reader
    assert cyrillic_in(html) == []


def test_the_page_in_russian(hist: History, client: Client) -> None:
    login(client, hist.world.users["cust_a"])
    html = client.get(detail(hist.boiler), headers={"accept-language": "ru"}).content.decode()
    assert "История обслуживания" in html and "Паспорт" in html
    assert "Уплотнение — 3 шт" in html


@pytest.mark.parametrize("key", CUSTOMERS)
@pytest.mark.parametrize("piece", ["eq_a_hq", "eq_a_shop", "eq_a_nosite", "eq_b"])
def test_the_page_opens_exactly_for_the_customers_whose_scope_includes_the_piece(
    hist: History, client: Client, key: str, piece: str
) -> None:
    login(client, hist.world.users[key])
    response = client.get(detail(hist.world.equipment[piece]), headers=EN)
    expected = 200 if piece in EXPECTED[key]["equipment"] else 404
    assert response.status_code == expected
    if expected == 404:
        html = response.content.decode()
        assert hist.world.equipment[piece].name not in html
        for secret in (OLD_NOTE, NEW_NOTE, SHOP_NOTE):
            assert secret not in html


def test_a_foreign_id_and_a_missing_one_are_the_same_404(hist: History, client: Client) -> None:
    login(client, hist.world.users["cust_b"])
    foreign = client.get(detail(hist.boiler))
    missing = client.get("/portal/equipment/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.templates[0].name == missing.templates[0].name == "404.html"
    assert hist.boiler.name not in foreign.content.decode()
    assert client.get("/portal/equipment/99999999999999999999999/").status_code == 404


def test_a_site_scoped_customer_sees_the_boiler_and_only_visible_sites(
    hist: History, client: Client
) -> None:
    login(client, hist.world.users["cust_site"])
    html = page(client, detail(hist.boiler))
    assert html.count('data-testid="history-ticket"') == 2
    assert "alpha-shop-site" not in html and "alpha-till-contract" not in html


def test_an_equipment_scoped_customer_sees_the_till_only(hist: History, client: Client) -> None:
    login(client, hist.world.users["cust_eq"])
    html = page(client, detail(hist.till))
    assert "Till does not print" in html
    assert SHOP_NOTE not in html
    assert "Boiler" not in html and "alpha-hq-site" not in html


def test_a_customer_who_sees_only_their_own_tickets_gets_only_those(
    hist: History, client: Client
) -> None:
    login(client, hist.own)
    html = page(client, detail(hist.boiler))
    assert html.count('data-testid="history-ticket"') == 1
    assert "Boiler makes noise" in html
    assert "Boiler pump leaks" not in html and hist.old.number not in html
    assert 'data-testid="summary-tickets">1<' in html
    assert 'data-testid="summary-works">0<' in html


@pytest.mark.parametrize("key", ["admin", "dispatcher", "engineer"])
def test_staff_are_sent_to_the_back_office(hist: History, client: Client, key: str) -> None:
    login(client, hist.world.users[key])
    response = client.get(detail(hist.boiler))
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dashboard")


def test_anonymous_goes_to_the_login_page(hist: History, client: Client) -> None:
    response = client.get(detail(hist.boiler))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_history_is_paginated(hist: History, client: Client) -> None:
    world = hist.world
    piece = world.equipment["eq_a_floor"]
    for n in range(21):
        make_ticket(
            world, piece, dt.date(2025, 1, 1) + dt.timedelta(days=n), subject=f"Call {n:02d}"
        )
    login(client, world.users["cust_a"])
    first = page(client, detail(piece))
    second = page(client, detail(piece), page=2)
    assert first.count('data-testid="history-ticket"') == 20
    assert second.count('data-testid="history-ticket"') == 1 and "Call 00" in second
    assert "Page 1 of 2" in first


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_runs_the_same_queries_whatever_the_history(
    world: World, client: Client, django_assert_num_queries: Any, size: int
) -> None:
    from servicedesk.acts.services import act_issue
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
            )
        act_issue(by=world.users["engineer"], ticket=ticket)
    login(client, world.users["cust_site"])
    reference_rows(WorkType)
    client.get(detail(piece), headers=EN)  # the session's first request
    with django_assert_num_queries(QUERIES):
        html = page(client, detail(piece))
    assert html.count('data-testid="history-work"') == 2 * size


# The session, the user, the memberships (with the listed sites and equipment: three), the
# equipment with its company and site; the page's count and tickets, their acts, the acts' works
# with engineers, materials and photos (works.act's one door loads them); the site chain, the
# contracts; the figures (tickets, works, engineers' hours, materials).
QUERIES = 19


# --- Links ------------------------------------------------------------------------------------


def test_the_companies_page_links_each_visible_piece(hist: History, client: Client) -> None:
    login(client, hist.world.users["cust_site"])
    html = page(client, reverse("portal:companies"))
    for key in ("eq_a_hq", "eq_a_floor", "eq_a_room"):
        assert f'href="{detail(hist.world.equipment[key])}"' in html
    assert f'href="{detail(hist.till)}"' not in html


def test_the_ticket_page_links_the_equipment_when_the_scope_includes_it(
    hist: History, client: Client
) -> None:
    login(client, hist.world.users["cust_a"])
    html = page(client, reverse("portal:ticket_detail", args=[hist.old.number]))
    assert f'<a href="{detail(hist.boiler)}" data-testid="ticket-equipment">' in html


def test_the_ticket_page_names_an_equipment_outside_the_scope_without_a_link(
    hist: History, client: Client
) -> None:
    # The till's customer files a ticket on the boiler (e.g. staff on their behalf): they see
    # the ticket as its contact, but not the boiler's page.
    till_customer = hist.world.users["cust_eq"]
    ticket = make_ticket(hist.world, hist.boiler, dt.date(2026, 3, 3), contact=till_customer)
    login(client, till_customer)
    html = page(client, reverse("portal:ticket_detail", args=[ticket.number]))
    assert "alpha-hq-boiler" in html
    assert detail(hist.boiler) not in html
    assert client.get(detail(hist.boiler)).status_code == 404
