"""The benchmark's own machinery: the query-count header and the rotation lists (bench/run.py)."""

import random
import urllib.parse
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.middleware import HEADER
from bench.run import People, Req, build_rows, queries_cell, rotation_lines
from servicedesk.accounts.models import User
from servicedesk.tickets.models import TicketSequence
from tests.factories import UserFactory

BENCH = override_settings(
    MIDDLEWARE=["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE],
    ROOT_URLCONF="bench.urls",
)


@pytest.mark.django_db
@BENCH
def test_the_header_counts_every_query_of_the_request(
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(UserFactory())
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert int(response[HEADER]) == len(queries) > 0  # the session and the user at least
    saves = TicketSequence.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/bench/floor/")
    assert response.status_code == 200
    assert TicketSequence.objects.count() == saves + 1
    assert int(response[HEADER]) == len(queries)


@pytest.mark.django_db
def test_the_product_serves_neither_the_floor_nor_the_header(
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(UserFactory()).get("/bench/floor/")
    assert response.status_code == 404
    assert HEADER not in response


def people() -> People:
    return People(
        customers=["a@x.test", "b@x.test", "c@x.test"],
        staff=["s0@x.test", "s1@x.test"],
        company_of=[10, 11, 12],
        tickets={10: ["A-1", "A-2"], 11: ["B-1"], 12: ["C-1", "C-2", "C-3"]},
        company_total={10: 500, 11: 3, 12: 60},
        sites={10: [1, 2], 11: [], 12: [3]},
        equipment={10: [7], 11: [], 12: []},
        all_tickets=["A-1", "B-1", "C-3", "D-9"],
        types=[1, 2],
        criticalities=[1, 2, 3],
        work_types=[4],
        engineers=[40, 41],
    )


def test_each_row_rotates_over_distinct_addresses_of_the_right_people() -> None:
    p = people()
    rows = build_rows(p, random.Random(1), size=300, max_page=10)
    customers, staff = {0, 1, 2}, {3, 4}
    by_name = {row.name: row for row in rows}
    assert len(by_name) == len(rows) == 15
    for row in rows:
        assert len(row.requests) == 300
        # No entry repeats another: a page cache could answer none of them from the row.
        assert len({(r.user, r.path) for r in row.requests}) == 300
        users = {r.user for r in row.requests}
        if row.name.startswith("portal"):
            assert users == customers
        elif row.name.startswith("back office"):
            assert users == staff
        else:
            assert users == customers | staff
    # A customer's ticket pages are their own company's tickets.
    for r in by_name["portal: ticket page"].requests:
        number = urllib.parse.unquote(r.natural.split("/")[3])
        assert number in p.tickets[p.company_of[r.user]]
    # Pages 2..N stay within the company's tickets (3 tickets: page 1 only).
    for r in by_name["portal: ticket list, pages 2..N"].requests:
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(r.natural).query)
        page = int(params.get("page", ["1"])[0])
        assert page <= max(1, -(-p.company_total[p.company_of[r.user]] // 25))
    searched = by_name["portal: searched list (± status)"].requests
    assert all("q=" in r.path for r in searched)
    assert len({r.natural for r in searched}) > 10  # varied words and filters
    kb = by_name["portal: knowledge base search"].requests
    assert all(r.natural.startswith("/portal/kb/?q=") for r in kb)
    assert len({r.natural for r in kb}) > 10
    typing = by_name["portal: article suggestions while typing a ticket"].requests
    assert all(r.natural.startswith("/portal/tickets/new/suggest/?subject=") for r in typing)


def test_rotation_lines_carry_method_cookie_path_and_body() -> None:
    cookies = ["sessionid=one", "sessionid=two"]
    lines = rotation_lines([Req(0, "/a/?x=1"), Req(1, "/new/", "subject=Hi&csrf=t")], cookies)
    assert lines == [
        "GET\tsessionid=one\t/a/?x=1\t",
        "POST\tsessionid=two\t/new/\tsubject=Hi&csrf=t",
    ]
    with pytest.raises(ValueError, match="tab or newline"):
        rotation_lines([Req(0, "/a/\n")], cookies)


def test_queries_cell_shows_a_fixed_count_or_the_spread() -> None:
    assert queries_cell({7: 12}) == "7"
    assert queries_cell({11: 1, 4: 9, 5: 2}) == "4–11 (4×9, 5×2, 11×1)"
    assert queries_cell({}) == "-"
