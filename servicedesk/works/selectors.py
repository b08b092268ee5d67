"""Reads of completed works shared by the back office and the act: each loads a ticket's works
with everything they show in a fixed number of queries, whatever their number (the works; their
engineers with the people; their materials with the list's entries; their photos — the work
types come from the reference cache)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from servicedesk.customers.models import Equipment, Site, WorkType
from servicedesk.customers.reference import attach_reference_rows
from servicedesk.tickets.models import Ticket
from servicedesk.works.amounts import works_total
from servicedesk.works.models import CompletedWork, WorkEngineer, WorkMaterial


def _with_lines(works: QuerySet[CompletedWork]) -> list[CompletedWork]:
    found = list(
        works.select_related("site", "equipment", "created_by", "updated_by")
        .prefetch_related(
            Prefetch("engineers", queryset=WorkEngineer.objects.select_related("engineer")),
            Prefetch("materials", queryset=WorkMaterial.objects.select_related("material")),
            "photos",
        )
        .order_by("started_at", "id")
    )
    attach_reference_rows(found, work_type=WorkType)
    return found


def work_list_for_ticket(ticket: Ticket, user: Any) -> list[CompletedWork]:
    """The ticket's works as `user` may see them (customers: none), oldest first."""
    return _with_lines(CompletedWork.objects.visible_to(user).filter(ticket=ticket))


def ticket_works(ticket: Ticket | int) -> list[CompletedWork]:
    """Every work of the ticket, for the domain's own use (the act, the totals): whoever shows
    what is made of them has decided that the reader may see it."""
    return _with_lines(CompletedWork.objects.filter(ticket=ticket))


def works_of_tickets(
    ticket_ids: Collection[int],
    *,
    finished_from: datetime | None = None,
    finished_before: datetime | None = None,
) -> list[CompletedWork]:
    """Every work of these tickets (finished in [`finished_from`, `finished_before`) when given:
    the batch acts' period), oldest first, for the domain's own use (the acts of several tickets
    at once): the same fixed number of queries as `ticket_works`, whatever the number of tickets
    and works."""
    works = CompletedWork.objects.filter(ticket_id__in=list(ticket_ids))
    if finished_from is not None:
        works = works.filter(finished_at__gte=finished_from)
    if finished_before is not None:
        works = works.filter(finished_at__lt=finished_before)
    return _with_lines(works)


def work_count(ticket: Ticket) -> int:
    return CompletedWork.objects.filter(ticket=ticket).count()


def ticket_works_total(ticket: Ticket | int) -> Decimal:
    """What the ticket's works cost together (works/amounts.py)."""
    return works_total(ticket_works(ticket))


def place_text(site: Site | None, equipment: Equipment | None) -> str:
    """Where a work was done, as the act says it: «Касса №1 (ATL-55-001) — Магазин на Арбате,
    г. Москва, ул. Арбат, д. 24»; the site alone; or nothing."""
    where = ""
    if site is not None:
        address = " ".join(site.address.split())
        where = f"{site.name}, {address}" if address else site.name
    if equipment is not None:
        return f"{equipment} — {where}" if where else str(equipment)
    return where
