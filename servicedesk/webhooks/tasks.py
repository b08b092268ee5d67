"""The worker's side of webhooks: thin, taking ids, safe to run twice (an attempt claims its
row first, delivery.py)."""

from typing import Any

from django.conf import settings
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


@db_periodic_task(crontab(hour="3", minute="41"))
@lock_task("webhooks-prune")
def webhooks_prune() -> None:
    """Every night: delivered and failed deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS
    leave the log (pending ones stay)."""
    services.deliveries_prune(
        now=timezone.now(), days=int(settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    )
