"""`manage.py kb_reindex`: rebuild the knowledge base's search index from the articles (after a
restore, an import that bypassed the services, or a change to the engine)."""

from typing import Any

from django.core.management.base import BaseCommand

from servicedesk.knowledge.search import reindex_all


class Command(BaseCommand):
    help = "Rebuild the knowledge base's search index."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reindex_all()
        self.stdout.write(f"Indexed {count} articles.")
