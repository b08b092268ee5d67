"""The batch acts' pages and downloads: who reaches them, what they include (works finished in
the period, the filters, a customer's own tickets with issued acts only), tenant isolation with
crafted ids, bad input, and query counts that do not grow with the number of tickets."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.acts.batch import BatchSelection, batch_build
from servicedesk.acts.models import Act
from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from servicedesk.tickets.models import Status
from servicedesk.works.services import EngineerLine, work_add
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.conftest import login
from tests.factories import TicketFactory
from tests.works.conftest import Works, at, works  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PAGE = "backoffice:acts_batch"
PORTAL = "portal:acts_batch"
MARCH = {"period_from": "2026-03-01", "period_to": "2026-03-31"}
ONE_WORK = Decimal("2861.50")  # 1 500 + 2 h × 500 + 3 seals × 120.50 (tests/works/conftest.py)


def ticket_with_work(w: Works, *, day: int = 2, issue: bool = True, **fields):
    """A ticket of company A (at the HQ boiler unless told) with one repair on March `day`,
    its act issued unless told otherwise."""
    boiler = w.world.equipment["eq_a_hq"]
    values = {"site": boiler.site, "equipment": boiler, "company": w.world.companies["A"]}
    ticket = TicketFactory(
        contact=w.world.users["cust_a"],
        assignee=w.engineer,
        status=Status.IN_PROGRESS,
        **(values | fields),
    )
    work_add(
        by=w.dispatcher,
        ticket=ticket,
        data=w.data(engineers=[EngineerLine(w.engineer, at(10, day=day), at(11, 35, day=day))]),
    )
    if issue:
        Act.objects.create(
            ticket=ticket,
            number=f"A-{ticket.number}",
            issued_on=at(12).date(),
            issued_by=w.dispatcher,
        )
    return ticket


def query(w: Works, company: str = "A", **extra) -> dict:
    return {"company": w.world.companies[company].pk, **MARCH, **extra}


def page(client: Client, name: str, params: dict, suffix: str = ""):
    return client.get(reverse(name + suffix), params)


# --- Who reaches the pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("dispatcher", 200), ("engineer", 404), ("cust_a", 404), ("anonymous", 302)],
)
def test_the_back_office_page_is_for_admins_and_dispatchers(
    works: Works,  # noqa: F811
    client: Client,
    who: str,
    status: int,
) -> None:
    ticket_with_work(works)
    if who != "anonymous":
        login(client, works.world.users[who])
    for suffix in ("", "_pdf", "_xlsx"):
        response = page(client, PAGE, query(works), suffix)
        assert response.status_code == status, suffix
        if status != 200:
            assert response.get("Content-Type", "").startswith("text/html") or status == 302
    if who in ("admin", "dispatcher"):
        nav = client.get(reverse("backoffice:dashboard")).content.decode()
        assert reverse(PAGE) in nav


def test_staff_are_sent_from_the_portals_page_to_the_back_office(
    works: Works,  # noqa: F811
    client: Client,
) -> None:
    login(client, works.dispatcher)
    assert page(client, PORTAL, query(works)).status_code == 302


# --- What the documents include ------------------------------------------------------------------


def test_the_preview_counts_the_tickets_and_their_total(works: Works, client: Client) -> None:  # noqa: F811
    first = ticket_with_work(works, day=2)
    second = ticket_with_work(works, day=20, issue=False)  # staff see it without an issued act
    ticket_with_work(works, day=2, company=works.world.companies["B"], site=None, equipment=None)
    april = ticket_with_work(works, day=2)  # its only work is moved out of the period below
    april.works.update(
        started_at=at(10, day=2) + timedelta(days=40),
        finished_at=at(11, day=2) + timedelta(days=40),
    )
    TicketFactory(company=works.world.companies["A"])  # no works at all
    works.dispatcher.language = "en"
    works.dispatcher.save()
    login(client, works.dispatcher)
    html = page(client, PAGE, query(works)).content.decode()
    assert 'data-testid="batch-preview"' in html
    assert 'data-testid="batch-count">2 tickets<' in html and "2 works" in html
    assert "5,723.00" in html  # 2 × 2 861.50
    for ticket in (first, second):
        assert ticket.number in html
    assert april.number not in html
    # Only the first one's stage: one ticket
    first.status = Status.RESOLVED
    first.save()
    html = page(client, PAGE, query(works, status=["resolved"])).content.decode()
    assert 'data-testid="batch-count">1 ticket<' in html
    assert "2,861.50" in html and second.number not in html


def test_a_work_finished_on_the_last_day_counts_and_one_finished_after_it_does_not(
    works: Works,  # noqa: F811
) -> None:
    # The period's days are the reader's (Moscow here): 31 March 23:30 is in, 1 April 00:30 not
    inside = ticket_with_work(works, day=31)
    inside.works.update(finished_at=at(23, 30, day=31))
    outside = ticket_with_work(works, day=31)
    outside.works.update(finished_at=at(23, 30, day=31) + timedelta(hours=1))
    result = batch_build(
        works.dispatcher,
        BatchSelection(
            company=works.world.companies["A"],
            period_from=at(0).date().replace(day=1),
            period_to=at(0).date().replace(day=31),
        ),
        kind="service",
        language="ru",
        time_zone="Europe/Moscow",
        day=at(0).date(),
    )
    assert [t.number for d in result.documents for t in d.tickets] == [inside.number]


def test_sites_include_everything_beneath_them_and_equipment_its_tickets(
    works: Works,  # noqa: F811
    client: Client,
) -> None:
    world = works.world
    on_room = ticket_with_work(works, site=world.sites["a_room"], equipment=None)
    on_till = ticket_with_work(works, site=None, equipment=world.equipment["eq_a_shop"])
    on_hq = ticket_with_work(works)  # the HQ boiler
    login(client, works.dispatcher)

    def numbers(**extra) -> set[str]:
        html = page(client, PAGE, query(works, **extra)).content.decode()
        return {t.number for t in (on_room, on_till, on_hq) if t.number in html}

    assert numbers(site=[world.sites["a_floor"].pk]) == {on_room.number}
    assert numbers(site=[world.sites["a_hq"].pk]) == {on_room.number, on_hq.number}
    assert numbers(equipment=[world.equipment["eq_a_shop"].pk]) == {on_till.number}
    assert numbers() == {on_room.number, on_till.number, on_hq.number}


@needs_poppler
def test_the_customers_pdf_has_their_issued_tickets_in_their_language_and_no_internal_note(
    works: Works,  # noqa: F811
    client: Client,
    tmp_path: Path,
) -> None:
    issued = ticket_with_work(works)
    not_issued = ticket_with_work(works, issue=False)
    customer = works.world.users["cust_a"]
    customer.language = "en"
    customer.save()
    login(client, customer)
    html = page(client, PORTAL, query(works)).content.decode()
    assert 'data-testid="batch-count">1 ticket<' in html
    assert issued.number in html and not_issued.number not in html
    assert "Only tickets whose act has been issued are included." in html
    response = page(client, PORTAL, query(works), "_pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="service-act-2026-03-01-2026-03-31.pdf"'
    )
    text = flat(pdf_text(response.content, tmp_path))
    assert f"Ticket No. {issued.number}" in text
    assert "Total to pay 2,861.50 RUB" in text
    assert "Two thousand, eight hundred and sixty-one roubles, 50 kopeks" in text
    assert not_issued.number not in text
    assert "cat bites" not in text  # the works' internal note
    xlsx = page(client, PORTAL, query(works, kind="accounting", layout="per_ticket"), "_xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [f"A-{issued.number}"]
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert not any("cat bites" in str(c) for c in cells)
    assert 2861.5 in cells


# --- Tenant isolation ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "_pdf", "_xlsx"])
def test_another_companys_ids_are_refused_like_missing_ones(
    works: Works,  # noqa: F811
    client: Client,
    suffix: str,
) -> None:
    world = works.world
    ticket_with_work(works, company=world.companies["B"], site=None, equipment=None)
    ticket_with_work(works)
    login(client, world.users["cust_a"])
    missing = 10**9

    def errors(params: dict) -> tuple[int, str]:
        response = page(client, PORTAL, params, suffix)
        assert response["Content-Type"].startswith("text/html")  # never a document
        html = response.content.decode()
        return response.status_code, html.count("invalid-feedback")

    foreign = errors(query(works, company="B"))
    assert foreign == errors({"company": missing, **MARCH})
    assert foreign[1] == 1
    foreign_site = errors(query(works, site=[world.sites["b_wh"].pk]))
    assert foreign_site == errors(query(works, site=[missing]))
    assert foreign_site[1] == 1
    foreign_eq = errors(query(works, equipment=[world.equipment["eq_b"].pk]))
    assert foreign_eq == errors(query(works, equipment=[missing]))
    assert foreign_eq[1] == 1
    assert errors(query(works, site=["x"]))[1] == 1
    if suffix:
        assert foreign[0] == 400


def test_a_customer_sees_their_companies_only_and_a_listed_scope_its_tickets_only(
    works: Works,  # noqa: F811
    client: Client,
) -> None:
    world = works.world
    at_hq = ticket_with_work(works)  # HQ boiler
    at_shop = ticket_with_work(works, site=world.sites["a_shop"], equipment=None)
    ticket_with_work(works, company=world.companies["B"], site=None, equipment=None)
    login(client, world.users["cust_a"])
    html = page(client, PORTAL, {}).content.decode()
    assert world.companies["A"].name in html and world.companies["B"].name not in html
    login(client, world.users["cust_site"])  # sees HQ and beneath it only
    html = page(client, PORTAL, query(works)).content.decode()
    assert at_hq.number in html and at_shop.number not in html
    assert html.count('data-testid="batch-row"') == 1
    assert world.sites["a_shop"].name not in html  # not offered either
    # picking the shop's site by id is the same error as a missing one
    html = page(client, PORTAL, query(works, site=[world.sites["a_shop"].pk])).content.decode()
    assert "invalid-feedback" in html and 'data-testid="batch-preview"' not in html


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_from": "2026-03-31", "period_to": "2026-03-01"}, "The period ends before"),
        ({"period_from": "2024-01-01", "period_to": "2026-03-01"}, "at most 366 days"),
        ({"period_from": "0001-01-01", "period_to": "0001-01-02"}, "between 2000 and 2099"),
        ({"period_from": "2026-03-01", "period_to": "9999-12-31"}, "between 2000 and 2099"),
        ({"period_from": "yesterday", "period_to": "2026-03-01"}, "Enter a valid date"),
        ({"period_to": "2026-03-01"}, "This field is required"),
        ({"kind": "invoice"}, "Select a valid choice"),
        ({"status": ["nonsense"]}, "Select a valid choice"),
        ({"number": "x" * 51}, "at most 50 characters"),
    ],
)
def test_bad_input_is_a_message_and_no_document(
    works: Works,  # noqa: F811
    client: Client,
    params: dict,
    message: str,
    english: None,
) -> None:
    ticket_with_work(works)
    works.dispatcher.language = "en"
    works.dispatcher.save()
    login(client, works.dispatcher)
    values = {"company": works.world.companies["A"].pk, **MARCH, **params}
    if "period_from" not in params and "period_to" in params:
        values.pop("period_from")
    html = page(client, PAGE, values).content.decode()
    assert message in html.replace("&#x27;", "'")
    assert 'data-testid="batch-preview"' not in html
    response = page(client, PAGE, values, "_pdf")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_an_empty_selection_says_so_and_gives_no_pdf(works: Works, client: Client) -> None:  # noqa: F811
    ticket_with_work(works, day=2)
    works.dispatcher.language = "en"
    works.dispatcher.save()
    login(client, works.dispatcher)
    params = {**query(works), "period_from": "2026-05-01", "period_to": "2026-05-31"}
    html = page(client, PAGE, params).content.decode()
    assert 'data-testid="batch-empty"' in html and "nothing to put into an act" in html
    for suffix in ("_pdf", "_xlsx"):
        response = page(client, PAGE, params, suffix)
        assert response.status_code == 404
        assert 'data-testid="batch-empty"' in response.content.decode()


def test_too_many_tickets_are_refused_with_a_message(
    works: Works,  # noqa: F811
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servicedesk.acts import batch

    monkeypatch.setattr(batch, "MAX_TICKETS", 2)
    for _ in range(3):
        ticket_with_work(works)
    works.dispatcher.language = "en"
    works.dispatcher.save()
    login(client, works.dispatcher)
    html = page(client, PAGE, query(works)).content.decode()
    assert 'data-testid="batch-too-many"' in html
    assert page(client, PAGE, query(works), "_pdf").status_code == 404
    # One act per ticket has a lower limit of its own (each act costs as much as a single one)
    monkeypatch.setattr(batch, "MAX_TICKETS", 10)
    monkeypatch.setattr(batch, "MAX_SEPARATE_ACTS", 2)
    assert 'data-testid="batch-preview"' in page(client, PAGE, query(works)).content.decode()
    separate = query(works, kind="accounting", layout="per_ticket")
    html = page(client, PAGE, separate).content.decode()
    assert 'data-testid="batch-too-many"' in html and "More than 2 tickets" in html


# --- Queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher", "cust_a"])
def test_the_queries_do_not_grow_with_the_number_of_tickets(
    works: Works,  # noqa: F811
    client: Client,
    who: str,
    django_assert_max_num_queries,
) -> None:
    reference_rows(WorkType)  # the work types come from the reference cache
    name = PAGE if who == "dispatcher" else PORTAL
    login(client, works.world.users[who])
    ticket_with_work(works)
    params = query(works, kind="service")
    counts = {}
    for suffix in ("", "_xlsx"):
        with CaptureQueriesContext(connection) as captured:
            assert page(client, name, params, suffix).status_code == 200
        counts[suffix] = len(captured)
    for _ in range(5):
        ticket_with_work(works)
        ticket_with_work(works, site=works.world.sites["a_shop"], equipment=None)
    for suffix in ("", "_xlsx"):
        with django_assert_max_num_queries(counts[suffix]):
            response = page(client, name, params, suffix)
        assert response.status_code == 200
    assert page(client, name, params).content.decode().count('data-testid="batch-row"') == 11
    # and a bound: session, user, memberships, the form's company, sites and equipment, the
    # tickets, works, engineers, materials, photos, issued acts, «Наша компания», the menu's
    # badges
    assert max(counts.values()) <= 18
