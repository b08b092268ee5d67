"""Deliveries against a real local HTTP receiver: signed as documented, retried with backoff
(the receiver answers 500 twice, then 200), paused after N failures in a row with the owner
told (bell and email through a real SMTP server), re-sent by hand, pinged, resumed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from servicedesk.notifications.models import Notification
from servicedesk.webhooks import tasks
from servicedesk.webhooks.delivery import deliveries_due, delivery_attempt
from servicedesk.webhooks.models import PING, Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import (
    delivery_resend,
    webhook_ping,
    webhook_resume,
    webhook_secret_regenerate,
)
from servicedesk.webhooks.signing import signature, verify
from tests.mail_server import text_part
from tests.webhooks.helpers import file_ticket, hook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_allowed")]
State = WebhookDelivery.State


def test_a_new_ticket_is_delivered_signed_as_documented(world, receiver, commit):
    admin, contact = world.users["admin"], world.users["cust_a"]
    webhook = hook(admin, receiver, Event.TICKET_CREATED)

    ticket = commit(file_ticket, contact, world.companies["A"])

    assert len(receiver.requests) == 1
    assert receiver.signature_ok == [True]  # the receiver ran the documented example
    request = receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["X-Servicedesk-Event"] == "ticket.created"
    assert request.headers["X-Servicedesk-Delivery"] == str(delivery.uid)
    timestamp = request.headers["X-Servicedesk-Timestamp"]
    assert request.headers["X-Servicedesk-Signature"] == signature(
        webhook.secret, timestamp, request.body
    )
    signed = request.headers["X-Servicedesk-Signature"]
    assert verify(webhook.secret, timestamp, request.body, signed)
    assert not verify("whsec_other", timestamp, request.body, signed)
    assert not verify(webhook.secret, timestamp, request.body + b" ", signed)
    assert not verify(webhook.secret, str(int(timestamp) - 301), request.body, signed)
    body = request.json
    assert body["id"] == str(delivery.uid)
    assert body["event"] == "ticket.created"
    data = body["data"]["ticket"]
    assert data["number"] == ticket.number
    assert data["status"] == "new"
    assert data["company"] == {"id": world.companies["A"].pk, "name": world.companies["A"].name}
    assert data["links"]["web"].endswith(f"/backoffice/tickets/{ticket.number}/")
    assert data["links"]["api"].endswith(f"/api/v1/tickets/{ticket.number}")
    delivery.refresh_from_db()
    assert delivery.state == State.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.response_code == 200
    assert delivery.response_ms is not None
    assert json.loads(delivery.response_excerpt) == {"ok": True, "status": 200}
    assert delivery.error == ""


def test_nothing_is_sent_before_the_commit_nor_for_a_rolled_back_change(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    with django_capture_on_commit_callbacks() as callbacks:
        file_ticket(world.users["cust_a"], world.companies["A"])
    assert receiver.requests == []  # the request never waits for a receiver
    assert WebhookDelivery.objects.count() == 0
    assert len(callbacks) >= 1


def test_failed_attempts_are_retried_with_backoff_by_the_sweep(world, receiver, commit, settings):
    settings.WEBHOOKS_RETRY_SECONDS = [60, 300, 1800]
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    receiver.answers = [500, 500]
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        commit(file_ticket, world.users["cust_a"], world.companies["A"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_code) == (State.PENDING, 1, 500)
    assert delivery.next_attempt_at == start + timedelta(seconds=60)
    assert "500" in delivery.error
    assert deliveries_due(start + timedelta(seconds=59)) == []

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        commit(tasks.webhooks_retry_due.call_local)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 2)
    assert delivery.next_attempt_at == start + timedelta(seconds=61 + 300)
    assert Webhook.objects.get().failures == 2

    with time_machine.travel(start + timedelta(seconds=61 + 301), tick=False):
        commit(tasks.webhooks_retry_due.call_local)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_code) == (State.SUCCEEDED, 3, 200)
    assert delivery.next_attempt_at is None
    assert Webhook.objects.get().failures == 0  # a success starts the count again
    # Three requests for one delivery: the same id and the same bytes, each signed afresh.
    assert len(receiver.requests) == 3
    assert {r.headers["X-Servicedesk-Delivery"] for r in receiver.requests} == {str(delivery.uid)}
    assert len({r.body for r in receiver.requests}) == 1
    assert receiver.signature_ok == [True, True, True]


def test_a_delivery_fails_for_good_after_the_last_retry(world, receiver, commit, settings):
    settings.WEBHOOKS_RETRY_SECONDS = [1]
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    receiver.answers = [503, 503, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        commit(file_ticket, world.users["cust_a"], world.companies["A"])
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        commit(tasks.webhooks_retry_due.call_local)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (State.FAILED, 2, None)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert deliveries_due(timezone.now()) == []
    assert len(receiver.requests) == 2


def test_a_webhook_failing_n_times_in_a_row_is_paused_and_its_owner_told(
    world, receiver, commit, settings, smtp_email
):
    settings.WEBHOOKS_PAUSE_AFTER = 3
    admin = world.users["admin"]
    webhook = hook(admin, receiver, Event.TICKET_CREATED, name="ERP bridge")
    receiver.answers = [500] * 10

    for n in range(3):
        commit(file_ticket, world.users["cust_a"], world.companies["A"], f"Ticket {n}")

    webhook.refresh_from_db()
    assert webhook.is_active is False
    assert webhook.failures == 3
    assert "500" in webhook.paused_reason
    assert webhook.paused_at is not None
    told = Notification.objects.filter(kind=Notification.Kind.WEBHOOK_PAUSED)
    assert list(told.values_list("user_id", "data")) == [
        (admin.pk, {"webhook": webhook.pk, "name": "ERP bridge"})
    ]
    paused = [m for m in smtp_email.messages if "ERP bridge" in m["Subject"]]
    assert [m["To"] for m in paused] == [admin.email]
    assert f"/backoffice/webhooks/{webhook.pk}/" in text_part(paused[0])

    # Paused: a new event sends nothing and queues nothing; the pending ones wait.
    commit(file_ticket, world.users["cust_a"], world.companies["A"], "Ticket 4")
    assert len(receiver.requests) == 3
    assert WebhookDelivery.objects.count() == 3
    assert deliveries_due(timezone.now() + timedelta(days=1)) == []

    # Resumed: the pending deliveries go out now; the count starts from 0.
    receiver.answers = []
    queued = commit(webhook_resume, by=admin, webhook=webhook)
    assert queued == 3
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.failures, webhook.paused_reason) == (True, 0, "")
    assert len(receiver.requests) == 6
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {State.SUCCEEDED}
    assert Notification.objects.filter(kind=Notification.Kind.WEBHOOK_PAUSED).count() == 1


def test_a_delivery_is_resent_by_hand_with_a_new_id_and_the_same_payload(world, receiver, commit):
    admin = world.users["admin"]
    hook(admin, receiver, Event.TICKET_CREATED)
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    first = WebhookDelivery.objects.get()

    again = commit(delivery_resend, by=admin, delivery=first)

    assert again.resent_from_id == first.pk
    assert len(receiver.requests) == 2
    one, two = (r.json for r in receiver.requests)
    assert one["id"] != two["id"] == str(again.uid)
    assert one["data"] == two["data"]
    again.refresh_from_db()
    assert again.state == State.SUCCEEDED


def test_a_ping_reaches_the_receiver_even_when_paused_and_is_tried_once(world, receiver, commit):
    admin = world.users["admin"]
    webhook = hook(admin, receiver, Event.TICKET_CREATED)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)
    receiver.answers = [500]

    delivery = commit(webhook_ping, by=admin, webhook=webhook)

    delivery.refresh_from_db()
    assert receiver.events() == [PING]
    assert (delivery.state, delivery.response_code) == (State.FAILED, 500)
    assert receiver.requests[0].json["data"]["webhook"]["id"] == webhook.pk


def test_a_regenerated_secret_signs_the_next_deliveries(world, receiver, commit):
    admin = world.users["admin"]
    webhook = hook(admin, receiver, Event.TICKET_CREATED)
    old = webhook.secret
    new = commit(webhook_secret_regenerate, by=admin, webhook=webhook)
    assert new != old and new.startswith("whsec_")
    receiver.secret = new
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    assert receiver.signature_ok == [True]


def test_an_attempt_is_idempotent_a_delivered_row_is_not_sent_again(world, receiver, commit):
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    delivery = WebhookDelivery.objects.get()
    assert delivery_attempt(delivery.pk) is False  # not pending: the task ran twice
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_a_failed_attempt_with_the_error(world, receiver, commit):
    admin = world.users["admin"]
    webhook = hook(admin, receiver, Event.TICKET_CREATED)
    # A port nothing listens on.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    Webhook.objects.filter(pk=webhook.pk).update(url=f"http://127.0.0.1:{free}/hook")
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.PENDING
    assert delivery.response_code is None
    assert "ConnectionRefusedError" in delivery.error
