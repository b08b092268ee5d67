"""Full-text search over subject and description (servicedesk/tickets/search.py).

PostgreSQL: a GIN index on to_tsvector('russian', subject || ' ' || description), built from the
same expression the search queries with. SQLite: an FTS5 table over tickets_ticket kept in step
by triggers. Other databases: nothing (search falls back to containment).
"""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX_NAME = "ticket_search_russian"


def _index() -> Any:
    # The expression as it stood (0004 moved the index to a stored column); kept here so that
    # this migration stays the same whatever search.py becomes.
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("subject", "description", config="russian"), name=INDEX_NAME)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.add_index(apps.get_model("tickets", "Ticket"), _index())
    elif vendor == "sqlite":
        from servicedesk.tickets.search import sqlite_fts_ensure

        sqlite_fts_ensure(schema_editor.connection.alias)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("tickets", "Ticket"), _index())
    elif vendor == "sqlite":
        from servicedesk.tickets.search import sqlite_fts_drop

        sqlite_fts_drop(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_ticketlistpreference")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
