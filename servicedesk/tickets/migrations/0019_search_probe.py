"""PostgreSQL: `tickets_search_probe(query, cap)` — the ids of up to `cap` tickets matching a
text-search query, always read through the GIN index (tickets/search.py, `_all_if_few`).

The planner estimates a prefix word it has no statistics for in 2% of the tickets and reads
the table for it; for a word in no ticket that reads all of them. The function's own settings
(applied only while it runs) leave it the index, whose cost follows the real matches. Nothing
on SQLite, which has its own full-text table."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tickets_search_probe(query tsquery, cap integer)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
SET enable_indexscan = off
AS $$ SELECT id FROM tickets_ticket WHERE search_document @@ query LIMIT cap $$
"""
DROP = "DROP FUNCTION IF EXISTS tickets_search_probe(tsquery, integer)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0018_event_article")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
