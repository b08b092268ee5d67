"""An event is queued for the worker only when an active webhook subscribes to it: with no
webhook, only a paused one, or one for other events, a change writes nothing to Huey's queue
(one look-up after the commit); with a subscriber the task is queued and its delivery made.

Huey runs tasks at once in the tests (tests/conftest.py); here it queues them for real, in
memory, as the web process writes them for the worker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from huey.api import Huey

from servicedesk.conversations.services import message_post
from servicedesk.tickets.services import ticket_assign
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import webhook_pause
from tests.factories import TicketFactory
from tests.webhooks.helpers import file_ticket, hook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_allowed")]


@pytest.fixture
def queue() -> Iterator[Huey]:
    """Huey queuing tasks (in its in-memory storage) instead of running them at once."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate_use_memory = False  # leaving immediate mode keeps the in-memory storage
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield HUEY
    finally:
        HUEY.flush()
        HUEY.immediate = True
        HUEY.immediate_use_memory = True


def changes(world: Any, commit: Any) -> None:
    """A new ticket, an assignment (status change + assigned) and a message."""
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    commit(
        ticket_assign, by=world.users["dispatcher"], ticket=ticket, assignee=world.users["engineer"]
    )
    commit(message_post, by=world.users["engineer"], ticket=ticket, body="On our way.")


def names(queue: Huey) -> list[str]:
    return [task.name.rsplit(".", 1)[-1] for task in queue.pending()]


@pytest.mark.parametrize("setup", ["none", "paused", "other_events"])
def test_nothing_is_queued_when_nobody_listens(world, receiver, commit, queue, setup):
    admin = world.users["admin"]
    if setup == "paused":
        webhook = hook(admin, receiver, Event.TICKET_CREATED, Event.MESSAGE_CREATED)
        webhook_pause(by=admin, webhook=webhook)
    elif setup == "other_events":
        hook(admin, receiver, Event.SLA_BREACH, Event.ACT_SIGNED, Event.SURVEY_ANSWERED)

    changes(world, commit)

    assert "webhooks_emit" not in names(queue)
    assert queue.pending_count() == len(names(queue))  # (other apps' tasks, e.g. mail)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_subscribed_event_is_queued_and_delivered(world, receiver, commit, queue):
    admin = world.users["admin"]
    webhook = hook(admin, receiver, Event.MESSAGE_CREATED)
    hook(admin, receiver, Event.TICKET_CREATED, path="/paused")
    webhook_pause(by=admin, webhook=Webhook.objects.get(name="Receiver /paused"))
    receiver.secret = webhook.secret

    changes(world, commit)

    emits = [task for task in queue.pending() if task.name.endswith("webhooks_emit")]
    assert [task.args[0] for task in emits] == ["message.created"]  # not the others
    queue.flush()
    # The worker runs it: the delivery is made and sent (at once again, as in the other tests:
    # a task run outside immediate mode closes the database connection, the test's too).
    queue.immediate = True
    queue.execute(emits[0])
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == webhook and delivery.event == "message.created"
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert receiver.events() == ["message.created"] and receiver.signature_ok == [True]


def test_asking_who_listens_costs_one_query_after_the_commit(
    world, receiver, django_capture_on_commit_callbacks, django_assert_num_queries, queue
):
    hook(world.users["admin"], receiver, Event.TICKET_ASSIGNED)
    with django_capture_on_commit_callbacks() as callbacks:
        file_ticket(world.users["cust_a"], world.companies["A"])
    [emit] = [c for c in callbacks if c.__qualname__ == "_emit.<locals>.send"]

    with django_assert_num_queries(1):
        emit()
    assert "webhooks_emit" not in names(queue)
