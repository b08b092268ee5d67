from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _search_tables_ensure(using: str = "default", **kwargs: Any) -> None:
    # SQLite rebuilds a table (dropping its triggers) when a migration alters it; put the
    # full-text triggers back and reindex if that happened (servicedesk/tickets/search.py).
    from servicedesk.tickets.search import sqlite_fts_ensure

    sqlite_fts_ensure(using)


class TicketsConfig(AppConfig):
    name = "servicedesk.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from servicedesk.core.signals import on_change
        from servicedesk.customers.models import Company, Equipment, Site
        from servicedesk.tickets import (
            checks,  # noqa: F401  (registers the system checks)
            hooks,
            presence,
            receivers,
        )
        from servicedesk.tickets.models import Ticket

        post_migrate.connect(_search_tables_ensure, sender=self)
        hooks.stage_guard.connect(presence.presence_required)
        on_change(receivers.ticket_changed, Ticket, uid="ticket")
        on_change(receivers.company_changed, Company, Site, Equipment, uid="counts-places")
