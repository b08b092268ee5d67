"""Moments in a ticket's life that other apps act on, without the tickets app importing them.

Conversations and notifications build on tickets (they import its models and services);
the ticket services calling them back directly made an import cycle. Instead each moment is a
`Hook`: the ticket service calls it explicitly, on one visible line, inside its transaction;
the apps that act on it connect their functions in their `AppConfig.ready()` (conversations:
who joins the ticket's conversation; notifications: who is told, after the commit). Unlike a
model signal it fires only where a service says so, bulk paths included, and the list of what
runs is in the apps' `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from servicedesk.core.errors import ErrorCode


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self.receivers: list[Callable[..., None]] = []

    def connect(self, receiver: Callable[..., None]) -> None:
        if receiver not in self.receivers:
            self.receivers.append(receiver)

    def __call__(self, **kwargs: Any) -> None:
        for receiver in self.receivers:
            receiver(**kwargs)


@dataclass(frozen=True)
class Refusal:
    """A guard's "no": the words to show the person and the error code (an `ErrorCode`
    value) callers answer with — the API turns it into its HTTP status (api/errors.py), so each
    guard says what is missing in its own terms (`act_required`, `presence_required`)."""

    message: str
    code: ErrorCode


class Guard:
    """A condition other apps put on a ticket's stage change, without the tickets app knowing
    them: each receiver gets (ticket=Ticket, target=Status) and returns a `Refusal` or None.
    The first refusal wins."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.receivers: list[Callable[..., Refusal | None]] = []

    def connect(self, receiver: Callable[..., Refusal | None]) -> None:
        if receiver not in self.receivers:
            self.receivers.append(receiver)

    def __call__(self, **kwargs: Any) -> Refusal | None:
        for receiver in self.receivers:
            refusal = receiver(**kwargs)
            if refusal is not None:
                return refusal
        return None


# ticket=Ticket, by=User — a ticket was filed.
created = Hook("created")
# ticket_id=int, by=User | None, old=Status, new=Status, event_id=int — its stage changed.
status_changed = Hook("status_changed")
# ticket=Ticket, by=User, assignee=User, event_id=int — it was given to someone.
assigned = Hook("assigned")
# ticket=Ticket, by=User, fields=list[str] — staff changed its fields (ticket_update), or moved
# it to another company (fields: company, contact, …).
updated = Hook("updated")
# ticket=Ticket, user=User — someone started following it.
followed = Hook("followed")

# ticket=Ticket, target=Status — may the ticket move to `target`? The acts app answers for
# ticket types that require a signed act (Resolved, Closed), tickets/presence.py for types that
# require the engineer's QR scan (In progress).
stage_guard = Guard("stage_guard")
