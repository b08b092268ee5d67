"""«Требовать сканирование QR для начала работ»: the assigned engineer starts work only after
opening the equipment's passport while signed in, since being assigned; the timeline says so."""

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import PassportScan
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_assign, ticket_transition
from tests.factories import TicketFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def ticket(world, boiler):
    ticket = TicketFactory(equipment=boiler, contact=world.users["cust_a"])
    ticket.ticket_type.requires_presence_scan = True
    ticket.ticket_type.save()
    return ticket_assign(
        by=world.users["dispatcher"], ticket=ticket, assignee=world.users["engineer"]
    )


def _start(world, ticket):
    return ticket_transition(by=world.users["engineer"], ticket=ticket, code="start")


def test_start_is_refused_until_the_engineer_scans(world, ticket, client_for):
    with pytest.raises(ApplicationError, match="scan its QR code"):
        _start(world, ticket)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ASSIGNED
    assert not TicketEvent.objects.filter(ticket=ticket, new_value="in_progress").exists()

    page = client_for(world.users["engineer"]).get(f"/p/{ticket.equipment.passport_token}/")
    assert 'data-testid="passport-scanned"' in page.content.decode()
    event = TicketEvent.objects.get(ticket=ticket, kind="passport_scanned")
    assert event.actor == world.users["engineer"]
    assert _start(world, Ticket.objects.get(pk=ticket.pk)).status == Status.IN_PROGRESS


def test_a_scan_by_someone_else_or_of_other_equipment_does_not_count(world, ticket, client_for):
    client_for(world.users["admin"]).get(f"/p/{ticket.equipment.passport_token}/")
    client_for(world.users["engineer"]).get(f"/p/{world.equipment['eq_a_floor'].passport_token}/")
    client_for(world.users["cust_a"]).get(f"/p/{ticket.equipment.passport_token}/")
    with pytest.raises(ApplicationError):
        _start(world, Ticket.objects.get(pk=ticket.pk))
    assert not TicketEvent.objects.filter(ticket=ticket, kind="passport_scanned").exists()
    # Customers' visits are not recorded at all.
    assert not PassportScan.objects.filter(user=world.users["cust_a"]).exists()


def test_a_scan_before_the_assignment_does_not_count(world, boiler, client_for):
    ticket = TicketFactory(equipment=boiler, contact=world.users["cust_a"])
    ticket.ticket_type.requires_presence_scan = True
    ticket.ticket_type.save()
    earlier = timezone.now() - timedelta(hours=1)
    PassportScan.objects.create(user=world.users["engineer"], equipment=boiler, scanned_at=earlier)
    ticket = ticket_assign(
        by=world.users["dispatcher"], ticket=ticket, assignee=world.users["engineer"]
    )
    with pytest.raises(ApplicationError):
        _start(world, ticket)


def test_types_without_the_setting_start_freely(world, boiler):
    ticket = TicketFactory(equipment=boiler, contact=world.users["cust_a"])
    ticket = ticket_assign(
        by=world.users["dispatcher"], ticket=ticket, assignee=world.users["engineer"]
    )
    assert _start(world, ticket).status == Status.IN_PROGRESS


def test_the_scan_is_recorded_once_per_assignment(world, ticket, client_for):
    client = client_for(world.users["engineer"])
    for _ in range(3):
        client.get(f"/p/{ticket.equipment.passport_token}/")
    assert TicketEvent.objects.filter(ticket=ticket, kind="passport_scanned").count() == 1
    assert PassportScan.objects.filter(user=world.users["engineer"]).count() == 3


def test_the_refusal_shows_on_the_ticket_page(world, ticket, client_for):
    client = client_for(world.users["engineer"])
    response = client.post(
        f"/backoffice/tickets/{ticket.number}/transition/", {"code": "start"}, follow=True
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ASSIGNED
    assert "the assigned engineer must scan its QR code" in response.content.decode()
