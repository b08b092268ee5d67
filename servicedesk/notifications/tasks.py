"""Background jobs of notifications: one per event (they take ids, read the state again and
may run twice: see delivery.py), and the hourly digests."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from servicedesk.notifications import delivery
from servicedesk.notifications.digests import digests_send


@db_task(retries=3, retry_delay=60)
def notify_ticket_created(ticket_id: int) -> None:
    delivery.ticket_created(ticket_id)


@db_task(retries=3, retry_delay=60)
def notify_message_posted(message_id: int) -> None:
    delivery.message_posted(message_id)


@db_task(retries=3, retry_delay=60)
def notify_status_changed(
    ticket_id: int, actor_id: int | None, old: str, new: str, event_id: int
) -> None:
    delivery.status_changed(ticket_id, actor_id, old, new, event_id)


@db_task(retries=3, retry_delay=60)
def notify_ticket_assigned(
    ticket_id: int, actor_id: int | None, assignee_id: int, event_id: int
) -> None:
    delivery.ticket_assigned(ticket_id, actor_id, assignee_id, event_id)


@db_task(retries=3, retry_delay=60)
def notify_act_ready(
    ticket_id: int, actor_id: int | None, act_id: int, number: str, version: int = 1
) -> None:
    delivery.act_ready(ticket_id, actor_id, act_id, number, version)


@db_task(retries=3, retry_delay=60)
def notify_act_answered(
    ticket_id: int, actor_id: int, act_id: int, version: int, disputed: bool
) -> None:
    delivery.act_answered(ticket_id, actor_id, act_id, version, disputed)


@db_periodic_task(crontab(minute="0"))
@lock_task("notification-digests")
def notification_digests() -> None:
    """Every hour: the message digests that are due (digests.digests_send)."""
    digests_send(timezone.now())
