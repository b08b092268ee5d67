"""The back office's ticket queue: saved views (new, overdue, due soon, waiting, mine, all),
filters, search, sorting by any column, the deadline as time left or overdue by how much, and
bulk actions — all of the list's state in the query string."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timesince, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.accounts.models import Role, User
from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import pk_or_none
from servicedesk.customers.models import Company, Criticality
from servicedesk.customers.reference import reference_rows
from servicedesk.tickets import counts, listing, selectors, services, workflow
from servicedesk.tickets.models import OPEN_STATUSES, Ticket

VIEW_LABELS = {
    selectors.QUEUE_ALL: gettext_lazy("All"),
    selectors.QUEUE_NEW: gettext_lazy("Unassigned"),
    selectors.QUEUE_OVERDUE: pgettext_lazy("queue view", "Overdue"),
    selectors.QUEUE_DUE_SOON: gettext_lazy("Due soon"),
    selectors.QUEUE_WAITING: gettext_lazy("Waiting for customer"),
    selectors.QUEUE_MINE: gettext_lazy("Mine"),
}
QUEUE = listing.TicketList(
    name="queue",
    url_name="backoffice:tickets",
    detail_url_name="backoffice:ticket_detail",
    views=VIEW_LABELS,
    columns=(
        listing.Column("number", gettext_lazy("Number"), "d-none d-sm-table-cell"),
        listing.Column("company", gettext_lazy("Company"), "d-none d-md-table-cell"),
        listing.Column("subject", gettext_lazy("Subject")),
        listing.Column("status", gettext_lazy("Status")),
        listing.Column("criticality", gettext_lazy("Criticality"), "d-none d-lg-table-cell"),
        listing.Column("assignee", gettext_lazy("Assignee"), "d-none d-md-table-cell"),
        listing.Column("created", gettext_lazy("Opened"), "d-none d-xxl-table-cell"),
        listing.Column("due", gettext_lazy("Deadline")),
    ),
    filters=("status", "type", "criticality", "company", "assignee"),
    sorts=selectors.QUEUE_SORTS,
    views_testid="queue-views",
    empty_template="backoffice/tickets/queue.html#empty",
    actions_template="backoffice/tickets/queue.html#bulk",
    company_search_url_name="backoffice:queue_company_options",
    selectable=True,
    # Phones see the number, and below 768 px the company, under the subject.
    subject_details=True,
    details_company="d-md-none",
)


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
    """The people tickets can be assigned to."""
    return list(
        User.objects.exclude(role=Role.CUSTOMER)  # the staff's index (accounts_user_staff_name)
        .filter(is_active=True, role__in=(Role.ENGINEER, Role.DISPATCHER))
        .order_by("full_name", "pk")
        .values_list("pk", "full_name")
    )


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


@backoffice_view
def ticket_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    staff = staff_choices()
    # Every customer company would be a thousand options on every page: the list holds the
    # chosen one, and the search box beside it fetches others (company_options).
    chosen = pk_or_none(request.GET.get("company"))
    companies = (
        list(Company.objects.filter(pk=chosen, is_active=True).values_list("pk", "name"))
        if chosen
        else []
    )
    form = listing.TicketListForm(QUEUE, request.GET, {"company": companies, "assignee": staff})
    form.is_valid()
    default_view = selectors.queue_default_view(user)
    state = listing.list_state(form, default_view, request.GET.get("page"), {})
    if listing.wants_panel(request):
        return listing.render_panel(request, form, state)
    queryset = selectors.staff_queue(
        user, state.view, state.filters, state.sort, assignee_id=state.assignee_id, now=now
    )
    criticalities = reference_rows(Criticality)[Criticality]

    def row(ticket: Ticket) -> listing.Row:
        deadline, tone = deadline_text(ticket, now)
        return listing.Row(
            ticket,
            deadline=deadline,
            tone="body-secondary" if tone == "muted" else tone,
            criticality=criticalities.get(ticket.criticality_id),
        )

    page = listing.ticket_page(queryset, state, row, columns=selectors.QUEUE_COLUMNS)
    view_counts = selectors.queue_view_counts(user, now)
    workload = open_ticket_counts(user)
    context = {
        "section": "tickets",
        "list": listing.list_context(state, page, form, view_counts, [selectors.QUEUE_OVERDUE]),
        "staff": [(pk, name, workload.get(pk, 0)) for pk, name in staff],
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
        response["HX-Push-Url"] = state.url(page=page.number)
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
