"""The small reference lists (ticket types, criticalities, work types) read from the cache.

They are read on nearly every ticket page — the list's filters, the ticket's header, the create
form — and change a few times a year, so each list is kept whole in the cache (every row, active
or not: a ticket may still point at a retired type) and dropped whenever a row is saved or
deleted. With Redis the cache is shared and the drop is seen at once by every process; with the
embedded local-memory cache another process may show an edited name for up to CACHE_SECONDS.

Products are not here: that list can be long and is searched, never shown whole.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model

from servicedesk.core.signals import on_change
from servicedesk.customers.models import Criticality, TicketType, WorkType

CACHED_MODELS: tuple[type[Model], ...] = (TicketType, Criticality, WorkType)
CACHE_SECONDS = 300


def _key(model: type[Model]) -> str:
    return f"reference:v1:{model._meta.label_lower}"


def reference_rows(*models: type[Model]) -> dict[type[Model], dict[int, Any]]:
    """Every row of each list, by primary key, in the list's order: one cache round trip for
    all of them, one query per list that is not cached yet."""
    keys = {_key(model): model for model in models}
    found = cache.get_many(list(keys))
    result: dict[type[Model], dict[int, Any]] = {}
    for key, model in keys.items():
        rows = found.get(key)
        if rows is None:
            rows = {row.pk: row for row in model._default_manager.all()}
            cache.set(key, rows, CACHE_SECONDS)
        result[model] = rows
    return result


def active_choices(rows: dict[int, Any]) -> list[tuple[int, str]]:
    """(pk, name in the active language) of the active rows, in the list's order."""
    return [(pk, row.name) for pk, row in rows.items() if row.is_active]


def attach_reference_rows(objects: list[Any], **fields: type[Model]) -> None:
    """Set foreign keys to reference rows (field name → model) on objects from the cache, as
    select_related would, without joining the tables into the query."""
    if not objects:
        return
    rows = reference_rows(*fields.values())
    for name, model in fields.items():
        field = type(objects[0])._meta.get_field(name)
        for obj in objects:
            pk = getattr(obj, field.attname)
            field.set_cached_value(obj, rows[model].get(pk) if pk is not None else None)


def _forget(sender: type[Model], **kwargs: Any) -> None:
    key = _key(sender)
    cache.delete(key)
    # A transaction still open may yet read the old rows into the cache: forget again after it.
    transaction.on_commit(lambda: cache.delete(key))


def connect_signals(models: tuple[type[Model], ...] = CACHED_MODELS) -> None:
    """Drop a list from the cache whenever one of its rows is saved or deleted. Other apps'
    reference lists (e.g. the survey's criteria) join by calling this with their models."""
    on_change(_forget, *models, uid="reference-forget")
