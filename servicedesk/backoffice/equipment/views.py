"""«Оборудование» in the back office: a list of every customer's equipment (search by name,
serial number or model; a company filter) and a piece of equipment's page — its facts and its
service history («История обслуживания»): the tickets filed on it, newest first, each with its
completed works (engineers with billed hours, materials, amounts and internal notes: staff
only), and the figures that sum them up. Every member of staff sees every piece (they see every
ticket and every work); each page runs a fixed number of queries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.backoffice.equipment.passport import LAYOUTS
from servicedesk.backoffice.people.common import elided_range
from servicedesk.core.forms import page_number, pk_or_none
from servicedesk.customers import passport
from servicedesk.customers.access import access_equipment
from servicedesk.customers.models import Company, Contract, Equipment
from servicedesk.customers.selectors import site_address, site_chain
from servicedesk.works import history
from servicedesk.works.models import CompletedWork

LIST_PER_PAGE = 50
HISTORY_PER_PAGE = 20
QUERY_MAX_LENGTH = 200


@backoffice_view
@require_GET
def equipment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    company_id = pk_or_none(request.GET.get("company"))
    rows = Equipment.objects.visible_to(request.user).select_related("company", "site")
    if query:
        rows = rows.filter(
            Q(name__icontains=query) | Q(serial_number__icontains=query) | Q(model__icontains=query)
        )
    if company_id is not None:
        rows = rows.filter(company_id=company_id)
    page = Paginator(rows.order_by("company__name", "name", "id"), LIST_PER_PAGE).get_page(
        page_number(request.GET.get("page"))
    )
    items = list(page.object_list)
    open_counts = history.open_ticket_counts(item.pk for item in items)
    return render(
        request,
        "backoffice/equipment/list.html",
        {
            "section": "equipment",
            "page": page,
            "elided_range": elided_range(page),
            "rows": [(item, open_counts.get(item.pk, 0)) for item in items],
            "query": query,
            "company_id": company_id,
            "companies": list(Company.objects.order_by("name").values_list("pk", "name")),
            "label_layouts": LAYOUTS.values(),
        },
    )


@backoffice_view
@require_GET
def equipment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if pk_or_none(pk) is None:
        raise Http404
    equipment = access_equipment(user, pk)
    tickets = history.equipment_tickets(user, equipment)
    page = Paginator(tickets, HISTORY_PER_PAGE).get_page(page_number(request.GET.get("page")))
    shown = list(page.object_list)
    history.attach_ticket_types(shown)
    works = CompletedWork.objects.visible_to(user)
    by_ticket = history.works_by_ticket(works, [ticket.pk for ticket in shown])
    chain = site_chain(user, equipment.site)
    return render(
        request,
        "backoffice/equipment/detail.html",
        {
            "section": "equipment",
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
            "summary": history.history_summary(tickets, works),
            "page": page,
            "elided_range": elided_range(page),
            "history": [(ticket, by_ticket.get(ticket.pk, [])) for ticket in shown],
            "passport_url": passport.passport_url(equipment),
            "passport_qr": passport.qr_svg_inline(passport.passport_url(equipment)),
        },
    )
