"""The dispatchers' bell: the SLA check puts a notification on it once per ticket and
threshold; opening one marks it read and leads to the ticket; nobody reads another's."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from servicedesk.notifications.models import Notification
from servicedesk.sla.tasks import sla_check_run
from servicedesk.tickets.models import Status
from tests.conftest import World, login
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_the_sla_check_rings_each_dispatchers_bell_once(world: World, client: Client) -> None:
    second = UserFactory(dispatcher=True)
    late = TicketFactory(
        company=world.companies["A"],
        status=Status.IN_PROGRESS,
        assignee=world.users["engineer"],
        due_at=NOW - dt.timedelta(hours=2),
        first_responded_at=NOW - dt.timedelta(days=1),
    )
    sla_check_run(NOW)
    sla_check_run(NOW + dt.timedelta(minutes=1))  # nothing new: nothing again
    for user in (world.users["dispatcher"], second):
        assert list(Notification.objects.filter(user=user).values_list("kind", "ticket")) == [
            (Notification.Kind.RESOLUTION_BREACH, late.pk)
        ]
    assert len(mail.outbox) == 2  # and one email each
    login(client, world.users["dispatcher"])
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    assert 'data-testid="bell-count">1<' in page
    listing = client.get(reverse("backoffice:notifications")).content.decode()
    assert late.number in listing
    note = Notification.objects.get(user=world.users["dispatcher"])
    response = client.get(reverse("backoffice:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("backoffice:ticket_detail", args=[late.number])
    note.refresh_from_db()
    assert note.read_at is not None
    assert (
        'data-testid="bell-count"'
        not in client.get(reverse("backoffice:dashboard")).content.decode()
    )
    # The other dispatcher's is still unread; this one cannot open it.
    other = Notification.objects.get(user=second)
    assert client.get(reverse("backoffice:notification_open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_and_customers_have_their_own_bell(world: World, client: Client) -> None:
    dispatcher = world.users["dispatcher"]
    ticket = TicketFactory(company=world.companies["A"])
    Notification.objects.bulk_create(
        [Notification(user=dispatcher, kind=Notification.Kind.RESPONSE_WARNING, ticket=ticket)] * 3
    )
    login(client, dispatcher)
    client.post(reverse("backoffice:notifications_read"))
    assert not Notification.objects.filter(user=dispatcher, read_at__isnull=True).exists()
    customer = login(Client(), world.users["cust_a"])
    assert customer.get(reverse("backoffice:notifications")).status_code == 404
    # The customer's bell leads to the portal's notifications page, not the back office's.
    page = customer.get(reverse("portal:tickets") + "?view=mine").content.decode()
    assert f'href="{reverse("portal:notifications")}" data-testid="bell"' in page
    assert reverse("backoffice:notifications") not in page
