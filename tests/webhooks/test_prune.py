"""The nightly clean-up of the delivery log: delivered and failed deliveries older than
WEBHOOK_DELIVERY_RETENTION_DAYS go, in chunks; pending ones (whatever their age) and recent ones
stay; a re-send of a deleted delivery stays, no longer pointing at it; 0 keeps everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from servicedesk.webhooks import services, tasks
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery

pytestmark = [pytest.mark.django_db]
State = WebhookDelivery.State
NOW = datetime(2026, 3, 31, 3, 41, tzinfo=UTC)


@pytest.fixture
def log(world):
    webhook = Webhook.objects.create(
        owner=world.users["admin"], name="ERP", url="https://93.184.216.34/", events=["ping"]
    )
    other = Webhook.objects.create(
        owner=world.users["admin"], name="Other", url="https://93.184.216.34/", events=["ping"]
    )

    def row(name, state, days, hook=webhook, **fields):
        return WebhookDelivery.objects.create(
            webhook=hook,
            event=Event.TICKET_CREATED,
            payload={"name": name},
            state=state,
            created_at=NOW - timedelta(days=days),
            **fields,
        )

    old_delivered = row("old delivered", State.SUCCEEDED, 45)
    row("old failed", State.FAILED, 31)
    row("old delivered elsewhere", State.SUCCEEDED, 30.01, hook=other, attempts=1)
    row("old pending", State.PENDING, 90)  # still retried (or its webhook paused): stays
    row("recent delivered", State.SUCCEEDED, 29)
    row("recent failed", State.FAILED, 1)
    row("re-sent", State.SUCCEEDED, 2, resent_from=old_delivered)
    return webhook


def names():
    return sorted(WebhookDelivery.objects.values_list("payload__name", flat=True))


KEPT = ["old pending", "re-sent", "recent delivered", "recent failed"]


def test_the_nightly_task_deletes_old_finished_deliveries_only(log, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        tasks.webhooks_prune()

    assert names() == KEPT
    resent = WebhookDelivery.objects.get(payload__name="re-sent")
    assert resent.resent_from is None
    assert Webhook.objects.count() == 2


def test_it_goes_in_chunks(log, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(services, "PRUNE_CHUNK", 2)
    # Per chunk: the ids, the rows' ids to delete, the re-sends pointing at them set to null,
    # the delete; then the ids once more (none left).
    with django_assert_num_queries(2 * 4 + 1):
        assert services.deliveries_prune(now=NOW, days=30) == 3
    assert names() == KEPT


def test_zero_days_keeps_everything(log, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 0
    with time_machine.travel(NOW, tick=False):
        tasks.webhooks_prune()
    assert len(names()) == 7
