"""What the live parts of the pages read from the cache: the chat's poll (every 3 s while a
ticket page is open) and the unread badge (every 15 s on every page) — docs/decisions/0007.

A poll that finds nothing new must cost next to nothing: one indexed query for access beyond
the session and the user. So two things are kept in the cache, each under a *stamp* as in
tickets/counts.py (a value remembers the version keys it was made under; moving a version makes
it stale):

- per ticket: the newest message id (all, and public only) and how far each side has read
  (the staff's and the customers' greatest `last_read_id`), moved by `ticket_changed()` when a
  message is posted or someone reads further;
- per user: the unread total, moved by `unread_changed()` when a message reaches them or they
  read.

Whether the person may read the ticket is never kept here: every poll asks the scoping layer
first (one query on the ticket's indexed number), so a person whose access was taken away gets
the same 404 as for a missing ticket on their very next poll.

Versions move at once and again after the commit, so a value computed from the rows before the
commit meanwhile is not kept. With the embedded local-memory cache each process has its own
values: a change made by another process shows when VALUE_SECONDS have passed (the embedded
server runs one process; several need Redis, as the counts do).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from servicedesk.core import stamps

T = TypeVar("T")

VALUE_SECONDS = 60
# How often a ticket page asks for new messages, and every page for the badge and the bell.
POLL_SECONDS = 3
PULSE_SECONDS = 15
PREFIX = "conversations:v1"


def ticket_version_key(number: str) -> str:
    return f"{PREFIX}:ticket-version:{number}"


def ticket_state_key(number: str) -> str:
    return f"{PREFIX}:ticket-state:{number}"


def unread_version_key(user_id: int) -> str:
    return f"{PREFIX}:unread-version:{user_id}"


def unread_value_key(user_id: int) -> str:
    return f"{PREFIX}:unread:{user_id}"


def ticket_changed(number: str) -> None:
    """A message on the ticket, or someone read further."""
    stamps.bump([ticket_version_key(number)])


def unread_changed(user_ids: Iterable[int]) -> None:
    stamps.bump(unread_version_key(pk) for pk in user_ids)


def stamped(key: str, version_key: str, compute: Callable[[], T], scope: Hashable = None) -> T:
    """compute(), from the cache while the version it was made under (and the `scope` it was
    made for) holds (core/stamps.py), for at most VALUE_SECONDS."""
    return stamps.stamped(key, version_key, compute, VALUE_SECONDS, scope)
