"""The back office's ticket queue: saved views (new, overdue, due soon, waiting, mine, all),
filters, search, sorting by any column, the deadline as time left or overdue by how much, and
bulk actions — all of the list's state in the query string."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timesince, timezone
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.accounts.models import Role, User
from servicedesk.core import pagecache, stamps
from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import QuickSelect, id_choice_field, page_size_field, pk_or_none
from servicedesk.customers.models import Company, Criticality, TicketType
from servicedesk.customers.reference import active_choices, reference_rows
from servicedesk.portal.tickets.list import PAGE_SIZES, date_formatter
from servicedesk.tickets import counts, selectors, services, workflow
from servicedesk.tickets.models import OPEN_STATUSES, Status, Ticket

VIEW_LABELS = {
    selectors.QUEUE_ALL: gettext_lazy("All"),
    selectors.QUEUE_NEW: gettext_lazy("Unassigned"),
    selectors.QUEUE_OVERDUE: pgettext_lazy("queue view", "Overdue"),
    selectors.QUEUE_DUE_SOON: gettext_lazy("Due soon"),
    selectors.QUEUE_WAITING: gettext_lazy("Waiting for customer"),
    selectors.QUEUE_MINE: gettext_lazy("Mine"),
}
COLUMNS = (
    ("number", gettext_lazy("Number"), ""),
    ("company", gettext_lazy("Company"), "d-none d-md-table-cell"),
    ("subject", gettext_lazy("Subject"), ""),
    ("status", gettext_lazy("Status"), ""),
    ("criticality", gettext_lazy("Criticality"), "d-none d-lg-table-cell"),
    ("assignee", gettext_lazy("Assignee"), "d-none d-md-table-cell"),
    ("created", gettext_lazy("Opened"), "d-none d-xl-table-cell"),
    ("due", gettext_lazy("Deadline"), ""),
)
STATE_KEYS = ("view", "q", "status", "type", "criticality", "company", "assignee", "sort", "size")


def open_ticket_counts(user: Any) -> dict[int, int]:
    """Open tickets per assignee (shown beside each name when assigning), from the cache while
    no ticket is created, deleted, assigned or moves stage (counts.WORKLOAD)."""
    return counts.cached(
        user,
        "workload",
        lambda: dict(
            Ticket.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
            .values("assignee")
            .annotate(n=Count("pk"))
            .values_list("assignee", "n")
        ),
        counts.WORKLOAD,
    )


def staff_choices() -> list[tuple[int, str]]:
    """The people tickets can be assigned to, from the cache while nobody's name, role or
    activity changes (the people version, core/pagecache.py)."""
    return stamps.stamped(
        "tickets:v1:staff-choices",
        pagecache.PEOPLE,
        lambda: list(
            User.objects.filter(is_active=True, role__in=(Role.ENGINEER, Role.DISPATCHER))
            .order_by("full_name", "pk")
            .values_list("pk", "full_name")
        ),
        counts.COUNTS_SECONDS,
    )


class QueueForm(forms.Form):
    view = forms.ChoiceField(choices=[(v, v) for v in selectors.QUEUE_VIEWS], required=False)
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, widget=QuickSelect)
    type = id_choice_field(gettext_lazy("Type"))
    criticality = id_choice_field(gettext_lazy("Criticality"))
    company = id_choice_field(gettext_lazy("Company"))
    assignee = id_choice_field(gettext_lazy("Assignee"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    size = page_size_field(gettext_lazy("Per page"), PAGE_SIZES)

    def __init__(self, user: Any, data: QueryDict, staff: list[tuple[int, str]]) -> None:
        super().__init__(data)
        fields: Any = self.fields
        rows = reference_rows(TicketType, Criticality)
        any_ = [("", _("Any"))]
        fields["status"].choices = [
            ("", _("Any status")),
            (selectors.STATUS_OPEN, _("Open (any)")),
            (selectors.STATUS_FINISHED, _("Finished (any)")),
            *Status.choices,
        ]
        fields["type"].choices = any_ + active_choices(rows[TicketType])
        fields["criticality"].choices = any_ + active_choices(rows[Criticality])
        # Every customer company would be a thousand options on every page: the list holds
        # the chosen one, and the search box beside it fetches others (company_options).
        chosen = pk_or_none(data.get("company"))
        fields["company"].choices = any_ + (
            list(Company.objects.filter(pk=chosen, is_active=True).values_list("pk", "name"))
            if chosen
            else []
        )
        fields["assignee"].choices = any_ + staff
        for item in fields.values():
            item.widget.attrs.setdefault("class", "form-select form-select-sm")

    def clean(self) -> dict[str, Any]:
        for name in list(self.errors):  # a stale link still opens: drop what does not fit
            self.cleaned_data.pop(name, None)
        self._errors = forms.utils.ErrorDict()
        return self.cleaned_data


COMPANY_OPTIONS = 20


@backoffice_view
@require_GET
def company_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx: the company filter's options for what was typed (name or INN), the chosen company
    kept first; at most COMPANY_OPTIONS matches."""
    q = request.GET.get("company_q", "").strip()[:100]
    chosen = pk_or_none(request.GET.get("company"))
    companies = Company.objects.filter(is_active=True)
    found = []
    if q:
        found = list(
            companies.filter(Q(name__icontains=q) | Q(tax_id__startswith=q))
            .exclude(pk=chosen or 0)
            .order_by("name")
            .values_list("pk", "name")[:COMPANY_OPTIONS]
        )
    current = list(companies.filter(pk=chosen or 0).values_list("pk", "name"))
    return render(
        request,
        "backoffice/tickets/_company_options.html",
        {"options": current + found, "chosen": chosen, "searched": bool(q)},
    )


