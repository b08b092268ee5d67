"""Database helpers that hold for every app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def unflushed_commit(using: str = "default", *, savepoint: bool = True) -> Iterator[None]:
    """A transaction whose commit does not wait for the write-ahead log to reach the disk
    (PostgreSQL's `synchronous_commit` off, for this transaction only).

    For writes whose loss in a database crash — the last fraction of a second's, never a torn
    one — costs nothing or is made good again: a search log row, a message processed again by
    the sweep. The commit itself can then take microseconds instead of a disk flush (1–100 ms
    on a busy disk), which the person waiting for the page never needed to wait for. Inside
    another transaction the outer commit decides, and nothing changes (`savepoint` as for
    `transaction.atomic`); on SQLite it is a plain transaction."""
    connection = connections[using]
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=savepoint):
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
