"""A piece of equipment's service history («История обслуживания»): the tickets filed on it,
newest first, each with its completed works, and the figures that sum them up (tickets, open
tickets, works, billed hours, materials used, what the works cost).

Reads only, each in a fixed number of queries whatever the number of tickets and works. The
tickets come from `Ticket.objects.visible_to(user)`; the works are whatever queryset the caller
passes — staff pages pass `CompletedWork.objects.visible_to(user)` (docs/decisions/0015:
customers see no works), the portal passes the works of tickets whose act is issued, as the
acts app decides (acts/building.py: `issued_works`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from servicedesk.customers.models import Equipment, TicketType, WorkType
from servicedesk.customers.reference import attach_reference_rows
from servicedesk.tickets.models import OPEN_STATUSES, Ticket
from servicedesk.works.models import CompletedWork, Unit, WorkEngineer, WorkMaterial


@dataclass(frozen=True)
class MaterialTotal:
    """One material used on the equipment over time: its name in the reader's language (as a
    work's line shows it), its unit's short name and the quantity summed over every work."""

    name: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class HistorySummary:
    tickets: int
    open_tickets: int
    works: int
    hours: int
    materials: tuple[MaterialTotal, ...]
    amount: Decimal


def equipment_tickets(user: Any, equipment: Equipment) -> QuerySet[Ticket]:
    """The tickets filed on the equipment that `user` may see, newest first, with their
    assignee (the ticket type comes from the reference cache: `attach_ticket_types`)."""
    return (
        Ticket.objects.visible_to(user)
        .filter(equipment=equipment)
        .select_related("assignee")
        .order_by("-created_at", "-id")
    )


def attach_ticket_types(tickets: list[Ticket]) -> None:
    attach_reference_rows(tickets, ticket_type=TicketType)


def works_by_ticket(
    works: QuerySet[CompletedWork], ticket_ids: Iterable[int]
) -> dict[int, list[CompletedWork]]:
    """The works of these tickets (narrowed from `works`), oldest first within each ticket, with
    their engineers and materials: three queries (the work types come from the cache)."""
    found = list(
        works.filter(ticket_id__in=list(ticket_ids))
        .prefetch_related(
            Prefetch("engineers", queryset=WorkEngineer.objects.select_related("engineer")),
            Prefetch("materials", queryset=WorkMaterial.objects.select_related("material")),
        )
        .order_by("started_at", "id")
    )
    attach_reference_rows(found, work_type=WorkType)
    grouped: dict[int, list[CompletedWork]] = {}
    for work in found:
        grouped.setdefault(work.ticket_id, []).append(work)
    return grouped


def history_summary(tickets: QuerySet[Ticket], works: QuerySet[CompletedWork]) -> HistorySummary:
    """The figures of the history: `tickets` counted (all, open), and `works` (of those
    tickets) summed — billed hours per engineer per work as the act bills them (by the
    started hour), materials by name and unit, and the amount. Four queries."""
    counts = tickets.order_by().aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES))
    )
    works = works.filter(ticket__in=tickets.order_by().values("pk")).order_by()
    work_figures = works.aggregate(count=Count("pk"), price=Sum("work_type_price"))
    amount = Decimal(work_figures["price"] or 0)
    hours = 0
    for engineer in WorkEngineer.objects.filter(work__in=works.values("pk")).only(
        "started_at", "finished_at", "hourly_rate"
    ):
        hours += engineer.hours
        amount += engineer.amount
    quantities: dict[tuple[str, str], Decimal] = {}
    for material in (
        WorkMaterial.objects.filter(work__in=works.values("pk"))
        .select_related("material")
        .order_by("id")
    ):
        key = (material.display_name, str(Unit(material.unit).label))
        quantities[key] = quantities.get(key, Decimal(0)) + material.quantity
        amount += material.amount
    return HistorySummary(
        tickets=counts["total"],
        open_tickets=counts["open"],
        works=work_figures["count"],
        hours=hours,
        materials=tuple(
            MaterialTotal(name=name, unit=unit, quantity=quantity)
            for (name, unit), quantity in sorted(
                quantities.items(), key=lambda item: (item[0][0].casefold(), item[0][1])
            )
        ),
        amount=amount,
    )


def open_ticket_counts(equipment_ids: Iterable[int]) -> dict[int, int]:
    """How many open tickets each piece of equipment has (a list's column): one query."""
    return dict(
        Ticket.objects.filter(equipment_id__in=list(equipment_ids), status__in=OPEN_STATUSES)
        .order_by()
        .values("equipment_id")
        .annotate(n=Count("pk"))
        .values_list("equipment_id", "n")
    )
