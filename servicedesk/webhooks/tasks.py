"""The worker's side of webhooks: thin, taking ids, safe to run twice (an attempt claims its
row first, delivery.py)."""

from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from servicedesk.webhooks import delivery, services


@db_task()
def webhooks_emit(event: str, facts_list: list[dict[str, Any]]) -> None:
    """Make the event's deliveries and send each in a task of its own (a slow receiver does
    not hold the others)."""
    for pk in services.deliveries_create(event, facts_list):
        webhook_deliver(pk)


@db_task()
def webhook_deliver(delivery_id: int) -> None:
    delivery.delivery_attempt(delivery_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("webhooks-retry-due")
def webhooks_retry_due() -> None:
    """Every minute: the next attempt of each pending delivery whose time has come."""
    for pk in delivery.deliveries_due(timezone.now()):
        webhook_deliver(pk)
