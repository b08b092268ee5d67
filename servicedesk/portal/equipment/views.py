"""A piece of equipment's page in the portal («Оборудование»), for the customers whose scope
includes it (`access_equipment`: another company's piece, one outside a listed scope and one
that does not exist are the same 404): its facts and its service history — the tickets on it
that the customer may see, newest first, and for each ticket whose act of completed work is
issued, its works as the act lists them (engineers with billed hours, materials; no internal
notes, no amounts: the act has those). A fixed number of queries whatever the history."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.acts.building import issued_act_works, issued_acts, issued_works
from servicedesk.acts.models import Act
from servicedesk.core.forms import page_number, pk_or_none
from servicedesk.customers.access import access_equipment
from servicedesk.customers.models import Contract
from servicedesk.customers.selectors import site_address, site_chain
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import customer_status_label
from servicedesk.works import history
from servicedesk.works.act import ActWork

PER_PAGE = 20


@dataclass(frozen=True)
class HistoryRow:
    ticket: Ticket
    status: str  # as the customer reads it
    act: Act | None
    works: list[ActWork]


@portal_view
@require_GET
def equipment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if pk_or_none(pk) is None:
        raise Http404
    equipment = access_equipment(user, pk)
    tickets = history.equipment_tickets(user, equipment)
    page = Paginator(tickets, PER_PAGE).get_page(page_number(request.GET.get("page")))
    shown = list(page.object_list)
    history.attach_ticket_types(shown)
    acts = issued_acts([ticket.pk for ticket in shown])
    works = issued_act_works(acts)
    chain = site_chain(user, equipment.site)
    return render(
        request,
        "portal/equipment/detail.html",
        {
            "section": "companies",
            "equipment": equipment,
            "site_chain": chain,
            "address": site_address(chain),
            "under_warranty": equipment.is_under_warranty(timezone.localdate()),
            "contracts": list(
                Contract.objects.visible_to(user)
                .filter(company_id=equipment.company_id)
                .covering(equipment=equipment)
                .order_by("-valid_from", "number")
            ),
            "today": timezone.localdate(),
            "summary": history.history_summary(tickets, issued_works(tickets)),
            "page": page,
            "history": [
                HistoryRow(
                    ticket=ticket,
                    status=customer_status_label(ticket.status),
                    act=acts.get(ticket.pk),
                    works=works.get(ticket.pk, []),
                )
                for ticket in shown
            ],
        },
    )
