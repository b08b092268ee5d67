"""The participant backfill (conversations 0004): rows for the conversations that existed
before them, everything so far taken as read, a customer's latest message a public one."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from servicedesk.conversations.models import Message, Participant
from servicedesk.tickets.models import TicketFollower
from tests.conftest import World
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module(
    "servicedesk.conversations.migrations.0004_participants_backfill"
)
backfill = MIGRATION.backfill


class Editor:
    connection = connection


def test_rows_for_contacts_assignees_followers_and_authors(world: World) -> None:
    customer, follower = world.users["cust_a"], world.users["cust_ab"]
    engineer, admin = world.users["engineer"], world.users["admin"]
    talked = TicketFactory(company=world.companies["A"], contact=customer, assignee=engineer)
    TicketFollower.objects.create(ticket=talked, user=follower)
    first = Message.objects.create(ticket=talked, author=customer, body="Help")
    public = Message.objects.create(ticket=talked, author=admin, body="Coming")
    note = Message.objects.create(ticket=talked, author=engineer, body="Hm", is_internal=True)
    silent = TicketFactory(company=world.companies["A"], contact=customer)
    staff_only = TicketFactory(company=world.companies["A"], contact=follower)
    hidden = Message.objects.create(ticket=staff_only, author=engineer, body="x", is_internal=True)
    Participant.objects.all().delete()

    backfill(apps, Editor())
    backfill(apps, Editor())  # again: nothing doubles

    rows = {
        (p.ticket_id, p.user_id): (p.last_message_id, p.last_read_id, p.unread)
        for p in Participant.objects.all()
    }
    assert rows == {
        (talked.pk, customer.pk): (public.pk, public.pk, 0),
        (talked.pk, follower.pk): (public.pk, public.pk, 0),
        (talked.pk, engineer.pk): (note.pk, note.pk, 0),
        (talked.pk, admin.pk): (note.pk, note.pk, 0),
        (staff_only.pk, follower.pk): (None, 0, 0),  # a customer sees no internal note
        (staff_only.pk, engineer.pk): (hidden.pk, hidden.pk, 0),
    }
    assert first.pk < public.pk
    assert not Participant.objects.filter(ticket=silent).exists()  # no messages, no rows
    row = Participant.objects.get(ticket=talked, user=customer)
    assert row.last_message_at == public.created_at


def test_chunks_cover_every_ticket(world: World, monkeypatch: Any) -> None:
    module = importlib.import_module(
        "servicedesk.conversations.migrations.0004_participants_backfill"
    )
    monkeypatch.setattr(module, "CHUNK", 2)
    tickets = [TicketFactory(company=world.companies["A"]) for _ in range(5)]
    for ticket in tickets:
        Message.objects.create(ticket=ticket, author=ticket.contact, body="x")
    Participant.objects.all().delete()
    backfill(apps, Editor())
    assert Participant.objects.count() == 5
