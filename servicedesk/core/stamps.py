"""Values kept in the cache under a *stamp*: a version key that whatever the value depends on
moves when it changes (docs/decisions/0006). A value remembers the version it was made under;
once the version has moved, the value is made again.

Versions move at once, so the changing transaction's own next read does not see an old value,
and again after the commit, so that a value another request made from the old rows meanwhile is
not kept. A version is a random token, not the clock: two moves must differ even when the clock
stands still (frozen time in tests, a coarse clock).

This is the one mechanism for cached values (docs/decisions/0012): counts, filter choices,
reference lists and the live parts' state. Nothing that decides what a person may see is kept
under it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class _AfterCommit:
    """The versions a transaction moved, moved again together when it commits: one round trip
    to the cache however many changes it made."""

    def __init__(self) -> None:
        self.keys: dict[str, None] = {}

    def flush(self) -> None:
        cache.set_many(dict.fromkeys(self.keys, uuid.uuid4().hex), None)


def bump(keys: Iterable[str]) -> None:
    """Move the versions under `keys`: now, and again after the commit."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    cache.set_many(dict.fromkeys(keys, uuid.uuid4().hex), None)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return  # autocommit: what changed is committed already
    batch: _AfterCommit | None = getattr(connection, "_stamps_after_commit", None)
    # Still waiting for this transaction's commit? (A rollback drops the callback with it.)
    if batch is None or not any(entry[1] == batch.flush for entry in connection.run_on_commit):
        batch = _AfterCommit()
        connection._stamps_after_commit = batch
        transaction.on_commit(batch.flush)
    batch.keys.update(dict.fromkeys(keys))


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
    scope: Hashable = None,
) -> T:
    """compute(), from the cache under `key` (for at most `seconds`) while the version under
    `version_key` (or each of several) holds. `scope`: what the value was made for, read
    afresh by the caller (a person's membership scopes): a value made for another scope is
    made again."""
    version_keys = [version_key] if isinstance(version_key, str) else list(version_key)
    found = cache.get_many([key, *version_keys])
    entry = found.get(key)
    current = (versions(version_keys, found), scope)
    if entry is not None and entry[0] == current:
        return entry[1]  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, (current, value), seconds)
    return value
