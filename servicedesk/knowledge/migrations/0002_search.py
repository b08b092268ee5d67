"""The knowledge base's search index (servicedesk/knowledge/search.py).

PostgreSQL: pg_trgm, the columns `knowledge_article.search_document` (a weighted tsvector of
title, summary and text) and `search_head` (title and summary only, for the first pass), kept by
`search.index_article`, not on the Django model, each with a GIN index, and `knowledge_search_term`
(the indexed words, trigram-indexed, for typos). SQLite: the FTS5 table
`knowledge_article_fts` (stemmed words, rowid = article id), `knowledge_article_fts_head` (the
same for title and summary only, for the first pass) and the vocabulary table. The
statements are written here, not imported, so the migration stays what it was whatever
search.py becomes. Enabling pg_trgm needs a role allowed to create it (a superuser, or the
database owner on PostgreSQL 13+ since pg_trgm is a trusted extension).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

PG_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE knowledge_article ADD COLUMN search_document tsvector",
    "CREATE INDEX knowledge_article_search ON knowledge_article USING gin (search_document)",
    "ALTER TABLE knowledge_article ADD COLUMN search_head tsvector",
    "CREATE INDEX knowledge_article_search_head ON knowledge_article USING gin (search_head)",
    "CREATE TABLE knowledge_search_term (term text PRIMARY KEY)",
    "CREATE INDEX knowledge_search_term_trgm ON knowledge_search_term "
    "USING gin (term gin_trgm_ops)",
)
PG_DROP = (
    "DROP TABLE IF EXISTS knowledge_search_term",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_document",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_head",
)
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5("
    "title, summary, body, tokenize='unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts_head USING fts5("
    "title, summary, tokenize='unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts_vocab "
    "USING fts5vocab(knowledge_article_fts, 'row')",
)
SQLITE_DROP = (
    "DROP TABLE IF EXISTS knowledge_article_fts_vocab",
    "DROP TABLE IF EXISTS knowledge_article_fts_head",
    "DROP TABLE IF EXISTS knowledge_article_fts",
)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}.get(vendor, ()):
        schema_editor.execute(sql)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(vendor, ()):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
