"""«Требовать сканирование QR для начала работ»: the assigned engineer starts work only after
opening the equipment's passport while signed in, since being assigned; the timeline says so."""

from datetime import timedelta

import pytest
import time_machine
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
    # Reloads within PASSPORT_SCAN_DEDUP_MINUTES add no rows either.
    assert PassportScan.objects.filter(user=world.users["engineer"]).count() == 1


def _scan_times(user, equipment):
    return [
        timezone.localtime(at).strftime("%H:%M")
        for at in PassportScan.objects.filter(user=user, equipment=equipment)
        .order_by("scanned_at")
        .values_list("scanned_at", flat=True)
    ]


def _at(hhmm):
    hours, minutes = map(int, hhmm.split(":"))
    return timezone.localtime().replace(
        year=2026, month=3, day=2, hour=hours, minute=minutes, second=0, microsecond=0
    )


def test_scans_after_the_assignment_are_kept_once_per_window(world, boiler, client_for):
    """Assigned at 10:00, scanned at 10:03 (kept), reloaded at 10:05 and 10:12 (within 10
    minutes of the kept one: nothing new), again at 10:14 (a new window: kept)."""
    engineer = world.users["engineer"]
    with time_machine.travel(_at("09:50"), tick=False):
        ticket = TicketFactory(equipment=boiler, contact=world.users["cust_a"])
        ticket.ticket_type.requires_presence_scan = True
        ticket.ticket_type.save()
    with time_machine.travel(_at("10:00"), tick=False):
        ticket = ticket_assign(by=world.users["dispatcher"], ticket=ticket, assignee=engineer)
    client = client_for(engineer)
    for hhmm in ("10:03", "10:05", "10:12", "10:14"):
        with time_machine.travel(_at(hhmm), tick=False):
            client.get(f"/p/{boiler.passport_token}/")
    assert _scan_times(engineer, boiler) == ["10:03", "10:14"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="passport_scanned").count() == 1
    assert _start(world, Ticket.objects.get(pk=ticket.pk)).status == Status.IN_PROGRESS


def test_a_scan_soon_after_an_assignment_counts_though_the_last_scan_was_minutes_before(
    world, boiler, client_for
):
    """Scanned at 09:58, assigned at 10:00, scanned again at 10:02: the 10:02 scan is kept (the
    09:58 one is before the assignment, so it does not count) and work may start."""
    engineer = world.users["engineer"]
    with time_machine.travel(_at("09:50"), tick=False):
        ticket = TicketFactory(equipment=boiler, contact=world.users["cust_a"])
        ticket.ticket_type.requires_presence_scan = True
        ticket.ticket_type.save()
    client = client_for(engineer)
    with time_machine.travel(_at("09:58"), tick=False):
        client.get(f"/p/{boiler.passport_token}/")
    with time_machine.travel(_at("10:00"), tick=False):
        ticket = ticket_assign(by=world.users["dispatcher"], ticket=ticket, assignee=engineer)
        with pytest.raises(ApplicationError) as refused:
            _start(world, ticket)
        assert refused.value.code == "presence_required"
    with time_machine.travel(_at("10:02"), tick=False):
        client.get(f"/p/{boiler.passport_token}/")
        assert _scan_times(engineer, boiler) == ["09:58", "10:02"]
        assert _start(world, Ticket.objects.get(pk=ticket.pk)).status == Status.IN_PROGRESS


def test_without_an_assignment_since_a_second_visit_adds_nothing(world, boiler, client_for):
    """A ticket filed (not yet assigned by an event) before the first scan does not need the
    second one; one filed between the two does."""
    engineer = world.users["engineer"]
    client = client_for(engineer)
    with time_machine.travel(_at("09:00"), tick=False):
        TicketFactory(equipment=boiler, contact=world.users["cust_a"], assignee=engineer)
    with time_machine.travel(_at("09:58"), tick=False):
        client.get(f"/p/{boiler.passport_token}/")
    with time_machine.travel(_at("10:01"), tick=False):
        client.get(f"/p/{boiler.passport_token}/")
    assert _scan_times(engineer, boiler) == ["09:58"]
    with time_machine.travel(_at("10:02"), tick=False):
        TicketFactory(equipment=boiler, contact=world.users["cust_a"], assignee=engineer)
    with time_machine.travel(_at("10:03"), tick=False):
        client.get(f"/p/{boiler.passport_token}/")
    assert _scan_times(engineer, boiler) == ["09:58", "10:03"]


def test_the_window_is_a_setting(world, ticket, client_for, settings):
    settings.PASSPORT_SCAN_DEDUP_MINUTES = 0
    client = client_for(world.users["engineer"])
    for _ in range(3):
        client.get(f"/p/{ticket.equipment.passport_token}/")
    assert PassportScan.objects.filter(user=world.users["engineer"]).count() == 3


def test_the_refusal_shows_on_the_ticket_page(world, ticket, client_for):
    client = client_for(world.users["engineer"])
    response = client.post(
        f"/backoffice/tickets/{ticket.number}/transition/", {"code": "start"}, follow=True
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ASSIGNED
    assert "the assigned engineer must scan its QR code" in response.content.decode()
