"""The notifications pages (portal and back office): one's own notifications only, texts made in
the reader's language when shown, opening one marks it read and leads to the ticket, «Mark all
as read»; a customer never opens or even sees a notification about a ticket they cannot see."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Membership
from servicedesk.conversations.services import message_post
from servicedesk.notifications.models import Notification
from servicedesk.tickets.models import Status
from tests.conftest import login
from tests.factories import TicketFactory
from tests.notifications.conftest import Cast, working_ticket

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
PORTAL = reverse("portal:notifications")
BACKOFFICE = reverse("backoffice:notifications")


def client_for(user: Any, language: str = "en") -> Client:
    return login(Client(headers={"accept-language": language}), user)


def notify(user: Any, ticket: Any, kind: str = Kind.STATUS_CHANGED, **fields: Any) -> Any:
    values = (
        {"data": {"old": Status.NEW, "new": Status.ASSIGNED}} if kind == Kind.STATUS_CHANGED else {}
    )
    values.update(fields)
    return Notification.objects.create(user=user, kind=kind, ticket=ticket, **values)


def test_the_customers_list_in_their_words_and_language(cast: Cast):
    ticket = working_ticket(cast)
    message = message_post(by=cast.engineer, ticket=ticket, body="The part   is\nordered.")
    notify(cast.contact, ticket, actor=cast.dispatcher)
    notify(cast.contact, ticket, Kind.MESSAGE_NEW, message=message, actor=cast.engineer)
    notify(cast.contact, ticket, Kind.TICKET_RESOLVED)

    page = client_for(cast.contact).get(PORTAL).content.decode()

    assert page.count('data-testid="notification"') == 3
    # The customer's stage names: Assigned reads "In progress".
    assert "00001234: New → In progress" in page
    assert "Eric Engineer wrote on 00001234" in page
    assert 'data-testid="excerpt">The part is ordered.<' in page
    assert "00001234: a solution is proposed" in page
    assert "Boiler is cold" in page
    # A Russian reader (his profile's language) reads the stage names in Russian.
    notify(cast.colleague, ticket, actor=cast.dispatcher)
    russian = client_for(cast.colleague, "en").get(PORTAL).content.decode()
    assert "New → In progress" not in russian
    assert "Новая → В работе" in russian


def test_staff_read_their_own_stage_names(cast: Cast):
    ticket = working_ticket(cast)
    notify(cast.engineer, ticket, data={"old": Status.ASSIGNED, "new": Status.IN_PROGRESS})

    page = client_for(cast.engineer).get(BACKOFFICE).content.decode()

    assert "00001234: Assigned → In progress" in page


def test_opening_marks_read_and_leads_to_the_ticket(cast: Cast):
    ticket = working_ticket(cast)
    message = message_post(by=cast.engineer, ticket=ticket, body="Hi")
    status = notify(cast.contact, ticket)
    about_message = notify(cast.contact, ticket, Kind.MESSAGE_NEW, message=message)
    client = client_for(cast.contact)
    assert 'data-testid="bell-count">2<' in client.get(PORTAL).content.decode()

    response = client.get(reverse("portal:notification_open", args=[status.pk]))
    assert response["Location"] == "/portal/tickets/00001234/"
    response = client.get(reverse("portal:notification_open", args=[about_message.pk]))
    assert response["Location"] == "/portal/tickets/00001234/#messages"

    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert 'data-testid="bell-count"' not in client.get(PORTAL).content.decode()


def test_mark_all_read(cast: Cast):
    ticket = working_ticket(cast)
    mine = [notify(cast.contact, ticket) for _ in range(3)]
    theirs = notify(cast.colleague, ticket)

    response = client_for(cast.contact).post(reverse("portal:notifications_read"))

    assert response["Location"] == PORTAL
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("owner", ["colleague", "stranger", "engineer"])
def test_someone_elses_notification_is_a_404_and_stays_unread(cast: Cast, owner: str):
    other = getattr(cast, owner)
    ticket = (
        working_ticket(cast)
        if owner != "stranger"
        else TicketFactory(
            company=cast.other_company, contact=cast.stranger, number="00009999", subject="Delta's"
        )
    )
    theirs = notify(other, ticket)
    client = client_for(cast.contact)

    response = client.get(reverse("portal:notification_open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(PORTAL).content.decode()
    assert 'data-testid="notification"' not in page and "Delta" not in page


def test_a_notification_about_a_ticket_no_longer_visible_is_hidden(cast: Cast):
    ticket = working_ticket(cast)
    ticket.followers.filter(user=cast.colleague).delete()
    note = notify(cast.colleague, ticket)
    client = client_for(cast.colleague)
    assert 'data-testid="bell-count">1<' in client.get(PORTAL).content.decode()

    Membership.objects.filter(user=cast.colleague).delete()  # left the company
    cache.clear()  # the bell's count is kept for at most a minute

    page = client.get(PORTAL).content.decode()
    assert "Boiler is cold" not in page and 'data-testid="bell-count"' not in page
    assert client.get(reverse("portal:notification_open", args=[note.pk])).status_code == 404


def test_the_areas_keep_their_own_pages(cast: Cast):
    staff = client_for(cast.engineer).get(PORTAL)
    customer = client_for(cast.contact).get(BACKOFFICE)
    anonymous = Client().get(PORTAL)

    assert staff.status_code == 302 and staff["Location"] == "/backoffice/"
    assert customer.status_code == 404
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    staff_page = client_for(cast.engineer).get(BACKOFFICE).content.decode()
    assert f'href="{BACKOFFICE}" data-testid="bell"' in staff_page


@pytest.mark.parametrize(("url", "who"), [(PORTAL, "contact"), (BACKOFFICE, "engineer")])
def test_the_query_count_does_not_grow(cast: Cast, url, who, django_assert_max_num_queries):
    user = getattr(cast, who)
    client = client_for(user)

    def count(n: int) -> int:
        Notification.objects.all().delete()
        for i in range(n):
            ticket = working_ticket(cast, number=f"{n:04d}{i:04d}")
            message = message_post(by=cast.other_engineer, ticket=ticket, body=f"Message {i}")
            notify(user, ticket, Kind.MESSAGE_NEW, message=message, actor=cast.other_engineer)
        cache.clear()  # cold: the bell counts too
        with django_assert_max_num_queries(20) as context:
            assert client.get(url).status_code == 200
        return len(context)

    assert count(2) == count(30)


def test_the_bell_counts_from_the_cache_and_moves_with_new_notifications(cast: Cast, commit: Any):
    from servicedesk.tickets.services import ticket_transition

    ticket = working_ticket(cast)
    client = client_for(cast.contact)
    tickets = reverse("portal:tickets")
    assert 'data-testid="bell-count"' not in client.get(tickets).content.decode()
    # Counted once, then read from the cache: the next page asks the database nothing for it.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(tickets)
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]

    commit(ticket_transition, by=cast.engineer, ticket=ticket, code="wait")

    assert 'data-testid="bell-count">1<' in client.get(tickets).content.decode()
