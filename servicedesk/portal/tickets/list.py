"""«Все заявки»: the customer's ticket lists (company, mine, recently viewed) with filters,
search, sorting and pagination — all of it in the query string, remembered per user."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.customers.models import Company, Equipment, Site
from servicedesk.tickets import counts, listing, selectors
from servicedesk.tickets.models import TicketListPreference

VIEW_LABELS = {
    selectors.VIEW_COMPANY: _("Company tickets"),
    selectors.VIEW_MINE: _("My tickets"),
    selectors.VIEW_RECENT: _("Recently viewed"),
}
TICKETS = listing.TicketList(
    name="ticket",
    url_name="portal:tickets",
    detail_url_name="portal:ticket_detail",
    views=VIEW_LABELS,
    # Sort key, heading, and the CSS that hides the less important columns on narrow screens.
    # What a customer reads (number, subject, status, deadline); the company and the opening
    # date go under the subject, the number too on phones, where its column is hidden.
    columns=(
        listing.Column("number", _("Number"), "d-none d-sm-table-cell"),
        listing.Column("subject", _("Subject")),
        listing.Column("status", _("Status")),
        listing.Column("due", _("Deadline")),
    ),
    filters=tuple(name for name in listing.FILTERS if name != "assignee"),
    sorts=selectors.SORTS,
    default_sort=lambda view: "" if view == selectors.VIEW_RECENT else selectors.DEFAULT_SORT,
    views_testid="list-views",
    views_keep_filters=True,
    empty_template="portal/tickets/list.html#empty",
    subject_length=90,
    subject_details=True,
    details_opened=True,
)


def _places(user: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """The user's companies, sites (with their paths) and equipment for the filters."""
    return (
        list(Company.objects.visible_to(user).filter(is_active=True).values_list("pk", "name")),
        list(
            Site.objects.visible_to(user).filter(is_active=True).values_list("pk", "name", "path")
        ),
        list(Equipment.objects.visible_to(user).filter(is_active=True).values_list("pk", "name")),
    )


def _remembered_key(user_id: int) -> str:
    return f"tickets:list-preference:{user_id}"


def _remember(user: Any, querystring: str) -> None:
    """One statement whether the row exists or not, and none while the list stays the same
    (the cache knows what was saved last)."""
    key = _remembered_key(user.pk)
    if cache.get(key) == querystring:
        return
    TicketListPreference.objects.bulk_create(
        [TicketListPreference(user=user, querystring=querystring)],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["querystring", "updated_at"],
    )
    cache.set(key, querystring, 3600)


@portal_view
def ticket_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user  # portal_view lets only signed-in customers in
    if not request.GET:
        saved = (
            TicketListPreference.objects.filter(user=user)
            .values_list("querystring", flat=True)
            .first()
        )
        if saved:
            return redirect(f"{reverse('portal:tickets')}?{saved}")
    views = selectors.ticket_views_for(user)
    companies, sites, equipment = counts.cached(
        user, "filter-choices", lambda: _places(user), counts.PLACES
    )
    spec = replace(
        TICKETS,
        views={v: VIEW_LABELS[v] for v in views},
        details_company="" if len(companies) > 1 else None,  # the company of each row
    )
    form = listing.TicketListForm(
        spec,
        request.GET,
        {
            "company": companies,
            "site": [(pk, name) for pk, name, _path in sites],
            "equipment": equipment,
        },
    )
    form.is_valid()
    site_paths = {pk: path for pk, _name, path in sites}
    state = listing.list_state(form, views[0], request.GET.get("page"), site_paths)
    if listing.wants_panel(request):
        return listing.render_panel(request, form, state)
    view_counts = selectors.ticket_view_counts(user)
    queryset = selectors.ticket_list_for_customer(user, state.view, state.filters, state.sort)
    total = (
        selectors.ticket_list_total(user, state.query, queryset)
        if state.filters.active
        else view_counts[state.view]
    )
    now = timezone.now()
    page = listing.ticket_page(
        queryset, state, lambda ticket: listing.Row(ticket, overdue=ticket.is_overdue(now)), total
    )
    if request.GET:
        _remember(user, state.query)
    context = {
        "section": "tickets",
        "list": listing.list_context(state, page, form, view_counts),
    }
    htmx = getattr(request, "htmx", None)
    template = "portal/tickets/list.html"
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    response = render(request, template + ("#results" if partial else ""), context)
    if partial:
        # The address bar shows the tidy URL, not every empty field of the form.
        response["HX-Push-Url"] = state.url(page=page.number)
    patch_vary_headers(response, ("HX-Request",))
    return response
