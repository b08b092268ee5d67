"""Each person chooses per event and channel what reaches them (the page under «me/»), and the
choice is obeyed: an event turned off by email still rings the bell and the other way round."""

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.conversations.services import message_post
from servicedesk.notifications.models import (
    Digest,
    Event,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from servicedesk.sla.tasks import sla_check_run
from servicedesk.tickets.services import ticket_transition
from tests.conftest import login
from tests.notifications.conftest import mail_to, working_ticket

pytestmark = pytest.mark.django_db
PAGE = reverse("accounts:notification_settings")


def en(user) -> Client:
    return login(Client(headers={"accept-language": "en"}), user)


def rows(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-testid="preference-')[1:]]


def test_customers_and_staff_see_the_events_that_concern_them(cast):
    customer = en(cast.contact).get(PAGE).content.decode()
    engineer = en(cast.engineer).get(PAGE).content.decode()
    dispatcher = en(cast.dispatcher).get(PAGE).content.decode()

    assert rows(customer) == [
        "ticket_created",
        "company_ticket",
        "message_new",
        "status_changed",
        "ticket_resolved",
        "ticket_closed",
        "act_ready",
    ]
    assert rows(engineer) == [
        "message_new",
        "note_new",
        "ticket_assigned",
        "status_changed",
        "act_answered",
    ]
    assert rows(dispatcher) == [
        "ticket_created",
        "message_new",
        "note_new",
        "ticket_assigned",
        "status_changed",
        "act_answered",
        "deadline",
    ]
    assert "portal" in customer and 'data-testid="bell"' in customer  # the portal's layout
    # Defaults: everything on, except email about every colleague's ticket.
    assert 'name="email_company_ticket" id="id_email_company_ticket" aria-label' in customer
    assert 'id="id_email_company_ticket" aria-label="A colleague&#x27;s new ticket by email">' in (
        customer
    )
    assert 'id="id_email_message_new" aria-label="New message by email" checked>' in customer
    assert 'value="immediately" checked' in customer


def test_saving_the_grid_and_the_digest(cast):
    client = en(cast.contact)
    data = {f"{channel}_{event}": "on" for event in Event.values for channel in ("email", "in_app")}
    del data["email_message_new"], data["in_app_status_changed"]
    data["digest"] = Digest.DAILY
    data["email_note_new"] = "on"  # not the customer's: ignored

    response = client.post(PAGE, {**data, "in_app_deadline": "on"})

    assert response.status_code == 302 and response["Location"] == PAGE
    assert sorted(
        NotificationPreference.objects.filter(user=cast.contact).values_list(
            "event", "email", "in_app"
        )
    ) == [
        # Only choices that differ from the defaults are stored.
        ("company_ticket", True, True),
        ("message_new", False, True),
        ("status_changed", True, False),
    ]
    assert NotificationSettings.objects.get(user=cast.contact).message_digest == Digest.DAILY
    page = client.get(PAGE).content.decode()
    assert 'id="id_email_message_new" aria-label="New message by email">' in page
    assert 'value="daily" checked' in page
    # Back to the defaults: the rows go.
    defaults = {**data, "email_message_new": "on", "in_app_status_changed": "on"}
    del defaults["email_company_ticket"]
    client.post(PAGE, {**defaults, "digest": "immediately"})
    assert not NotificationPreference.objects.filter(user=cast.contact).exists()


def test_a_bad_digest_is_refused_and_nothing_saved(cast):
    response = en(cast.contact).post(PAGE, {"digest": "weekly", "email_message_new": "on"})
    assert response.status_code == 200
    assert "digest" in response.context["form"].errors
    assert not NotificationPreference.objects.exists()
    assert not NotificationSettings.objects.exists()


def test_the_page_needs_a_login():
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_choices_are_obeyed(cast, smtp_email, commit):
    ticket = working_ticket(cast)
    # Clara: messages in the app only. Ruslan: messages by email only.
    NotificationPreference.objects.create(
        user=cast.contact, event=Event.MESSAGE_NEW, email=False, in_app=True
    )
    NotificationPreference.objects.create(
        user=cast.colleague, event=Event.MESSAGE_NEW, email=True, in_app=False
    )

    message = commit(message_post, by=cast.engineer, ticket=ticket, body="Part ordered.")

    assert sorted(mail_to(smtp_email)) == ["ruslan@gamma.test"]
    assert list(Notification.objects.filter(message=message).values_list("user", flat=True)) == [
        cast.contact.pk
    ]
    # Another event is not affected by the message choice.
    commit(ticket_transition, by=cast.engineer, ticket=ticket, code="wait")
    assert "clara@gamma.test" in mail_to(smtp_email)


def test_deadline_choices_are_obeyed_by_the_sla_check(cast, smtp_email):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    working_ticket(cast, due_at=now - timedelta(minutes=5))
    NotificationPreference.objects.create(
        user=cast.dispatcher, event=Event.DEADLINE, email=False, in_app=True
    )
    # The SLA check tells dispatchers (the role), not administrators.

    sla_check_run(now)

    assert smtp_email.messages == []
    assert list(Notification.objects.values_list("user", "kind")) == [
        (cast.dispatcher.pk, Notification.Kind.RESOLUTION_BREACH)
    ]
    NotificationPreference.objects.filter(user=cast.dispatcher).update(email=True, in_app=False)
    working_ticket(cast, number="00001235", due_at=now - timedelta(minutes=5))
    sla_check_run(now)
    assert mail_to(smtp_email).keys() == {"dora@provider.test"}
    deadline = smtp_email.messages[0]
    # (A non-ASCII subject is folded onto the next line: the parser keeps the fold's space.)
    assert deadline["Subject"].strip().startswith("[#00001235] ")
    assert deadline["References"].startswith("<ticket-")
    assert Notification.objects.count() == 1
