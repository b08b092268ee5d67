"""«Аналитика → Отчет для клиента»: the customer's live report on their tickets and equipment
(reports/client.py counts; this page reads the filters, draws and exports).

The filters live in the URL (a GET form): the mode, the period, the companies and the places.
Ids the reader may not see are dropped, never trusted; a reversed or absurd period is a form
error shown above the report, which then covers the default period. Clicking a chart's segment
adds a drill filter (type, criticality, equipment type) that narrows the tickets' table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import portal_view
from servicedesk.accounts.imports import neutralise
from servicedesk.core.pdf import pdf_from_html
from servicedesk.customers.models import Company, Criticality, Equipment, Site, TicketType
from servicedesk.customers.reference import reference_rows
from servicedesk.reports import svg
from servicedesk.reports.client import (
    ClientReport,
    Figures,
    Mode,
    analytics_companies,
    by_equipment_type,
    by_type,
    figures,
    place_names,
    reliability,
    report_tickets,
    sla_by_month,
)
from servicedesk.tickets.workflow import customer_status_label
from servicedesk.web.report_period import DEFAULT_DAYS, PeriodForm

PAGE_SIZE = 25
EXPORT_LIMIT = 20_000

MODE_VALUES = frozenset(m.value for m in Mode)
MODES = [
    (Mode.ACTIVE.value, gettext_lazy("Active tickets")),
    (Mode.COMPLETED.value, gettext_lazy("Tickets completed in the period")),
    (Mode.CREATED.value, gettext_lazy("Tickets created in the period")),
]


class ReportForm(PeriodForm):
    mode = forms.ChoiceField(label=gettext_lazy("Tickets"), choices=MODES, required=False)


@dataclass(frozen=True)
class Place:
    """A checkbox of the places' tree: a site (indented by its depth) or a piece of equipment
    under its site."""

    value: str  # "s<id>" or "e<id>"
    label: str
    depth: int
    checked: bool


def _ids(values: list[str], prefix: str) -> set[int]:
    return {int(v[len(prefix) :]) for v in values if v.startswith(prefix) and v[1:].isdigit()}


def _report(request: HttpRequest) -> tuple[ClientReport, ReportForm, list[Company], list[Place]]:
    user = request.user
    companies = analytics_companies(user)
    if not companies:
        raise Http404
    form = ReportForm(request.GET or None)
    today = timezone.localdate()
    start, end, mode = today - dt.timedelta(days=DEFAULT_DAYS - 1), today, Mode.CREATED
    if form.is_bound and form.is_valid():
        mode = Mode(form.cleaned_data["mode"] or Mode.CREATED)
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    elif form.is_bound:
        asked_mode = request.GET.get("mode", "")
        mode = Mode(asked_mode) if asked_mode in MODE_VALUES else mode
    allowed = {c.pk for c in companies}
    asked = _ids([f"c{v}" for v in request.GET.getlist("company")], "c") & allowed
    chosen = asked or allowed
    places = _places(user, chosen, request.GET.getlist("place"))
    site_ids = {int(p.value[1:]) for p in places if p.checked and p.value[0] == "s"}
    equipment_ids = {int(p.value[1:]) for p in places if p.checked and p.value[0] == "e"}
    report = ClientReport(
        user=user,
        mode=mode,
        start=start,
        end=end,
        time_zone=timezone.get_current_timezone_name(),
        company_ids=frozenset(chosen),
        site_ids=frozenset(site_ids) if site_ids or equipment_ids else None,
        equipment_ids=frozenset(equipment_ids) if site_ids or equipment_ids else None,
    )
    return report, form, companies, places


def _places(user: Any, companies: set[int], asked: list[str]) -> list[Place]:
    """The sites and equipment of the chosen companies the reader may see, as a tree; the
    asked ones that are among them checked (others dropped)."""
    sites = list(
        Site.objects.visible_to(user).filter(company_id__in=companies).order_by("path", "pk")
    )
    equipment = list(
        Equipment.objects.visible_to(user).filter(company_id__in=companies).order_by("name", "pk")
    )
    wanted = set(asked)
    under: dict[int | None, list[Equipment]] = {}
    for item in equipment:
        under.setdefault(item.site_id, []).append(item)

    def machine(item: Equipment, depth: int) -> Place:
        return Place(f"e{item.pk}", str(item), depth, f"e{item.pk}" in wanted)

    tree: list[Place] = []
    for site in sites:
        depth = max(site.path.count("/") - 1, 0) if site.path else 0
        tree.append(Place(f"s{site.pk}", site.name, depth, f"s{site.pk}" in wanted))
        tree.extend(machine(item, depth + 1) for item in under.pop(site.pk, []))
    # Equipment without a site, or under a site the reader does not see.
    tree.extend(machine(item, 0) for items in under.values() for item in items)
    return tree


def _drilled(request: HttpRequest, tickets: Any) -> tuple[Any, dict[str, str]]:
    """The tickets' table narrowed by a chart's segment: type, criticality, equipment type."""
    drill: dict[str, str] = {}
    kind = request.GET.get("type", "")
    if kind.isdigit():
        tickets, drill["type"] = tickets.filter(ticket_type_id=int(kind)), kind
    level = request.GET.get("criticality", "")
    if level.isdigit():
        tickets, drill["criticality"] = tickets.filter(criticality_id=int(level)), level
    if "equipment_type" in request.GET:
        label = request.GET["equipment_type"][:200]
        tickets = tickets.filter(equipment__equipment_type=label)
        if not label:
            tickets = tickets.exclude(equipment__equipment_type__gt="")
        drill["equipment_type"] = label
    return tickets, drill


def _days(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def _charts(report: ClientReport) -> dict[str, Any]:
    """Each chart's series with its labels in the reader's language (json_script hands it to
    static/js/analytics.js; the same data fills the tables under the charts)."""
    names = reference_rows(TicketType, Criticality)
    types, levels = names[TicketType], names[Criticality]
    slices = by_type(report)
    no_type = _("No equipment type")
    months = sla_by_month(report)
    rows = reliability(report)
    places = place_names(rows)
    return {
        "types": [
            {
                "id": s.type_id,
                "label": types[s.type_id].name if s.type_id in types else "?",
                "count": s.count,
                "criticality": [
                    {
                        "id": level_id,
                        "label": levels[level_id].name if level_id in levels else "?",
                        "count": n,
                        "color": levels[level_id].color if level_id in levels else "",
                    }
                    for level_id, n in sorted(s.by_criticality.items(), key=lambda kv: -kv[1])
                ],
            }
            for s in slices
        ],
        "equipment_types": [
            {
                "label": b.label or no_type,
                "value": b.label,
                "on_time": b.on_time,
                "overdue": b.overdue,
            }
            for b in by_equipment_type(report)
        ],
        "sla": [
            {
                "label": date_format(m.month, "YEAR_MONTH_FORMAT"),
                "closed": m.closed,
                "on_time": m.on_time,
                "share": round(m.share * 100, 1) if m.share is not None else None,
            }
            for m in months
        ],
        "reliability": [
            {
                "label": places.get(("equipment", r.equipment_id), "")
                if r.equipment_id
                else places.get(("site", r.site_id or 0), _("No site or equipment")),
                "tickets": r.tickets,
                "mtbf": _days(r.mtbf),
                "mttr": _days(r.mttr),
            }
            for r in rows
        ],
        "labels": {
            "tickets": _("Tickets"),
            "on_time": _("On time"),
            "overdue": _("Overdue"),
            "share": _("Resolved on time, %"),
        },
    }


def _newest_first(tickets: Any) -> Any:
    return tickets.select_related("site", "equipment__site").order_by("-created_at", "-pk")


def _ticket_rows(tickets: Any, limit: int) -> list[list[str]]:
    """The tickets' table as the exports write it: number, type, criticality, subject, object,
    address, status, deadline, created (newest first, `limit` at most)."""
    names = reference_rows(TicketType, Criticality)
    rows = []
    for ticket in _newest_first(tickets)[:limit]:
        place = ticket.equipment or ticket.site
        site = ticket.equipment.site if ticket.equipment else ticket.site
        rows.append(
            [
                ticket.number,
                _name(names[TicketType], ticket.ticket_type_id),
                _name(names[Criticality], ticket.criticality_id),
                ticket.subject,
                str(place) if place else "",
                site.address if site else "",
                customer_status_label(ticket.status),
                _local(ticket.due_at),
                _local(ticket.created_at),
            ]
        )
    return rows


@portal_view
@require_GET
def client_report(request: HttpRequest) -> HttpResponse:
    report, form, companies, places = _report(request)
    tickets, drill = _drilled(request, report_tickets(report))
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(report, tickets, export)
    if export == "pdf":
        return _pdf(report, tickets, companies)
    page = Paginator(_newest_first(tickets), PAGE_SIZE).get_page(request.GET.get("page"))
    names = reference_rows(TicketType, Criticality)
    types, levels = names[TicketType], names[Criticality]
    for ticket in page:
        ticket.type_name = _name(types, ticket.ticket_type_id)
        ticket.criticality_name = _name(levels, ticket.criticality_id)
        ticket.status_label = customer_status_label(ticket.status)
    no_type = _("No equipment type")
    drill_label = " · ".join(
        part
        for part in (
            _name(types, int(drill["type"])) if "type" in drill else "",
            _name(levels, int(drill["criticality"])) if "criticality" in drill else "",
            (drill["equipment_type"] or no_type) if "equipment_type" in drill else "",
        )
        if part
    )
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    undrilled = query.copy()
    for key in ("type", "criticality", "equipment_type"):
        undrilled.pop(key, None)
    return render(
        request,
        "portal/analytics.html",
        {
            "section": "analytics",
            "form": form,
            "report": report,
            "companies": companies,
            "chosen_companies": report.company_ids or set(),
            "places": places,
            "figures": figures(report),
            "charts": _charts(report),
            "page": page,
            "drill": drill,
            "drill_label": drill_label,
            "query": query.urlencode(),
            "undrilled": undrilled.urlencode(),
        },
    )


def _name(rows: dict[int, Any], pk: int | None) -> str:
    row = rows.get(pk) if pk is not None else None
    return str(row.name) if row is not None else ""


def _figure_rows(found: Figures) -> list[tuple[str, int]]:
    return [
        (_("Tickets"), found.tickets),
        (_("Overdue"), found.overdue),
        (_("Not yet accepted"), found.unassigned),
        (_("Awaiting your reply"), found.awaiting_customer),
        (_("Without a deadline"), found.without_deadline),
        (_("Hours of work"), found.hours),
    ]


def _export(report: ClientReport, tickets: Any, kind: str) -> HttpResponse:
    """The KPIs, then the tickets behind the filters, as CSV or XLSX; text cells a spreadsheet
    would run as formulas are neutralised."""
    header = [
        _("Number"), _("Type"), _("Criticality"), _("Subject"), _("Object"), _("Address"),
        _("Status"), _("Deadline"), _("Created"),
    ]  # fmt: skip
    typed = (3, 4, 5)  # the subject, the object and the address: typed in by people
    rows = [
        [neutralise(cell) if n in typed else cell for n, cell in enumerate(row)]
        for row in _ticket_rows(tickets, EXPORT_LIMIT)
    ]
    kpis = [[label, value] for label, value in _figure_rows(figures(report))]
    period = f"{report.start.isoformat()}_{report.end.isoformat()}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows([*kpis, [], header, *rows])
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)  # streamed rows: a year of a big customer is ~20k
        sheet = book.create_sheet(_("Tickets")[:31])
        for row in (header, *rows):
            sheet.append(row)
        summary = book.create_sheet(_("Figures")[:31])
        for kpi in kpis:
            summary.append(kpi)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="report-{period}.{kind}"'
    return response


PDF_ROWS = 100


def _pdf(report: ClientReport, tickets: Any, companies: list[Company]) -> HttpResponse:
    """The whole report on A4: the KPIs, the charts drawn as SVG (reports/svg.py), the
    reliability table and the first PDF_ROWS tickets behind the filters."""
    charts = _charts(report)
    number = number_format
    chosen = [c for c in companies if c.pk in (report.company_ids or ())]
    rows = [row[:5] + row[6:8] for row in _ticket_rows(tickets, PDF_ROWS)]
    context = {
        "report": report,
        "companies": chosen or companies,
        "mode_label": dict(MODES)[report.mode],
        "made_at": timezone.now(),
        "kpis": _figure_rows(figures(report)),
        "charts": charts,
        "svg_types": svg.donut(
            [svg.Slice(t["label"], t["count"]) for t in charts["types"]],
            title=_("Tickets by type"),
            fmt=lambda v: number(v, 0),
        ),
        "svg_equipment": svg.stacked_bars(
            [(b["label"], b["on_time"], b["overdue"]) for b in charts["equipment_types"]],
            title=_("Tickets by equipment type"),
            legend=(_("On time"), _("Overdue")),
            fmt=lambda v: number(v, 0),
        ),
        "svg_sla": svg.percent_line(
            [(m["label"], m["share"]) for m in charts["sla"]],
            title=_("Resolved on time, by month"),
        ),
        "rows": rows,
        "total": tickets.count(),
    }
    html = render_to_string("portal/analytics_pdf.html", context)
    response = HttpResponse(
        pdf_from_html(html, stylesheets=("css/report.css",)), content_type="application/pdf"
    )
    period = f"{report.start.isoformat()}_{report.end.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="report-{period}.pdf"'
    return response


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
