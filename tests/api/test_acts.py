"""Completed works and acts over the API: works are staff's (a customer: 404); acts of the
tickets the caller sees, their rounds and the PDF (the pages' rendering); another company's
ticket is 404 like a missing one."""

from __future__ import annotations

import pytest

from servicedesk.acts.services import act_issue
from tests.api.conftest import error_of
from tests.factories import TicketFactory
from tests.works.conftest import Works, works  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_staff_read_a_tickets_works(works: Works, api_for):  # noqa: F811
    works.add()
    body = api_for(works.engineer).get(f"/api/v1/tickets/{works.ticket.number}/works").json()
    assert len(body) == 1
    assert body[0]["engineers"][0]["id"] == works.engineer.pk
    assert "internal_note" in body[0]


@pytest.mark.parametrize("role", ["cust_a", "cust_b"])
def test_customers_get_no_works(works: Works, api_for, role):  # noqa: F811
    works.add()
    response = api_for(works.world.users[role]).get(f"/api/v1/tickets/{works.ticket.number}/works")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_acts_list_detail_and_pdf(works: Works, api_for, django_assert_max_num_queries):  # noqa: F811
    works.add()
    act = act_issue(by=works.dispatcher, ticket=works.ticket)
    customer = api_for(works.world.users["cust_a"])
    with django_assert_max_num_queries(8):
        listed = customer.get("/api/v1/acts").json()
    assert [a["number"] for a in listed["items"]] == [act.number]
    detail = customer.get(f"/api/v1/tickets/{works.ticket.number}/act").json()
    assert (detail["state"], detail["version"], detail["versions"]) == ("awaiting", 1, [])
    pdf = customer.get(f"/api/v1/tickets/{works.ticket.number}/act.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_another_companys_act_is_404_like_a_missing_one(works: Works, api_for):  # noqa: F811
    works.add()
    act_issue(by=works.dispatcher, ticket=works.ticket)
    stranger = api_for(works.world.users["cust_b"])
    assert stranger.get("/api/v1/acts").json()["items"] == []
    for suffix in ("act", "act.pdf"):
        foreign = stranger.get(f"/api/v1/tickets/{works.ticket.number}/{suffix}")
        missing = stranger.get(f"/api/v1/tickets/NOPE/{suffix}")
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json()
    no_act = TicketFactory(company=works.world.companies["B"])
    assert stranger.get(f"/api/v1/tickets/{no_act.number}/act").status_code == 404
