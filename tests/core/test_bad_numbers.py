"""Integers in query strings — page numbers, ids of companies, people, places — are parsed once
and bounded: a huge, negative, non-numeric or empty value gives the first page or a clear 400,
never a server error (issue 21). Runs on both databases (PostgreSQL refuses integers past
bigint; SQLite overflows differently)."""

from typing import Any

import pytest
from django.test import Client

from tests.conftest import login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

BAD = ["99999999999999999999999999", "-1", "-99999999999999999999", "abc", "", "1e5", "0x10"]

PORTAL = [
    ("/portal/", ["page", "size", "company", "site", "equipment", "type", "criticality"]),
    ("/portal/messages/", ["page"]),
    ("/portal/notifications/", ["page"]),
    ("/portal/tickets/new/", ["clone"]),
    ("/portal/tickets/new/options/", ["company", "place", "contract", "part"]),
    ("/portal/tickets/products/", ["q", "all"]),
]
BACKOFFICE = [
    ("/backoffice/tickets/", ["page", "size", "company", "assignee", "type", "criticality"]),
    ("/backoffice/tickets/companies/", ["q", "page", "company"]),
    ("/backoffice/tickets/new/", ["contact", "company"]),
    ("/backoffice/tickets/new/options/", ["company", "contact", "place", "contract"]),
    ("/backoffice/messages/", ["page"]),
    ("/backoffice/notifications/", ["page"]),
    ("/backoffice/people/", ["page", "per_page", "company", "role"]),
    ("/backoffice/people/scope-options/", ["company", "memberships-0-company", "prefix"]),
    ("/backoffice/people/export/", ["company", "page"]),
    ("/backoffice/audit/", ["page", "user", "actor", "company"]),
    ("/backoffice/access-requests/", ["page"]),
    ("/backoffice/mail/outbound/", ["page"]),
    ("/backoffice/sla/calendars/", ["page"]),
    ("/backoffice/sla/rules/", ["page"]),
]
CASES = [("cust_a", url, p) for url, params in PORTAL for p in params] + [
    ("admin", url, p) for url, params in BACKOFFICE for p in params
]


@pytest.mark.parametrize(("user", "url", "param"), CASES, ids=[f"{c[1]}?{c[2]}" for c in CASES])
def test_a_bad_integer_is_never_a_server_error(world: Any, user: str, url: str, param: str) -> None:
    client = login(Client(raise_request_exception=False), world.users[user])
    for value in BAD:
        response = client.get(url, {param: value})
        assert response.status_code in (200, 302, 400, 404), (value, response.status_code)