def deadline_text(ticket: Ticket, now: dt.datetime) -> tuple[str, str]:
    """(text, tone) for the deadline column: time left, or overdue by how much."""
    if ticket.due_at is None:
        return "—", "muted"
    finished = ticket.resolved_at or ticket.closed_at
    if ticket.status not in OPEN_STATUSES:
        late = finished is not None and finished > ticket.due_at
        return (_("late") if late else _("met")), ("danger" if late else "success")
    if ticket.due_at < now:
        return _("overdue by %(time)s") % {
            "time": timesince.timesince(ticket.due_at, now, depth=1)
        }, "danger"
    left = timesince.timeuntil(ticket.due_at, now, depth=2)
    soon = ticket.due_at - now < selectors.queue_due_soon_window()
    return _("%(time)s left") % {"time": left}, ("warning" if soon else "body")


ROW_HTML = (
    '<tr data-testid="queue-row" data-number="{number}">'
    '<td><input class="form-check-input" type="checkbox" name="tickets" value="{pk}" '
    'form="bulk-form" aria-label="{select_label}"></td>'
    '<td class="text-nowrap"><a class="fw-semibold" href="{url}">{number}</a></td>'
    '<td class="small d-none d-md-table-cell">{company}</td>'
    '<td><a class="link-body-emphasis" href="{url}">{subject}</a></td>'
    '<td><span class="badge text-bg-{status_color}{status_border}">{status}</span></td>'
    '<td class="small d-none d-lg-table-cell"><i class="bi bi-circle-fill me-1" '
    'style="color: {criticality_color}" aria-hidden="true"></i>{criticality}</td>'
    '<td class="small d-none d-md-table-cell">{assignee}</td>'
    '<td class="small text-nowrap d-none d-xl-table-cell">{created}</td>'
    '<td class="small text-nowrap text-{tone}" title="{due_title}" data-testid="deadline">'
    "{due}</td>"
    "</tr>"
)


