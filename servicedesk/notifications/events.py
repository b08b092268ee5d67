"""What the services call, through `transaction.on_commit`, when something happened that
people are told about. Each hands the work to the worker (tasks.py → delivery.py): the page
that caused it never waits for recipients, rendering or mail servers.

    transaction.on_commit(lambda: events.message_posted(message.pk))
"""

from typing import Any

from django.db import transaction

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


def act_issued(ticket_id: int, actor_id: int, act_id: int, number: str, version: int = 1) -> None:
    """Call through `transaction.on_commit`: the act is issued, or its corrected `version` is
    sent for signature (acts/services.py)."""
    tasks.notify_act_ready(ticket_id, actor_id, act_id, number, version)


def act_answered(ticket_id: int, actor_id: int, act_id: int, version: int, disputed: bool) -> None:
    """Call through `transaction.on_commit`: the customer signed (or disputed) round `version`
    of the act (acts/services.py)."""
    tasks.notify_act_answered(ticket_id, actor_id, act_id, version, disputed)


# --- Connected to the ticket services' moments (tickets/hooks.py) in apps.py: told after the
# commit, so that nobody hears of a change that was rolled back.


def on_ticket_created(*, ticket: Any) -> None:
    ticket_id = ticket.pk
    transaction.on_commit(lambda: ticket_created(ticket_id))


def on_status_changed(*, ticket_id: int, by: Any, old: str, new: str, event_id: int) -> None:
    by_id = by.pk if by is not None else None
    transaction.on_commit(lambda: status_changed(ticket_id, by_id, old, new, event_id))


def on_ticket_assigned(*, ticket: Any, by: Any, assignee: Any, event_id: int) -> None:
    ticket_id, by_id, assignee_id = ticket.pk, by.pk, assignee.pk
    transaction.on_commit(lambda: ticket_assigned(ticket_id, by_id, assignee_id, event_id))
