"""A ticket's SLA state over the API: deadlines, breaches and the stopped clock; another
company's ticket is 404 like a missing one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.tickets.models import Status
from tests.api.conftest import error_of
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_running_and_breached_deadlines(world, api_for):
    now = timezone.now()
    ticket = TicketFactory(
        company=world.companies["A"],
        status=Status.IN_PROGRESS,
        first_response_due_at=now - timedelta(hours=1),
        first_responded_at=now - timedelta(hours=2),
        due_at=now - timedelta(minutes=30),
    )
    body = api_for(world.users["cust_a"]).get(f"/api/v1/tickets/{ticket.number}/sla").json()
    assert body["status"] == "in_progress"
    assert body["paused"] is False
    assert body["first_response"]["breached"] is False  # answered in time
    assert body["first_response"]["minutes_left"] is None
    assert body["resolution"]["breached"] is True
    assert body["resolution"]["minutes_left"] in (-30, -31)


def test_a_waiting_ticket_has_its_clock_stopped(world, api_for):
    now = timezone.now()
    ticket = TicketFactory(
        company=world.companies["A"],
        status=Status.WAITING,
        sla_paused_at=now - timedelta(hours=3),
        sla_paused_seconds=600,
        due_at=now + timedelta(hours=4),
    )
    body = api_for(world.users["engineer"]).get(f"/api/v1/tickets/{ticket.number}/sla").json()
    assert (body["paused"], body["paused_seconds"]) == (True, 600)
    assert body["resolution"]["minutes_left"] is None
    assert body["resolution"]["breached"] is False


def test_a_foreign_ticket_is_404_like_a_missing_one(world, api_for, django_assert_max_num_queries):
    foreign = TicketFactory(company=world.companies["B"])
    api = api_for(world.users["cust_a"])
    one = api.get(f"/api/v1/tickets/{foreign.number}/sla")
    two = api.get("/api/v1/tickets/NOPE-1/sla")
    assert one.status_code == two.status_code == 404
    assert one.json() == two.json()
    assert error_of(one)["code"] == "not_found"
    mine = TicketFactory(company=world.companies["A"])
    with django_assert_max_num_queries(8):
        assert api.get(f"/api/v1/tickets/{mine.number}/sla").status_code == 200
