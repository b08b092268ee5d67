from typing import Any

from django.db import migrations

# The customer's report (reports/client.py) reads one company's tickets (the biggest has ~50,000
# of 1M) filed in a period, and counts and groups them by status, type, criticality, place,
# assignee and deadlines. Keyed by company and filing time and carrying those columns
# (INCLUDE), this index answers every one of its queries by an index-only scan: at 1M tickets
# the three-year report went from ~1.3 s (each query fetched 50,000 tickets scattered over the
# table) to ~0.15 s (bench/README.md, "Reports"). PostgreSQL only: SQLite cannot write INCLUDE.
CLIENT = (
    'CREATE INDEX "ticket_client_filed" ON "tickets_ticket" ("company_id", "created_at") '
    'INCLUDE ("id", "status", "ticket_type_id", "criticality_id", "equipment_id", "site_id", '
    '"assignee_id", "due_at", "resolved_at")'
)


def add(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CLIENT)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "ticket_client_filed"')


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_report_indexes"),
    ]

    operations = [
        migrations.RunPython(add, drop, elidable=False),
    ]
