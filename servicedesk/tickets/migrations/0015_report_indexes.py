from typing import Any

from django.db import migrations

# The provider's reports (reports/provider.py) read a period's tickets by when they were filed
# and by when they were done (resolved, or closed without being resolved) and group them by
# company, assignee, type, channel and deadlines. Each index carries those columns (INCLUDE), so
# that PostgreSQL answers from the index alone (an index-only scan) instead of fetching every
# ticket of the period from the table: at 1M tickets a 90-day period is ~80,000 of them.
# PostgreSQL only, outside the model's Meta: SQLite cannot write INCLUDE.
COLUMNS = (
    '"status", "company_id", "assignee_id", "ticket_type_id", "origin", "due_at", '
    '"first_response_due_at", "first_responded_at", "resolved_at", "closed_at", "sla_paused_at"'
)
FILED = f'CREATE INDEX "ticket_report_filed" ON "tickets_ticket" ("created_at") INCLUDE ({COLUMNS})'
DONE = (
    'CREATE INDEX "ticket_report_done" ON "tickets_ticket" '
    '((COALESCE("resolved_at", "closed_at"))) '
    f'INCLUDE ("created_at", {COLUMNS}) '
    "WHERE \"status\" IN ('closed', 'resolved')"
)


def add(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILED)
        schema_editor.execute(DONE)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "ticket_report_filed"')
        schema_editor.execute('DROP INDEX IF EXISTS "ticket_report_done"')


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0014_company_resolved_index"),
    ]

    operations = [
        migrations.RunPython(add, drop, elidable=False),
    ]
