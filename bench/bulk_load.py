"""Loading millions of rows into PostgreSQL quickly: COPY, and the indexes built once at the end.

Used by `bench_data`. Inserting a row into a table costs one insertion into each of its indexes
(tickets_ticket has 32, among them a GIN over the generated tsvector) and a `FOR KEY SHARE`
lookup of the row each foreign key points to; building an index over the finished table is one
sort, and checking a foreign key over it is one join. So for the load the big tables lose their
secondary indexes and foreign keys, and get them back afterwards from the definitions PostgreSQL
itself gives (`pg_get_indexdef`, the text of `pg_indexes.indexdef`, and
`pg_get_constraintdef`): nothing is written out here, and the schema ends as the migrations
made it. Dropping and adding them needs only the tables' ownership, no superuser
(`ALTER TABLE … DISABLE TRIGGER ALL` would).

Primary keys and unique constraints stay: other tables' foreign keys rest on the primary keys,
and an `INSERT … ON CONFLICT` needs its unique index to decide what conflicts. Partial indexes
stay too (see _INDEXES).
"""

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from psycopg.pq import TransactionStatus

# For the rebuild only (reset afterwards): a sort that fits in memory, and the two cores the
# benchmark machine has. PostgreSQL builds a B-tree with parallel workers; a GIN, alone.
REBUILD_SETTINGS = {"maintenance_work_mem": "512MB", "max_parallel_maintenance_workers": "2"}

# The indexes dropped for the load: those that back no primary key, unique or exclusion
# constraint, and are not partial. The text PostgreSQL gives of a partial index's predicate does
# not always parse back to the same expression: `status IN (…)` comes back as `ARRAY[…]::text[]`,
# which parses into a differently cast array, equal in meaning but not in the catalogue. So the
# partial indexes stay and are kept up during the load: the open tickets' and the unread
# conversations' hold a few percent of the rows; the reports' two (`ticket_company_resolved`,
# `ticket_report_done`) hold the done tickets, most of them, and are the load's dearest part.
_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = %s::regclass AND i.indpred IS NULL
      AND NOT EXISTS (
          SELECT FROM pg_constraint c
          WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
            AND c.contype IN ('p', 'u', 'x'))
    ORDER BY 1
"""
_FOREIGN_KEYS = """
    SELECT conname, pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype = 'f'
    ORDER BY 1
"""


@contextmanager
def indexes_deferred(tables: Sequence[str]) -> Iterator[None]:
    """PostgreSQL: the body runs with the tables' secondary indexes and foreign keys dropped;
    they are built again when it ends, also when it fails (the data loaded so far is checked
    against the foreign keys like any other). Other databases: nothing changes.

    If the rebuild itself cannot run (the connection is gone), the statements that would have
    done it are written to stderr before the error is raised."""
    if connection.vendor != "postgresql":
        yield
        return
    _settle_deferred_checks()
    quote = connection.ops.quote_name
    drops: list[str] = []
    restores: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(_INDEXES, [table])
            for name, definition in cursor.fetchall():
                drops.append(f"DROP INDEX {name}")
                restores.append(definition)
        for table in tables:
            cursor.execute(_FOREIGN_KEYS, [table])
            for name, definition in cursor.fetchall():
                drops.append(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                restores.append(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
        for statement in drops:
            cursor.execute(statement)
    try:
        yield
    finally:
        _restore(restores)


def _restore(statements: list[str]) -> None:
    raw = connection.connection
    if raw is not None and raw.info.transaction_status == TransactionStatus.INERROR:
        # The body failed inside a transaction that also holds the drops (a test's): nothing
        # more runs in it, and its rollback brings the indexes and keys back.
        return
    done = 0
    try:
        _settle_deferred_checks()
        with connection.cursor() as cursor:
            for name, value in REBUILD_SETTINGS.items():
                cursor.execute(f"SET {name} = '{value}'")
            for statement in statements:
                cursor.execute(statement)
                done += 1
            for name in REBUILD_SETTINGS:
                cursor.execute(f"RESET {name}")
    except BaseException:
        left = ";\n".join(statements[done:])
        sys.stderr.write(
            "The indexes and foreign keys below could not be restored; run these statements "
            f"(or drop the database and start again):\n{left};\n"
        )
        raise


def _settle_deferred_checks() -> None:
    """PostgreSQL refuses to alter a table with foreign key checks still pending, as they are
    in a transaction that wrote rows before (a test's: Django's keys are checked at commit).
    Running them now, the way Django's own `check_constraints` does, lets the DDL through;
    outside a transaction nothing is pending."""
    if connection.in_atomic_block:
        connection.check_constraints()


class Copy:
    """`COPY table FROM STDIN` of a model's rows given as tuples of some of its columns; every
    other column (the primary key and generated ones aside) gets its field's default, prepared
    once instead of once a row. PostgreSQL only."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        quote = connection.ops.quote_name
        names = [quote(c) for c in columns]
        defaults = []
        for field in model._meta.concrete_fields:
            if (
                field.column is None
                or field.column in columns
                or field.primary_key
                or getattr(field, "generated", False)
            ):
                continue
            names.append(quote(field.column))
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        self.defaults = tuple(defaults)
        self.sql = f"COPY {quote(model._meta.db_table)} ({', '.join(names)}) FROM STDIN"

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        defaults = self.defaults
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            for row in rows:
                copy.write_row(row + defaults)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """The next `count` values of the table's id sequence, for rows that are written with their
    ids (COPY returns none) and referred to before they are read back."""
    sql = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.db_table, model._meta.pk.column, count])
        return [row[0] for row in cursor.fetchall()]
