"""One new row written as `Model.save(force_insert=True)` writes it, from an INSERT that Django's
own compiler built once per model instead of on every save.

For the hottest write path (filing a ticket: a ticket, its CREATED event and its follower), the
ORM spends more time building the same statement again than the database spends running it
(measured: 0.44 ms for `save()` of an event, 0.22 for `bulk_create()`, 0.12 for the bare
statement). Here the statement is compiled on first use and kept; each insert only prepares the
values, field by field, as the compiler does (`pre_save`, then `get_db_prep_save`), and runs it.
Everything else `save()` does for a new row of a plain model is kept: the related objects'
check, `pre_save`/`post_save` (unless `signals=False`, as `bulk_create()`), the returned primary
key, the instance's state, a rollback mark on error. Anything the cached statement cannot stand
for — an expression as a value, a field with its own placeholder, model inheritance, a database
that cannot return the new key — goes through the ORM instead.

`insert_family` writes a new row with new rows that point at it (a ticket, its first event and
its follower): on PostgreSQL in one statement of data-modifying CTEs, run in autocommit as its
own transaction, elsewhere one INSERT after another in a transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Field, ForeignKey, Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

# (database alias, model, primary key given): the INSERT's SQL, or None when it cannot be kept.
_STATEMENTS: dict[tuple[str, type[Model], bool], str | None] = {}
# (database alias, each row's statement and links): a family's one statement (insert_family).
_FAMILIES: dict[tuple[Any, ...], str | None] = {}


def insert(obj: Model, *, signals: bool = True) -> None:
    """INSERT the new `obj`, as `obj.save(force_insert=True)` would (without its signals when
    `signals` is False, as `bulk_create()`)."""
    using = router.db_for_write(type(obj), instance=obj)
    if not _compiles(obj, using):
        _insert_by_orm(obj, using, signals)
        return
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    if signals:
        _pre_save(obj, using)
    _insert_prepared(obj, using, signals)


def insert_family(parent: Model, children: Sequence[Model], *, signals: bool = True) -> None:
    """INSERT the new `parent` and the new `children`, rows whose foreign keys were given
    `parent` itself before it had its key (`TicketEvent(ticket=ticket, …)`): all of them or
    none. As `insert(parent, signals=signals)` and then `insert(child, signals=False)` for each
    child: the children go without signals, as `bulk_create()`.

    On PostgreSQL it is one statement: the parent's INSERT and the children's in
    data-modifying CTEs, each child taking the parent's new key from the parent's RETURNING.
    Outside a transaction that statement is a transaction of its own, with no BEGIN and COMMIT
    around it. Elsewhere, or where a row's cached statement cannot say its values (an
    expression, model inheritance), the rows go one INSERT after another in
    `transaction.atomic()`."""
    using = router.db_for_write(type(parent), instance=parent)
    family = [parent, *children]
    links = [[], *(_links(child, parent) for child in children)]
    # Refused before anything is written, as save() refuses it: an unsaved related object,
    # the parent aside.
    parent._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    for child, child_links in zip(children, links[1:], strict=True):
        others = [f for f in child._meta.concrete_fields if f not in child_links]
        child._prepare_related_fields_for_save(  # type: ignore[attr-defined]
            operation_name="save", fields=others
        )
    connection = connections[using]
    together = connection.vendor == "postgresql" and all(_compiles(obj, using) for obj in family)
    if not together:
        _row_by_row(parent, children, using, signals, announced=False)
        return
    if signals:
        _pre_save(parent, using)
    prepared = [_prepared(obj, using) for obj in family]
    statement = _family_statement(parent, prepared, links, using)
    if statement is None:  # a value that is an expression
        _row_by_row(parent, children, using, signals, announced=signals)
        return
    params = [
        f.get_db_prep_save(v, connection=connection)
        for (fields, values, _sql), obj_links in zip(prepared, links, strict=True)
        for f, v in zip(fields, values, strict=True)
        if f not in obj_links
    ]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(statement, params)
        returned = list(cursor.fetchone())
    for obj, obj_links in zip(family, links, strict=True):
        for link in obj_links:
            setattr(obj, link.attname, parent.pk)  # this drops the cached parent: given back
            link.set_cached_value(obj, parent)
        count = len(obj._meta.db_returning_fields)
        _inserted(obj, using, returned[:count], signals=signals and obj is parent)
        del returned[:count]


def _row_by_row(
    parent: Model, children: Sequence[Model], using: str, signals: bool, announced: bool
) -> None:
    """The family one INSERT after another, in a transaction (`announced`: the parent's
    pre_save was sent already)."""
    with transaction.atomic(using=using):
        if announced:
            _insert_prepared(parent, using, signals)
        else:
            insert(parent, signals=signals)
        for child in children:
            insert(child, signals=False)


def _links(child: Model, parent: Model) -> list[ForeignKey[Any, Any]]:
    """The child's foreign keys that were given `parent` itself."""
    links = [
        f
        for f in child._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.is_cached(child) and f.get_cached_value(child) is parent
    ]
    if not links:
        raise ValueError(f"{child!r} does not point at {parent!r}.")
    return links


Prepared = tuple[tuple[Field[Any, Any], ...], list[Any], str | None]


