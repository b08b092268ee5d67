"""What the services call, through `transaction.on_commit`, when something happened that
people are told about. Each hands the work to the worker (tasks.py → delivery.py): the page
that caused it never waits for recipients, rendering or mail servers.

    transaction.on_commit(lambda: events.message_posted(message.pk))
"""

from servicedesk.notifications import tasks


def ticket_created(ticket_id: int) -> None:
    tasks.notify_ticket_created(ticket_id)


def message_posted(message_id: int) -> None:
    tasks.notify_message_posted(message_id)


def status_changed(ticket_id: int, actor_id: int | None, old: str, new: str, event_id: int) -> None:
    """`old` and `new` are Status values; `event_id` is the STATUS_CHANGED TicketEvent."""
    tasks.notify_status_changed(ticket_id, actor_id, str(old), str(new), event_id)


def ticket_assigned(ticket_id: int, actor_id: int | None, assignee_id: int, event_id: int) -> None:
    """`event_id` is the ASSIGNED TicketEvent."""
    tasks.notify_ticket_assigned(ticket_id, actor_id, assignee_id, event_id)
