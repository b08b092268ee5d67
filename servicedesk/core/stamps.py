"""Values kept in the cache under a *stamp*: a version key that whatever the value depends on
moves when it changes (docs/decisions/0006). A value remembers the version it was made under;
once the version has moved, the value is made again.

Versions move at once, so the changing transaction's own next read does not see an old value,
and again after the commit, so that a value another request made from the old rows meanwhile is
not kept. A version is a random token, not the clock: two moves must differ even when the clock
stands still (frozen time in tests, a coarse clock)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# Keys read from the cache ahead of the code that asks for them (`read_ahead`); None: absent.
_AHEAD: ContextVar[dict[str, Any] | None] = ContextVar("stamps_read_ahead", default=None)


@contextmanager
def read_ahead(keys: Iterable[str]) -> Iterator[None]:
    """Read `keys` in one cache round trip for the code inside, whose own reads (`get_many`)
    are then answered from it: a request that knows which values and versions it will need
    pays one round trip instead of one per value. Blocks nest: what they read is kept until the
    outermost ends. Meant for a request's reads before it changes anything: a move of a version
    (`bump`) drops everything that was read ahead."""
    ahead = _AHEAD.get()
    token = None
    if ahead is None:  # the outermost block: nested ones add to its keys
        ahead = {}
        token = _AHEAD.set(ahead)
    wanted = [k for k in dict.fromkeys(keys) if k not in ahead]
    found = cache.get_many(wanted) if wanted else {}
    ahead.update({k: found.get(k) for k in wanted})
    try:
        yield
    finally:
        if token is not None:
            _AHEAD.reset(token)


def get_many(keys: Sequence[str]) -> dict[str, Any]:
    """`cache.get_many(keys)`, from what was read ahead when every key was."""
    ahead = _AHEAD.get()
    if ahead and all(k in ahead for k in keys):
        return {k: ahead[k] for k in keys if ahead[k] is not None}
    return cache.get_many(keys)


def remember(key: str, value: Any, seconds: int | None) -> None:
    """`cache.set`, and what was read ahead of the key is the new value."""
    cache.set(key, value, seconds)
    ahead = _AHEAD.get()
    if ahead is not None and key in ahead:
        ahead[key] = value


class _AfterCommit:
    """The versions a transaction moved, moved again together when it commits: one round trip
    to the cache however many changes it made (a ticket created moves four or five)."""

    def __init__(self) -> None:
        self.keys: dict[str, None] = {}

    def flush(self) -> None:
        cache.set_many(dict.fromkeys(self.keys, uuid.uuid4().hex), None)


def bump(keys: Iterable[str]) -> None:
    """Move the versions under `keys` (now, and again after the commit; inside `only_after_commit`,
    only after the commit)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    ahead = _AHEAD.get()
    if ahead:
        ahead.clear()  # read before the move: ask the cache again
    connection = transaction.get_connection()
    if not (connection.in_atomic_block and getattr(connection, "_stamps_deferred", False)):
        cache.set_many(dict.fromkeys(keys, uuid.uuid4().hex), None)
    if not connection.in_atomic_block:
        return  # autocommit: what changed is committed already
    batch: _AfterCommit | None = getattr(connection, "_stamps_after_commit", None)
    # Still waiting for this transaction's commit? (A rollback drops the callback with it.)
    if batch is None or not any(entry[1] == batch.flush for entry in connection.run_on_commit):
        batch = _AfterCommit()
        connection._stamps_after_commit = batch
        transaction.on_commit(batch.flush)
    batch.keys.update(dict.fromkeys(keys))


@contextmanager
def only_after_commit() -> Iterator[None]:
    """Inside a transaction that reads back nothing kept under the versions it moves (filing a
    ticket), move them only after the commit: one cache write instead of one per change. The
    write at once serves only the transaction's own later reads; for everyone else the values
    made from the old rows meanwhile are dropped by the move after the commit either way."""
    connection = transaction.get_connection()
    before = getattr(connection, "_stamps_deferred", False)
    connection._stamps_deferred = True
    try:
        yield
    finally:
        connection._stamps_deferred = before


def versions(keys: list[str], found: dict[str, Any]) -> tuple[Any, ...]:
    """The versions under `keys`, from `found` (a `cache.get_many` that asked for them); one
    never moved (or evicted) is given one now, so that a value has something to hold to."""
    missing = [k for k in keys if found.get(k) is None]
    if missing:
        for k in missing:
            cache.add(k, uuid.uuid4().hex, None)
        found = {**found, **cache.get_many(missing)}
    return tuple(found.get(k) for k in keys)


def stamped(
    key: str,
    version_key: str | Sequence[str],
    compute: Callable[[], T],
    seconds: int,
    found: dict[str, Any] | None = None,
) -> T:
    """compute(), from the cache under `key` (for at most `seconds`) while the version under
    `version_key` (or each of several) holds. `found`: the result of a `cache.get_many` that
    already asked for all those keys (one round trip)."""
    version_keys = [version_key] if isinstance(version_key, str) else list(version_key)
    if found is None:
        found = get_many([key, *version_keys])
    entry = found.get(key)
    current = versions(version_keys, found)
    if entry is not None and entry[0] == current:
        return entry[1]  # type: ignore[no-any-return]
    value = compute()
    remember(key, (current, value), seconds)
    return value