def _family_statement(
    parent: Model, prepared: list[Prepared], links: list[list[Any]], using: str
) -> str | None:
    """The one statement that inserts a parent and its children: each row's cached INSERT as a
    CTE, a child's links given the parent's key from the parent's RETURNING; it answers one
    row, every INSERT's returned columns in turn. None where a row has no cached statement.
    Made once for each set of statements and links."""
    key = (
        using,
        *(
            (sql, *(f.attname for f in row_links))
            for (_f, _v, sql), row_links in zip(prepared, links, strict=True)
        ),
    )
    if key not in _FAMILIES:
        _FAMILIES[key] = _make_family_statement(parent, prepared, links, using)
    return _FAMILIES[key]


def _make_family_statement(
    parent: Model, prepared: list[Prepared], links: list[list[Any]], using: str
) -> str | None:
    pk = parent._meta.pk
    if pk is None or pk.column is None or pk not in parent._meta.db_returning_fields:
        return None  # the key is not the database's to give
    # Names from the models, values all placeholders: no data goes into the text.
    key = f"(SELECT {connections[using].ops.quote_name(pk.column)} FROM row_0)"  # noqa: S608
    parts = []
    for n, ((fields, _values, sql), row_links) in enumerate(zip(prepared, links, strict=True)):
        plain = "VALUES (" + ", ".join(["%s"] * len(fields)) + ")"
        if sql is None or sql.count(plain) != 1:
            return None
        mixed = ", ".join(key if f in row_links else "%s" for f in fields)
        parts.append(f"row_{n} AS ({sql.replace(plain, f'VALUES ({mixed})')})")
    rows = ", ".join(f"row_{n}" for n in range(len(parts)))
    return f"WITH {', '.join(parts)} SELECT * FROM {rows}"  # noqa: S608


def _compiles(obj: Model, using: str) -> bool:
    """Whether `obj` can go in from a cached statement (else through the ORM)."""
    return not obj._meta.parents and bool(
        connections[using].features.can_return_columns_from_insert
    )


def _pre_save(obj: Model, using: str) -> None:
    pre_save.send(sender=type(obj), instance=obj, raw=False, using=using, update_fields=None)


def _prepared(obj: Model, using: str) -> Prepared:
    """The fields an INSERT of the new `obj` writes, their values (each field's `pre_save`,
    which sets `auto_now` and the like on `obj`), and the cached statement: None where it
    cannot say these values."""
    meta = obj._meta
    pk_set = obj._is_pk_set(meta)  # type: ignore[attr-defined]
    fields = tuple(
        f
        for f in meta.local_concrete_fields
        if not f.generated and (pk_set or f is not meta.auto_field)
    )
    values = [f.pre_save(obj, True) for f in fields]
    if any(hasattr(v, "resolve_expression") for v in values):
        return fields, values, None
    key = (using, type(obj), pk_set)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = _compile(obj, using, fields)
    return fields, values, _STATEMENTS[key]


def _insert_prepared(obj: Model, using: str, signals: bool) -> None:
    """The INSERT of `obj`, checked and announced (`pre_save`) already."""
    connection = connections[using]
    fields, values, sql = _prepared(obj, using)
    returning = tuple(obj._meta.db_returning_fields)
    with transaction.mark_for_rollback_on_error(using):
        if sql is None:
            # What the cached statement cannot say: the ORM's own INSERT, as save() runs it.
            rows = type(obj)._base_manager._insert(  # type: ignore[attr-defined]
                [obj], fields=list(fields), returning_fields=list(returning), using=using
            )
            row = rows[0] if rows else ()
        else:
            params = [
                f.get_db_prep_save(v, connection=connection)
                for f, v in zip(fields, values, strict=True)
            ]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                ops: Any = connection.ops
                row = ops.fetch_returned_insert_columns(cursor, []) if returning else ()
    _inserted(obj, using, row, signals)


def _inserted(obj: Model, using: str, row: Sequence[Any], signals: bool) -> None:
    """The new row's returned columns put on `obj`, and its state that of a saved row."""
    for field, value in zip(obj._meta.db_returning_fields, row, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
    if signals:
        post_save.send(
            sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=using
        )


def _insert_by_orm(obj: Model, using: str, signals: bool) -> None:
    if signals:
        obj.save(force_insert=True, using=using)
    else:
        type(obj)._base_manager.using(using).bulk_create([obj])


def _compile(obj: Model, using: str, fields: tuple[Field[Any, Any], ...]) -> str | None:
    """The INSERT … RETURNING the compiler builds for `obj` (plain values) with these fields, if
    each value is one placeholder and the returned columns need no conversion."""
    meta = type(obj)._meta
    if any(hasattr(f, "get_placeholder") for f in fields):
        return None
    query = InsertQuery(type(obj))
    # A copy: compiling runs the fields' pre_save (auto_now…), which must not touch `obj`.
    query.insert_values(list(fields), [copy.copy(obj)], raw=False)
    compiler = query.get_compiler(using=using)
    returning = tuple(meta.db_returning_fields)
    compiler.returning_fields = list(returning) or None
    statements = compiler.as_sql()
    if len(statements) != 1:
        return None
    sql, params = statements[0]
    if len(params) != len(fields) or compiler.returning_params:
        return None
    if compiler.get_converters([f.get_col(meta.db_table) for f in returning]):
        return None
    return str(sql)
