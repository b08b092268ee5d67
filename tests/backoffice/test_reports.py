"""The back office's «Отчеты» page: who reaches it, the figures of tests/reports/test_provider.py
on the page, bad input explained and never an error, the exports (the page's numbers, formulas
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

from servicedesk.customers.models import Company
from servicedesk.tickets.models import Ticket
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.conftest import World, login
from tests.reports.test_provider import at, data, make  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:reports")
PERIOD = {"start": "2026-05-04", "end": "2026-06-14"}


def get(client: Client, **params: Any) -> Any:
    return client.get(URL, {**PERIOD, **params})


def kpi(page: str, name: str) -> str:
    marker = f'data-testid="kpi-{name}">'
    return page.split(marker, 1)[1].split("<", 1)[0]


def table(page: str, key: str) -> list[list[str]]:
    """A section's table as text cells (header first)."""
    from html.parser import HTMLParser

    part = page.split(f'data-testid="table-{key}"', 1)[1].split("</table>", 1)[0]

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.inside = False

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag == "tr":
                self.rows.append([])
            if tag in ("td", "th"):
                self.inside = True
                self.rows[-1].append("")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th"):
                self.inside = False

        def handle_data(self, text: str) -> None:
            if self.inside:
                self.rows[-1][-1] += text.strip()

    parser = Cells()
    parser.feed(part)
    return parser.rows


@pytest.mark.parametrize("key", ["admin", "dispatcher"])
def test_admins_and_dispatchers_read_it(data: World, client: Client, key: str) -> None:  # noqa: F811
    login(client, data.users[key])
    response = get(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert kpi(page, "created") == "6" and kpi(page, "resolved") == "3"
    assert kpi(page, "open") == "4" and kpi(page, "breaches") == "2"
    assert 'href="/backoffice/reports/"' in page  # the menu's item
    assert 'data-chart-spec="chart-volume"' in page and 'id="chart-volume"' in page


@pytest.mark.parametrize("key", ["engineer", "cust_a", "anonymous"])
def test_nobody_else_does(data: World, client: Client, key: str) -> None:  # noqa: F811
    if key != "anonymous":
        login(client, data.users[key])
    response = get(client)
    assert response.status_code in ((302,) if key == "anonymous" else (404,))
    if key == "engineer":
        menu = client.get(reverse("backoffice:dashboard")).content.decode()
        assert 'href="/backoffice/reports/"' not in menu


def test_the_sections_tables(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["dispatcher"])
    page = get(client).content.decode()
    volume = table(page, "volume")
    assert [row[1:] for row in volume[1:]] == [
        ["2", "2", "1"], ["2", "0", "2"], ["1", "1", "2"], ["1", "0", "3"], ["0", "0", "3"],
        ["0", "0", "3"],
    ]  # fmt: skip
    times = table(page, "times")
    # Hours, one decimal in the page's language (Russian by default: a comma).
    assert times[1][1:] == ["4", "2,5", "6,8", "75,0", "3 / 4"]
    assert times[2][1:] == ["3", "48,0", "105,6", "66,7", "2 / 3"]
    companies = {row[0]: row[1:] for row in table(page, "companies")[1:]}
    assert companies[data.companies["A"].name] == ["5", "2", "2", "1", "1", "4,5", "2"]
    assert companies[data.companies["B"].name] == ["1", "1", "0", "0", "0", "2,5", "2"]
    engineers = {row[0]: row[1:] for row in table(page, "engineers")[1:]}
    assert engineers[data.users["engineer"].full_name] == ["2", "2", "72,0", "4,5", "2"]
    # No SLA rules here: every deadline is one "set by hand".
    assert [row[1:] for row in table(page, "rules")[1:]] == [["5", "1", "5", "1"]]
    channels = table(page, "channels")[1:]
    assert channels[0][1:] == ["3", "50,0"]
    assert [row[1:] for row in table(page, "csat")[1:]] == [["4,0", "2"], ["3,0", "2"]]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-06-30", "end": "2026-05-01"},  # reversed
        {"start": "2000-01-01", "end": "2026-05-01"},  # absurdly long
        {"start": "yesterday", "end": "x"},
    ],
)
def test_a_bad_period_is_explained(data: World, client: Client, params: dict[str, str]) -> None:  # noqa: F811
    login(client, data.users["dispatcher"])
    response = client.get(URL, params)
    assert response.status_code == 200
    assert 'data-testid="report-error"' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"company": "999999"},
        {"company": "abc"},
        {"type": "-1"},
        {"assignee": "99999999999999999999"},
        {"origin": "pigeon"},
    ],
)
def test_unknown_filters_are_named_and_ignored(
    data: World,  # noqa: F811
    client: Client,
    params: dict[str, str],
) -> None:
    login(client, data.users["dispatcher"])
    page = get(client, **params).content.decode()
    assert 'data-testid="report-ignored"' in page
    assert kpi(page, "created") == "6"  # the whole report


