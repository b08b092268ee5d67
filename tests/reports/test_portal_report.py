"""The portal's report page: who reaches it, what it counts for whom (foreign ids dropped, a
bad period explained), the drill filter on the table, the exports (same numbers, formulas
neutralised), and a fixed number of queries whatever the number of tickets."""

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from servicedesk.accounts.models import Membership
from servicedesk.customers.models import TicketType
from servicedesk.tickets.models import Ticket
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.conftest import World, login
from tests.reports.test_client import at, data, make  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

URL = reverse("portal:analytics")
PERIOD = {"start": "2026-05-01", "end": "2026-06-30"}


def get(client: Client, **params: Any) -> Any:
    return client.get(URL, {**PERIOD, **params})


def kpi(page: str, name: str) -> int:
    marker = f'data-testid="kpi-{name}">'
    return int(page.split(marker, 1)[1].split("<", 1)[0])


def test_the_customer_reads_their_report(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["cust_a"])
    page = get(client).content.decode()
    # Overdue now (in December 2026): both open tickets with a deadline, and one done late.
    assert kpi(page, "tickets") == 5 and kpi(page, "overdue") == 3
    assert kpi(page, "unassigned") == 1 and kpi(page, "waiting") == 1
    assert page.count('data-testid="report-row"') == 5
    assert 'id="report-data"' in page  # the charts' data, as JSON
    # The menu offers it.
    assert 'href="/portal/analytics/"' in client.get(reverse("portal:tickets")).content.decode()


@pytest.mark.parametrize("key", ["dispatcher", "cust_none", "cust_eq"])
def test_who_does_not_reach_it(data: World, client: Client, key: str) -> None:  # noqa: F811
    login(client, data.users[key])
    assert get(client).status_code in (302, 403, 404)
    if key == "cust_eq":  # a listed-scope member: off unless staff switch it on
        assert (
            'href="/portal/analytics/"'
            not in client.get(reverse("portal:tickets")).content.decode()
        )


def test_foreign_ids_count_nothing_of_theirs(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["cust_a"])
    b = data.companies["B"]
    foreign = get(client, company=[b.pk], place=[f"e{data.equipment['eq_b'].pk}"])
    page = foreign.content.decode()
    assert foreign.status_code == 200
    assert kpi(page, "tickets") == 5  # B's ids dropped: A's report as if none were asked
    assert "beta-forklift" not in page and "Betaworks" not in page


def test_a_reversed_period_is_explained(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["cust_a"])
    page = client.get(URL, {"start": "2026-06-30", "end": "2026-05-01"}).content.decode()
    assert 'data-testid="report-error"' in page
    page = client.get(URL, {"mode": "nonsense", "start": "x"}).content.decode()
    assert 'data-testid="report-error"' not in page or "kpi-tickets" in page


def test_a_chart_segment_narrows_the_table(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["cust_a"])
    repair = TicketType.objects.get(code="repair")
    page = get(client, type=repair.pk).content.decode()
    assert page.count('data-testid="report-row"') == 3
    assert 'data-testid="report-drill"' in page
    assert kpi(page, "tickets") == 5  # the cards keep the whole report
    page = get(client, equipment_type="Касса").content.decode()
    assert page.count('data-testid="report-row"') == 2


def test_exports_have_the_page_numbers_and_no_formulas(data: World, client: Client) -> None:  # noqa: F811
    Ticket.objects.filter(company=data.companies["A"]).update(subject='=HYPERLINK("x")')
    login(client, data.users["cust_a"])
    response = get(client, export="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "5"  # «Tickets», as on the page
    tickets = rows[rows.index([]) + 2 :]
    assert len(tickets) == 5
    assert all(row[3].startswith("'=") for row in tickets)
    book = load_workbook(io.BytesIO(get(client, export="xlsx").content))
    sheet = book.worksheets[0]
    assert sheet.max_row == 6  # the header and five tickets
    assert all(str(c.value).startswith("'=") for c in sheet["D"][1:])
    assert book.worksheets[1]["B1"].value == 5


def test_the_page_costs_the_same_queries_whatever_the_tickets(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["cust_a"])
    get(client)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(client).status_code == 200
        return len(captured)

    one = queries()
    for day in range(1, 15):
        make(data, "eq_a_floor", created=at(5, day), kind=("repair", "maintenance")[day % 2])
    assert queries() == one


def test_staff_switch_the_analytics_per_membership(data: World, client: Client) -> None:  # noqa: F811
    Membership.objects.filter(user=data.users["cust_a"]).update(analytics=False)
    login(client, data.users["cust_a"])
    assert get(client).status_code == 404
    Membership.objects.filter(user=data.users["cust_a"]).update(analytics=True)
    assert get(client).status_code == 200


@needs_poppler
@pytest.mark.parametrize(
    ("language", "words"), [("ru", "Отчёт для клиента"), ("en", "Report for the customer")]
)
def test_the_pdf_has_the_figures_charts_and_tickets(
    data: World,  # noqa: F811
    client: Client,
    tmp_path: Any,
    language: str,
    words: str,
) -> None:
    Ticket.objects.filter(company=data.companies["A"]).update(
        subject='<img src="http://127.0.0.1:9/x.png"> Котёл'
    )
    user = data.users["cust_a"]
    user.language = language
    user.save()
    login(client, user)
    response = get(client, export="pdf")
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert words in text
    assert "Котёл" in text and "Касса" in text  # the chart's labels and the rows
    assert '<img src="http://127.0.0.1:9/x.png">' in text  # printed as text, never fetched
