"""«Отчеты»: the provider's reports for dispatchers and administrators (reports/provider.py
counts; this page reads the filters, draws the charts with their tables and exports them).

The filters live in the URL (a GET form): the period, and optionally a company, a ticket type,
an assignee and a channel. A reversed or absurd period is explained above the report, which then
covers the default period; an unknown company, type, person or channel is named and ignored.
Anyone without "reports.view_provider" gets 404, as on the other staff-only pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.imports import neutralise
from servicedesk.accounts.models import User
from servicedesk.accounts.rules import ASSIGNEE_ROLES
from servicedesk.backoffice.people.common import people_view
from servicedesk.conversations.models import SurveyCriterion
from servicedesk.core.pdf import pdf_from_html
from servicedesk.customers.models import Company, TicketType
from servicedesk.customers.reference import reference_rows
from servicedesk.reports import provider, svg
from servicedesk.reports.provider import Bucket, ProviderReport, Times
from servicedesk.tickets.models import Origin
from servicedesk.web.report_period import DEFAULT_DAYS, PeriodForm

COMPANY_ROWS = 50  # on the page; the export has them all
CHART_COMPANIES = 10

report_view = people_view("reports.view_provider")


class ReportForm(PeriodForm):
    """The provider's report's period (web/report_period.py)."""


@dataclass(frozen=True)
class Table:
    """A section's numbers as the page's table and the exports show them: `rows` hold text,
    whole numbers, decimals already rounded as displayed, or None (shown as "—")."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