def test_filters_narrow_it(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["dispatcher"])
    b = data.companies["B"]
    page = get(client, company=b.pk).content.decode()
    assert kpi(page, "created") == "1" and 'data-testid="report-ignored"' not in page
    page = get(client, origin="email").content.decode()
    assert kpi(page, "created") == "2"
    page = get(client, assignee=data.users["engineer"].pk).content.decode()
    assert kpi(page, "created") == "3" and kpi(page, "open") == "2"


def test_exports_have_the_page_numbers_and_no_formulas(data: World, client: Client) -> None:  # noqa: F811
    Company.objects.filter(pk=data.companies["A"].pk).update(name='=HYPERLINK("x")')
    login(client, data.users["dispatcher"])
    page = get(client).content.decode()
    response = get(client, export="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    shown = table(page, "companies")
    start = rows.index(shown[0])  # the companies' header
    exported = rows[start + 1 : start + len(shown)]
    assert exported[0][0] == '\'=HYPERLINK("x")'
    assert [r[1:6] for r in exported] == [r[1:6] for r in shown[1:]]
    book = load_workbook(io.BytesIO(get(client, export="xlsx").content))
    sheets = {sheet.title: sheet for sheet in book.worksheets}
    assert len(sheets) == 7
    volume = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert [r[1:] for r in volume] == [
        [2, 2, 1], [2, 0, 2], [1, 1, 2], [1, 0, 3], [0, 0, 3], [0, 0, 3]
    ]  # fmt: skip
    times = [[c.value for c in row] for row in book.worksheets[1].iter_rows(min_row=2)]
    assert times[0][1:5] == [4, 2.5, 6.8, 75.0]
    companies = book.worksheets[4]
    assert str(companies["A2"].value).startswith("'=")


def test_the_page_costs_the_same_queries_whatever_the_tickets(data: World, client: Client) -> None:  # noqa: F811
    login(client, data.users["dispatcher"])
    get(client)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(client).status_code == 200
        return len(captured)

    one = queries()
    for day in range(4, 20):
        make(data, ("A", "B")[day % 2], created=at(5, day), assignee=("engineer", None)[day % 2])
    assert Ticket.objects.count() > 20
    assert queries() == one


@needs_poppler
@pytest.mark.parametrize(
    ("language", "words"), [("ru", "Отчёт сервисной компании"), ("en", "Provider's report")]
)
def test_the_pdf_has_the_figures_charts_and_every_table(
    data: World,  # noqa: F811
    client: Client,
    tmp_path: Any,
    language: str,
    words: str,
) -> None:
    Company.objects.filter(pk=data.companies["A"].pk).update(
        name='<img src="http://127.0.0.1:9/x.png"> Альфа'
    )
    user = data.users["dispatcher"]
    user.language = language
    user.save()
    login(client, user)
    response = get(client, export="pdf", company=str(data.companies["A"].pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert words in text
    # The filter named in the header, printed as text (never fetched), and the company's row.
    assert '<img src="http://127.0.0.1:9/x.png"> Альфа' in text
    page = get(client, company=str(data.companies["A"].pk)).content.decode()
    for key in ("volume", "times", "rules", "engineers", "companies", "csat", "channels"):
        rows = table(page, key)
        assert flat(rows[0][0]) in text  # each section's header
        for row in rows[1:]:  # and its rows, as on the page (a long name may wrap in its cell)
            assert flat(row[0]) in text and flat(" ".join(row[1:])) in text, (key, row)
