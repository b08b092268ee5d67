"""The batch acts' selection: which tickets of one customer go into a «Сервисный акт» or a
«Бухгалтерский акт» for a period, and the documents made from them.

Everything goes through the scoping layer: the tickets are `Ticket.objects.visible_to(user)`,
the company, sites and equipment were picked from the user's `visible_to()` querysets by the
form. A ticket goes in when it has at least one completed work finished within the period (in
the reader's time zone, both days included); only those works are listed. A customer gets only
tickets whose act the provider has issued: issuing is how the provider lets a customer read what
its works cost (the works themselves are never shown to customers: docs/decisions/0015).

The works come through `works.act.act_inputs_by_ticket` (no internal notes, ever), in a fixed
number of queries whatever the number of tickets: the tickets, their works, the works'
engineers, materials and photos (unused), the issued acts' numbers, «Наша компания».
"""

from __future__ import annotations

import dataclasses
import functools
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation

from servicedesk.acts.batch_content import (
    AccountingLayout,
    BatchContent,
    BatchKind,
    BatchTicketInput,
    batch_documents_build,
)
from servicedesk.acts.building import work_input
from servicedesk.acts.models import Act
from servicedesk.acts.selectors import (
    TICKET_FACTS_RELATED,
    company_requisites,
    our_company,
    ticket_facts,
)
from servicedesk.customers.models import Company, Equipment, Site
from servicedesk.tickets.models import Ticket
from servicedesk.works.act import act_inputs_by_ticket
from servicedesk.works.models import CompletedWork

# A selection holds at most this many tickets: WeasyPrint makes a «Сервисный акт» of 500 in
# ~12 s of CPU, one act per ticket in ~0.2 s each (bench/service_act.py), in the request. A
# wider selection is refused with a message to narrow it.
MAX_TICKETS = 500
MAX_SEPARATE_ACTS = 100  # «Бухгалтерский акт» по каждой заявке
# The longest period one document covers (a year, a leap one included).
MAX_PERIOD_DAYS = 366


@dataclasses.dataclass(frozen=True)
class BatchSelection:
    """What a batch form asked for: one company (required), a period (both days included),
    and optionally sites (with everything beneath them), equipment and ticket statuses."""

    company: Company
    period_from: date
    period_to: date
    sites: tuple[Site, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    statuses: tuple[str, ...] = ()

    def bounds(self, time_zone: str) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) in `time_zone`."""
        zone = zoneinfo.ZoneInfo(time_zone)
        start = datetime.combine(self.period_from, time.min, tzinfo=zone)
        end = datetime.combine(self.period_to + timedelta(days=1), time.min, tzinfo=zone)
        return start, end


@dataclasses.dataclass(frozen=True)
class BatchResult:
    """The documents (empty when no ticket qualifies), or `too_many` when more than `limit`
    tickets do (then no documents are made)."""

    documents: list[BatchContent]
    too_many: bool = False
    limit: int = 0

    @property
    def ticket_count(self) -> int:
        return sum(len(document.tickets) for document in self.documents)

    @property
    def work_count(self) -> int:
        return sum(document.work_count for document in self.documents)

    @property
    def total(self) -> Decimal:
        return sum((document.total for document in self.documents), Decimal("0.00"))


def batch_tickets(user: Any, selection: BatchSelection, *, time_zone: str) -> QuerySet[Ticket]:
    """The tickets a batch act over `selection` lists, as `user` may see them, oldest first."""
    start, end = selection.bounds(time_zone)
    tickets = Ticket.objects.visible_to(user).filter(company=selection.company)
    if selection.statuses:
        tickets = tickets.filter(status__in=selection.statuses)
    if selection.sites or selection.equipment:
        place = Q(equipment__in=[item.pk for item in selection.equipment])
        for site in selection.sites:
            if site.path:  # the site and everything beneath it, as the ticket lists filter
                place |= Q(site__path__startswith=site.path)
                place |= Q(equipment__site__path__startswith=site.path)
            else:
                place |= Q(site=site) | Q(equipment__site=site)
        tickets = tickets.filter(place)
    if not getattr(user, "is_provider_staff", False):
        tickets = tickets.filter(Exists(Act.objects.filter(ticket=OuterRef("pk"))))
    done = CompletedWork.objects.filter(
        ticket=OuterRef("pk"), finished_at__gte=start, finished_at__lt=end
    )
    return tickets.filter(Exists(done)).order_by("created_at", "pk")


def batch_build(
    user: Any,
    selection: BatchSelection,
    *,
    kind: BatchKind | str,
    accounting_layout: AccountingLayout | str = AccountingLayout.SUMMARY,
    number: str = "",
    language: str,
    time_zone: str,
    day: date,
) -> BatchResult:
    """The documents of a batch form (see batch_content.batch_documents_build), in `language`
    with the instants in `time_zone`, dated `day`. A fixed number of queries."""
    separate = kind == BatchKind.ACCOUNTING and accounting_layout == AccountingLayout.PER_TICKET
    limit = MAX_SEPARATE_ACTS if separate else MAX_TICKETS
    tickets = list(
        batch_tickets(user, selection, time_zone=time_zone).select_related(*TICKET_FACTS_RELATED)[
            : limit + 1
        ]
    )
    if len(tickets) > limit:
        return BatchResult(documents=[], too_many=True, limit=limit)
    if not tickets:
        return BatchResult(documents=[])
    start, end = selection.bounds(time_zone)
    language = "en" if language.startswith("en") else "ru"
    ids = [ticket.pk for ticket in tickets]
    with translation.override(language):
        works = act_inputs_by_ticket(ids, finished_from=start, finished_before=end)
    acts = dict(Act.objects.filter(ticket_id__in=ids).values_list("ticket_id", "number"))
    inputs = [
        BatchTicketInput(
            facts=ticket_facts(ticket),
            works=tuple(work_input(work) for work in works[ticket.pk]),
            act_number=acts.get(ticket.pk, ""),
        )
        for ticket in tickets
        if works.get(ticket.pk)  # a work deleted since the tickets were read
    ]
    if not inputs:
        return BatchResult(documents=[])
    company = our_company()
    build = functools.partial(
        batch_documents_build,
        kind=kind,
        accounting_layout=accounting_layout,
        provider=company.requisites(),
        customer=company_requisites(selection.company),
        settings=company.act_settings(),
        period=(selection.period_from, selection.period_to),
        language=language,
        day=day,
        time_zone=time_zone,
        number=number,
    )
    return BatchResult(documents=build(tickets=inputs))
