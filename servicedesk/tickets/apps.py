from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _search_tables_ensure(using: str = "default", **kwargs: Any) -> None:
    # SQLite rebuilds a table (dropping its triggers) when a migration alters it; put the
    # full-text triggers back and reindex if that happened (servicedesk/tickets/search.py).
    from servicedesk.tickets.search import sqlite_fts_ensure

    sqlite_fts_ensure(using)


def _ticket_changed(instance: Any, **kwargs: Any) -> None:
    from servicedesk.tickets import counts

    counts.company_changed(instance.company_id)


def _company_changed(instance: Any, **kwargs: Any) -> None:
    # A company, or a site or piece of equipment of one: the lists' filter choices change.
    from servicedesk.tickets import counts

    counts.company_changed(getattr(instance, "company_id", instance.pk), counts.PLACES)


class TicketsConfig(AppConfig):
    name = "servicedesk.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from servicedesk.customers.models import Company, Equipment, Site
        from servicedesk.tickets.models import Ticket

        post_migrate.connect(_search_tables_ensure, sender=self)
        post_save.connect(_ticket_changed, sender=Ticket, dispatch_uid="ticket-counts-save")
        post_delete.connect(_ticket_changed, sender=Ticket, dispatch_uid="ticket-counts-delete")
        for model in (Company, Site, Equipment):
            post_save.connect(_company_changed, sender=model, dispatch_uid=f"counts-save-{model}")
            post_delete.connect(_company_changed, sender=model, dispatch_uid=f"counts-del-{model}")
