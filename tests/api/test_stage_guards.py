"""The conditions other apps put on a ticket's stage change answer through the API with their
own codes: a type that needs the engineer's QR scan refuses «start» with `presence_required`, a
type that needs a signed act refuses «resolve» with `act_required` — both 409, nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_assign
from tests.api.conftest import error_of
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _assigned_ticket(world: World, **type_flags: bool) -> Ticket:
    ticket = TicketFactory(equipment=world.equipment["eq_a_hq"], contact=world.users["cust_a"])
    for flag, value in type_flags.items():
        setattr(ticket.ticket_type, flag, value)
    ticket.ticket_type.save()
    cache.clear()  # the reference lists are cached
    return ticket_assign(
        by=world.users["dispatcher"], ticket=ticket, assignee=world.users["engineer"]
    )


def _transition(api: Any, ticket: Ticket, **body: str) -> Any:
    return api.post(f"/api/v1/tickets/{ticket.number}/transitions", body)


def test_start_without_the_scan_is_presence_required(world: World, api_for: Any) -> None:
    ticket = _assigned_ticket(world, requires_presence_scan=True)
    engineer = api_for(world.users["engineer"])

    refused = _transition(engineer, ticket, code="start")

    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "presence_required"
    assert "QR" in error["message"]
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ASSIGNED
    assert not TicketEvent.objects.filter(ticket=ticket, new_value="in_progress").exists()

    # The engineer opens the equipment's passport: now work starts.
    login(Client(), world.users["engineer"]).get(f"/p/{ticket.equipment.passport_token}/")
    started = _transition(engineer, ticket, code="start")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "in_progress"


def test_resolve_without_a_signed_act_is_still_act_required(world: World, api_for: Any) -> None:
    ticket = _assigned_ticket(world, requires_signed_act=True)
    engineer = api_for(world.users["engineer"])
    assert _transition(engineer, ticket, code="start").json()["status"] == "in_progress"

    refused = _transition(engineer, ticket, code="resolve", resolution="Заменили насос")

    assert refused.status_code == 409
    assert error_of(refused)["code"] == "act_required"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