def queue_rows(tickets: list[Ticket], now: dt.datetime) -> SafeString:
    """The queue's rows, escaped value by value (see portal/tickets/list.py:table_rows)."""
    detail = reverse("backoffice:ticket_detail", args=["0"])[: -len("0/")]
    statuses = {value: escape(str(label)) for value, label in Status.choices}
    criticalities = reference_rows(Criticality)[Criticality]
    short_datetime = date_formatter(get_format("SHORT_DATETIME_FORMAT"))
    not_assigned = '<span class="text-body-secondary">{}</span>'.format(escape(_("Not assigned")))
    select_label = escape(_("Select"))
    rows = []
    for ticket in tickets:
        color = ticket.status_color
        criticality = criticalities.get(ticket.criticality_id)
        due, tone = deadline_text(ticket, now)
        rows.append(
            ROW_HTML.format(
                pk=ticket.pk,
                number=escape(ticket.number),
                url=escape(f"{detail}{quote(ticket.number)}/"),
                select_label=select_label,
                company=escape(ticket.company.name),
                subject=escape(ticket.subject),
                status_color=escape(color),
                status_border=" border" if color == "light" else "",
                status=statuses.get(ticket.status) or escape(ticket.status),
                criticality_color=escape(criticality.color if criticality else "#6c757d"),
                criticality=escape(criticality.name if criticality else ""),
                assignee=escape(ticket.assignee.full_name) if ticket.assignee else not_assigned,
                created=escape(short_datetime(timezone.localtime(ticket.created_at))),
                due=escape(due),
                tone="body-secondary" if tone == "muted" else tone,
                due_title=escape(
                    short_datetime(timezone.localtime(ticket.due_at)) if ticket.due_at else ""
                ),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


def _url(params: dict[str, str], **changes: Any) -> str:
    merged = {**params, **{k: str(v) for k, v in changes.items() if v is not None}}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
    if merged.get("page") == "1":
        merged.pop("page")
    query = urlencode(merged)
    return reverse("backoffice:tickets") + (f"?{query}" if query else "")


@backoffice_view
@pagecache.page(lambda request: [counts.all_key(counts.TICKETS), counts.all_key(counts.PLACES)])
def ticket_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    staff = staff_choices()
    form = QueueForm(user, request.GET, staff)
    form.is_valid()
    data = form.cleaned_data
    view = data.get("view") or selectors.queue_default_view(user)
    filters = selectors.TicketFilters(
        status=data.get("status") or "",
        ticket_type_id=data.get("type"),
        criticality_id=data.get("criticality"),
        company_id=data.get("company"),
        q=(data.get("q") or "").strip(),
    )
    sort = (data.get("sort") or "").strip()
    size = data.get("size") or PAGE_SIZES[0]
    try:
        page = max(1, min(int(request.GET.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    params: dict[str, str] = {"view": view}
    for key in STATE_KEYS[1:]:
        value = data.get(key)
        if value not in (None, ""):
            params[key] = str(value)
    queryset = selectors.staff_queue(
        user, view, filters, sort, assignee_id=data.get("assignee"), now=now
    )
    view_counts = selectors.queue_view_counts(user, now)
    start = (page - 1) * size
    tickets = selectors.ticket_page(queryset, start, start + size + 1, selectors.QUEUE_COLUMNS)
    has_next = len(tickets) > size
    tickets = tickets[:size]
    pagecache.expire_at(request, (t.due_at for t in tickets))
    current_sort = sort if sort.lstrip("-") in selectors.QUEUE_SORTS else ""
    columns = []
    for key, label, css in COLUMNS:
        current = current_sort.lstrip("-") == key
        descending = current and current_sort.startswith("-")
        next_sort = (key if descending else f"-{key}") if current else key
        columns.append(
            {
                "key": key,
                "label": label,
                "css": css,
                "current": current,
                "descending": descending,
                "url": _url(params, sort=next_sort, page=None),
            }
        )
    workload = open_ticket_counts(user)
    context = {
        "section": "tickets",
        "form": form,
        "view": view,
        "params": params,
        "rows": queue_rows(tickets, now),
        "count": len(tickets),
        "first_index": start + 1,
        "page": page,
        "has_previous": page > 1,
        "has_next": has_next,
        "previous_url": _url(params, page=page - 1),
        "next_url": _url(params, page=page + 1),
        "columns": columns,
        "views": [
            {
                "key": v,
                "label": VIEW_LABELS[v],
                "count": view_counts[v],
                "url": _url({"view": v}),
            }
            for v in selectors.QUEUE_VIEWS
        ],
        "count_cap": selectors.COUNT_CAP,
        "staff": [(pk, name, workload.get(pk, 0)) for pk, name in staff],
        "reset_url": _url({"view": view}),
        # Status changes that need typed input (a resolution, a reason) are made one by one.
        "bulk_transitions": [
            (t.code, t.label)
            for t in workflow.TRANSITIONS.values()
            if not (t.needs_resolution or t.needs_reason)
        ],
        "return_to": request.get_full_path(),
    }
    htmx: Any = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    template = "backoffice/tickets/queue.html" + ("#results" if partial else "")
    response = render(request, template, context)
    if partial:
        response["HX-Push-Url"] = _url(params, page=page)
    response["Vary"] = "HX-Request"
    return response


@backoffice_view
@require_POST
def ticket_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assign, change the status or the criticality of the selected tickets. Each ticket goes
    through the same service and rules as on its own page; the page then says, ticket by
    ticket, what was done and what was refused and why."""
    user = request.user
    ids = [pk for pk in (pk_or_none(v) for v in request.POST.getlist("tickets")) if pk]
    action = request.POST.get("action", "")
    value: Any = None
    if action == "assign":
        value = User.objects.filter(pk=pk_or_none(request.POST.get("assignee")) or 0).first()
    elif action == "status":
        value = request.POST.get("transition", "") or None
    elif action == "criticality":
        rows = reference_rows(Criticality)[Criticality]
        value = rows.get(pk_or_none(request.POST.get("criticality")))  # type: ignore[arg-type]
    return_to = request.POST.get("return_to", "")
    if not url_has_allowed_host_and_scheme(return_to, allowed_hosts={request.get_host()}):
        return_to = reverse("backoffice:tickets")
    if not ids:
        messages.error(request, _("Select at least one ticket."))
        return redirect(return_to)
    if not value:
        messages.error(request, _("Choose what to change the selected tickets to."))
        return redirect(return_to)
    tickets = list(Ticket.objects.visible_to(user).filter(pk__in=ids[:100]).order_by("number"))
    try:
        results = services.ticket_bulk(by=user, tickets=tickets, action=action, value=value)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect(return_to)
    done = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    if done:
        messages.success(
            request,
            _("Done for %(numbers)s.") % {"numbers": ", ".join(r.ticket.number for r in done)},
        )
    for result in refused:
        messages.error(
            request,
            _("%(number)s: %(reason)s")
            % {"number": result.ticket.number, "reason": result.message},
        )
    return redirect(return_to)
