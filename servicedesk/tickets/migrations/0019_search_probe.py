"""PostgreSQL: `tickets_search_probe(query, cap)` — the ids of up to `cap` tickets matching a
text-search query, always read through the GIN index (tickets/search.py, `_all_if_few_prefix`
and `similar_tickets`).

The planner estimates a prefix, or several words, it has no statistics for in 2–3% of the
tickets and reads the table for them; for words in no ticket that reads all of them. The
function's own settings (applied only while it runs) leave it the index, whose cost follows
the real matches.

`tickets_search_probe_any(query, cap)` is the same for a query of words joined by OR (similar
tickets), with `gin_fuzzy_search_limit`: a word in more than 1,000 tickets gives a sample of
about 1,000 of them — still more than the caller's cap, which is all it needs to know — so a
common word costs a few milliseconds instead of a hundred. A sample would be wrong for words
joined by AND (two samples may not meet), so the exact function serves those.

Nothing on SQLite, which has its own full-text table."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tickets_search_probe(query tsquery, cap integer)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
SET enable_indexscan = off
AS $$ SELECT id FROM tickets_ticket WHERE search_document @@ query LIMIT cap $$;

CREATE OR REPLACE FUNCTION tickets_search_probe_any(query tsquery, cap integer)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
SET enable_indexscan = off
SET gin_fuzzy_search_limit = 1000
AS $$ SELECT id FROM tickets_ticket WHERE search_document @@ query LIMIT cap $$
"""
DROP = """
DROP FUNCTION IF EXISTS tickets_search_probe(tsquery, integer);
DROP FUNCTION IF EXISTS tickets_search_probe_any(tsquery, integer)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0018_event_article")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
