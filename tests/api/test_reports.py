"""Reports as JSON: the customer's for customers with the analytics (their companies only,
foreign company ids dropped), the provider's for administrators and dispatchers; anyone else
404. The same selectors as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.reports import client
from tests.api.conftest import error_of
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_customer_reads_their_companys_figures_only(world, api_for):
    TicketFactory(company=world.companies["A"], due_at=timezone.now() - timedelta(hours=1))
    TicketFactory(company=world.companies["A"])
    TicketFactory(company=world.companies["B"])
    api = api_for(world.users["cust_a"])
    body = api.get("/api/v1/reports/client").json()
    assert body["company_ids"] == [world.companies["A"].pk]
    assert body["figures"]["tickets"] == 2
    assert body["figures"]["overdue_open"] == 1
    # Another company's id is dropped, never trusted.
    forged = api.get("/api/v1/reports/client", {"company_id": world.companies["B"].pk}).json()
    assert forged["company_ids"] == []
    assert forged["figures"]["tickets"] == 0


def test_the_same_numbers_as_the_page_selectors(world, api_for):
    TicketFactory(company=world.companies["A"])
    user = world.users["cust_a"]
    body = api_for(user).get("/api/v1/reports/client").json()
    today = timezone.localdate()
    report = client.ClientReport(
        user=user,
        mode=client.Mode.CREATED,
        start=today - timedelta(days=29),
        end=today,
        time_zone=user.time_zone or "Europe/Moscow",
        company_ids=frozenset({world.companies["A"].pk}),
    )
    assert body["figures"]["tickets"] == client.figures(report).tickets


@pytest.mark.parametrize("role", ["admin", "dispatcher"])
def test_the_provider_report_for_admins_and_dispatchers(world, api_for, role):
    TicketFactory(company=world.companies["A"])
    TicketFactory(company=world.companies["B"])
    body = api_for(world.users[role]).get("/api/v1/reports/provider").json()
    assert body["open_now"] == 2
    assert sum(row["created"] for row in body["by_company"]) == 2


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("engineer", "provider"),
        ("cust_a", "provider"),
        ("engineer", "client"),
        ("admin", "client"),
        ("cust_none", "client"),
    ],
)
def test_anyone_else_gets_404(world, api_for, role, path):
    response = api_for(world.users[role]).get(f"/api/v1/reports/{path}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_backwards_or_huge_period_is_refused(world, api_for):
    api = api_for(world.users["admin"])
    back = api.get("/api/v1/reports/provider", {"start": "2026-05-01", "end": "2026-04-01"})
    assert (back.status_code, error_of(back)["code"]) == (400, "period")
    huge = api.get("/api/v1/reports/provider", {"start": "2000-01-01", "end": "2026-04-01"})
    assert huge.status_code == 400
    bad = api.get("/api/v1/reports/provider", {"start": "yesterday"})
    assert error_of(bad)["code"] == "validation"