def _hours(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _average(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _choice(request: AuthenticatedHttpRequest, name: str, allowed: dict[str, str]) -> str | None:
    value = request.GET.get(name, "").strip()
    return value if value in allowed else None


@dataclass(frozen=True)
class Choices:
    companies: dict[str, str]
    types: dict[str, str]
    staff: dict[str, str]
    origins: dict[str, str]


def _choices() -> Choices:
    companies = Company.objects.order_by("name", "pk").values_list("pk", "name")
    staff = (
        User.objects.filter(role__in=ASSIGNEE_ROLES, is_active=True)
        .order_by("full_name", "pk")
        .values_list("pk", "full_name", "email")
    )
    types = reference_rows(TicketType)[TicketType]
    return Choices(
        companies={str(pk): name for pk, name in companies},
        types={str(pk): str(row.name) for pk, row in types.items()},
        staff={str(pk): name or email or str(pk) for pk, name, email in staff},
        origins={value: str(label) for value, label in Origin.choices},
    )


def _report(
    request: AuthenticatedHttpRequest, choices: Choices
) -> tuple[ProviderReport, ReportForm, list[str]]:
    form = ReportForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=DEFAULT_DAYS - 1), today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        if end < start:  # only one of them given, on the wrong side of the other's default
            start, end = end - dt.timedelta(days=DEFAULT_DAYS - 1), end
    ignored = []
    picked: dict[str, str | None] = {}
    for name, allowed, label in (
        ("company", choices.companies, _("company")),
        ("type", choices.types, _("ticket type")),
        ("assignee", choices.staff, _("assignee")),
        ("origin", choices.origins, _("channel")),
    ):
        picked[name] = _choice(request, name, allowed)
        if request.GET.get(name, "").strip() and picked[name] is None:
            ignored.append(label)
    report = ProviderReport(
        user=request.user,
        start=start,
        end=end,
        time_zone=timezone.get_current_timezone_name(),
        company_id=int(picked["company"]) if picked["company"] else None,
        ticket_type_id=int(picked["type"]) if picked["type"] else None,
        assignee_id=int(picked["assignee"]) if picked["assignee"] else None,
        origin=picked["origin"],
    )
    return report, form, ignored


def _bucket_label(kind: Bucket, day: dt.date) -> str:
    if kind == Bucket.MONTH:
        return date_format(day, "YEAR_MONTH_FORMAT")
    return date_format(day, "SHORT_DATE_FORMAT")


def _person(names: dict[int, str], pk: int | None) -> str:
    if pk is None:
        return _("Nobody assigned")
    return names.get(pk, f"#{pk}")


def _sections(report: ProviderReport, choices: Choices) -> dict[str, Any]:
    """Every section's table (and the figures of the cards): the page and the exports."""
    found = provider.groups(report)
    volume = provider.volume(report, found)
    kind = report.bucket
    response = provider.response_times(report)
    resolution = provider.resolution_times(report)
    companies = provider.by_company(report)
    staff_ids = [int(pk) for pk in choices.staff]
    engineers = provider.by_engineer(report, staff_ids, found)
    named = {int(pk): name for pk, name in choices.staff.items()}
    missing = [r.user_id for r in engineers if r.user_id is not None and r.user_id not in named]
    if missing:
        for pk, name, email in User.objects.filter(pk__in=missing).values_list(
            "pk", "full_name", "email"
        ):
            named[pk] = name or email or str(pk)
    criteria = provider.satisfaction_by(report, "criterion_id")
    criterion_rows = reference_rows(SurveyCriterion)[SurveyCriterion]
    channels = provider.channels(report, found)
    company_names = {int(pk): name for pk, name in choices.companies.items()}

    breaches = provider.Breaches(
        *(
            sum(getattr(row.breaches, f) for row in companies)
            for f in (
                "with_response_deadline",
                "response",
                "with_resolution_deadline",
                "resolution",
            )
        )
    )
    rules_breached, rules = provider.breaches_by_rule(report, breaches)
    csat = provider.satisfaction(criteria.values())
    filed_total = sum(v.created for v in volume)
    done_total = sum(v.resolved for v in volume)
    figures = {
        "created": filed_total,
        "resolved": done_total,
        "open_now": sum(r.open_now for r in engineers),
        "response_median": _hours(response.median),
        "resolution_median": _hours(resolution.median),
        "response_breaches": breaches.response,
        "resolution_breaches": breaches.resolution,
        "csat": _average(csat.average),
        "csat_count": csat.count,
    }

    hours = _("hours")
    tables = [
        Table(
            "volume",
            _("Volume and backlog"),
            [
                {Bucket.DAY: _("Day"), Bucket.WEEK: _("Week of"), Bucket.MONTH: _("Month")}[kind],
                _("Filed"),
                pgettext("tickets, count", "Resolved"),
                _("Open at the end"),
            ],
            [
                # a week begun before the period is named by the period's first day
                [_bucket_label(kind, max(v.start, report.start)), v.created, v.resolved, v.backlog]
                for v in volume
            ],
            _(
                "Open at the end: filed before the end of the day, week or month (now for the "
                "current one) and not yet resolved or closed; cancelled tickets are not counted."
            ),
        ),
        Table(
            "times",
            _("Response and resolution times"),
            [
                _("Measure"),
                _("Tickets"),
                _("Median, %(unit)s") % {"unit": hours},
                _("90th percentile, %(unit)s") % {"unit": hours},
                _("Within the deadline, %"),
                _("Met / with a deadline"),
            ],
            [
                _times_row(_("First response (tickets filed in the period)"), response),
                _times_row(_("Resolution (tickets resolved in the period)"), resolution),
            ],
            _(
                "Times are calendar time from filing; the deadlines are the SLA's (working "
                "time). 90th percentile: nine tickets in ten took at most this long."
            ),
        ),
        Table(
            "rules",
            _("SLA breaches by rule"),
            [
                _("Rule"),
                _("With a response deadline"),
                _("First response late"),
                _("With a resolution deadline"),
                _("Resolution late"),
            ],
            [
                [
                    rules[pk].name if pk in rules else _("No rule (deadline set by hand)"),
                    b.with_response_deadline,
                    b.response,
                    b.with_resolution_deadline,
                    b.resolution,
                ]
                for pk, b in sorted(
                    ((pk, b) for pk, b in rules_breached.items() if b != provider.NO_BREACHES),
                    key=lambda kv: (-(kv[1].response + kv[1].resolution), kv[0]),
                )
            ],
            _(
                "Tickets filed in the period whose deadline was missed (as of now), by the SLA "
                "rule that matches each ticket now."
            ),
        ),
        Table(
            "engineers",
            _("Per engineer"),
            [
                _("Assignee"),
                _("Open now"),
                _("Resolved in the period"),
                _("Mean resolution time, %(unit)s") % {"unit": hours},
                _("Satisfaction (1–5)"),
                _("Ratings"),
            ],
            [
                [
                    _person(named, r.user_id),
                    r.open_now,
                    r.resolved,
                    _hours(r.mean_resolution),
                    _average(r.csat.average),
                    r.csat.count,
                ]
                for r in engineers
            ],
        ),
        Table(
            "companies",
            _("Per company"),
            [
                _("Company"),
                _("Filed"),
                pgettext("tickets, count", "Resolved"),
                _("Overdue now"),
                _("First response late"),
                _("Resolution late"),
                _("Satisfaction (1–5)"),
                _("Ratings"),
            ],
            [
                [
                    company_names.get(r.company_id, f"#{r.company_id}"),
                    r.created,
                    r.resolved,
                    r.overdue_now,
                    r.breaches.response,
                    r.breaches.resolution,
                    _average(r.csat.average),
                    r.csat.count,
                ]
                for r in companies
            ],
        ),
        Table(
            "csat",
            _("Satisfaction by criterion"),
            [_("Criterion"), _("Average (1–5)"), _("Ratings")],
            [
                [
                    criterion_rows[pk].name if pk in criterion_rows else f"#{pk}",
                    _average(s.average),
                    s.count,
                ]
                for pk, s in sorted(
                    criteria.items(),
                    key=lambda kv: (
                        getattr(criterion_rows.get(kv[0]), "sort_order", 0),
                        kv[0],
                    ),
                )
            ],
            _("Scores given in the period by customers rating resolved tickets."),
        ),
        Table(
            "channels",
            _("Channels"),
            [_("Channel"), _("Tickets"), _("Share, %")],
            [
                [
                    choices.origins.get(origin, origin),
                    n,
                    _percent(n / filed_total) if filed_total else None,
                ]
                for origin, n in channels.items()
            ],
            _("Tickets filed in the period, by how they came in."),
        ),
    ]
    return {"figures": figures, "tables": tables, "companies_total": len(companies)}


def _times_row(label: str, times: Times) -> list[Any]:
    return [
        label,
        times.count,
        _hours(times.median),
        _hours(times.p90),
        _percent(times.share),
        f"{times.met} / {times.measured}",
    ]


def _charts(tables: dict[str, Table]) -> list[dict[str, Any]]:
    """What static/js/analytics.js draws: one spec per canvas (json_script), made of the same
    rows as the tables under the charts."""
    volume, times, rules = tables["volume"], tables["times"], tables["rules"]
    companies, csat, channels = tables["companies"], tables["csat"], tables["channels"]
    by_breaches = sorted(companies.rows, key=lambda r: (-(r[4] + r[5]), r[0]))
    by_breaches = [r for r in by_breaches if r[4] + r[5]][:CHART_COMPANIES]
    return [
        {
            "key": "volume",
            "type": "bar",
            "counts": True,
            "labels": [r[0] for r in volume.rows],
            "datasets": [
                {"label": volume.columns[1], "data": [r[1] for r in volume.rows]},
                {"label": volume.columns[2], "data": [r[2] for r in volume.rows]},
                {"label": volume.columns[3], "data": [r[3] for r in volume.rows], "line": True},
            ],
        },
        {
            "key": "times",
            "type": "bar",
            "horizontal": True,
            "labels": [_("First response"), _("Resolution")],  # the table says of which tickets
            "datasets": [
                {"label": times.columns[2], "data": [r[2] for r in times.rows]},
                {"label": times.columns[3], "data": [r[3] for r in times.rows]},
            ],
        },
        {
            "key": "rules",
            "type": "bar",
            "counts": True,
            "horizontal": True,
            "stacked": True,
            "labels": [r[0] for r in rules.rows],
            "datasets": [
                {"label": rules.columns[2], "data": [r[2] for r in rules.rows]},
                {"label": rules.columns[4], "data": [r[4] for r in rules.rows]},
            ],
        },
        {
            "key": "company_breaches",
            "type": "bar",
            "counts": True,
            "horizontal": True,
            "stacked": True,
            "labels": [r[0] for r in by_breaches],
            "datasets": [
                {"label": companies.columns[4], "data": [r[4] for r in by_breaches]},
                {"label": companies.columns[5], "data": [r[5] for r in by_breaches]},
            ],
        },
        {
            "key": "csat",
            "type": "bar",
            "horizontal": True,
            "max": 5,
            "labels": [r[0] for r in csat.rows],
            "datasets": [{"label": csat.columns[1], "data": [r[1] for r in csat.rows]}],
        },
        {
            "key": "channels",
            "type": "doughnut",
            "labels": [r[0] for r in channels.rows],
            "datasets": [{"label": channels.columns[1], "data": [r[1] for r in channels.rows]}],
        },
    ]


@report_view
@require_GET
def provider_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    choices = _choices()
    report, form, ignored = _report(request, choices)
    sections = _sections(report, choices)
    tables: dict[str, Table] = {t.key: t for t in sections["tables"]}
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(report, sections["tables"], export)
    if export == "pdf":
        return _pdf(request, report, sections, choices)
    query = request.GET.copy()
    query.pop("export", None)
    shown = tables["companies"]
    return render(
        request,
        "backoffice/reports/provider.html",
        {
            "section": "reports",
            "form": form,
            "report": report,
            "ignored": ignored,
            "choices": choices,
            "figures": sections["figures"],
            "tables": tables,
            "company_rows": shown.rows[:COMPANY_ROWS],
            "companies_total": sections["companies_total"],
            "company_rows_limit": COMPANY_ROWS,
            "charts": {chart["key"]: chart for chart in _charts(tables)},
            "query": query.urlencode(),
        },
    )


def _filters(report: ProviderReport, choices: Choices) -> list[tuple[str, str]]:
    """The filters in force, named, for the PDF's header."""
    picked = (
        (_("company"), choices.companies, report.company_id),
        (_("ticket type"), choices.types, report.ticket_type_id),
        (_("assignee"), choices.staff, report.assignee_id),
        (_("channel"), choices.origins, report.origin),
    )
    return [(label, names.get(str(value), str(value))) for label, names, value in picked if value]


def _pdf(
    request: AuthenticatedHttpRequest,
    report: ProviderReport,
    sections: dict[str, Any],
    choices: Choices,
) -> HttpResponse:
    """The whole report on A4: the figures, each section's chart drawn as SVG (reports/svg.py;
    WeasyPrint runs no JavaScript) and every table, the companies all of them."""
    tables: dict[str, Table] = {t.key: t for t in sections["tables"]}
    volume, rules, channels = tables["volume"], tables["rules"], tables["channels"]

    def whole(value: float) -> str:
        return number_format(value, 0)

    charts = {
        "volume": svg.columns(
            [r[0] for r in volume.rows],
            [
                (volume.columns[1], [r[1] for r in volume.rows]),
                (volume.columns[2], [r[2] for r in volume.rows]),
            ],
            title=volume.title,
            fmt=whole,
        ),
        "rules": svg.stacked_bars(
            [(str(r[0]), r[2], r[4]) for r in rules.rows],
            title=rules.title,
            legend=(rules.columns[2], rules.columns[4]),
            fmt=whole,
        ),
        "channels": svg.donut(
            [svg.Slice(str(r[0]), r[1]) for r in channels.rows], title=channels.title, fmt=whole
        ),
    }
    html = render_to_string(
        "backoffice/reports/provider_pdf.html",
        {
            "report": report,
            "filters": _filters(report, choices),
            "made_at": timezone.now(),
            "figures": sections["figures"],
            "tables": sections["tables"],
            "charts": charts,
        },
        request=request,
    )
    response = HttpResponse(
        pdf_from_html(html, stylesheets=("css/report.css",)), content_type="application/pdf"
    )
    period = f"{report.start.isoformat()}_{report.end.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="provider-report-{period}.pdf"'
    return response


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def _export(report: ProviderReport, tables: list[Table], kind: str) -> HttpResponse:
    """Every section's table, as CSV (one after another) or XLSX (a sheet each); text a
    spreadsheet would run as a formula is neutralised."""
    period = f"{report.start.isoformat()}_{report.end.isoformat()}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for table in tables:
            writer.writerow([table.title])
            writer.writerow(table.columns)
            writer.writerows([_cell(v) for v in row] for row in table.rows)
            writer.writerow([])
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook

        book = Workbook()
        first = book.active
        assert first is not None  # noqa: S101 (a new workbook has one sheet)
        book.remove(first)
        for table in tables:
            sheet = book.create_sheet(_sheet_title(table.title))
            sheet.append(table.columns)
            for row in table.rows:
                sheet.append([_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="provider-report-{period}.{kind}"'
    return response


def _sheet_title(title: str) -> str:
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:31]
