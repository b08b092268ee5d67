"""«Все заявки»: the customer's ticket lists (company, mine, recently viewed) with filters,
search, sorting and pagination — all of it in the query string, remembered per user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.decorators import portal_view
from servicedesk.accounts.models import User
from servicedesk.customers.models import (
    Company,
    Criticality,
    Equipment,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.tickets import selectors
from servicedesk.tickets.models import Status, Ticket, TicketListPreference

PAGE_SIZES = (25, 50, 100)
FILTER_ROW = (
    "status",
    "type",
    "criticality",
    "company",
    "site",
    "equipment",
    "work_type",
    "from",
    "to",
    "size",
)
# Query-string keys the list understands; anything else is dropped before it is remembered.
STATE_KEYS = (
    "view",
    "q",
    "status",
    "type",
    "criticality",
    "company",
    "site",
    "equipment",
    "work_type",
    "from",
    "to",
    "sort",
    "size",
)


class NamedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class TicketListForm(forms.Form):
    """The list's filters. Bad values are dropped (a stale shared link still opens)."""

    view = forms.ChoiceField(choices=[(v, v) for v in selectors.VIEWS], required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Number, subject or description")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    type = NamedChoiceField(label=_("Type"), queryset=TicketType.objects.none(), required=False)
    criticality = NamedChoiceField(
        label=_("Criticality"), queryset=Criticality.objects.none(), required=False
    )
    company = NamedChoiceField(label=_("Company"), queryset=Company.objects.none(), required=False)
    site = NamedChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    equipment = NamedChoiceField(
        label=_("Equipment"), queryset=Equipment.objects.none(), required=False
    )
    work_type = NamedChoiceField(
        label=_("Work type"), queryset=WorkType.objects.none(), required=False
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    size = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(s, s) for s in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, user: Any, data: QueryDict) -> None:
        super().__init__(data)
        # The period travels as "from"/"to" in the URL: short and readable (not Python names).
        for name, label in (("from", _("Opened from")), ("to", _("Opened to"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        fields: Any = self.fields
        fields["status"].choices = [
            ("", _("Any status")),
            (selectors.STATUS_OPEN, _("Open (any)")),
            (selectors.STATUS_FINISHED, _("Finished (any)")),
            *Status.choices,
        ]
        fields["type"].queryset = TicketType.objects.filter(is_active=True)
        fields["criticality"].queryset = Criticality.objects.filter(is_active=True)
        fields["work_type"].queryset = WorkType.objects.filter(is_active=True)
        fields["company"].queryset = Company.objects.visible_to(user).filter(is_active=True)
        fields["site"].queryset = Site.objects.visible_to(user).filter(is_active=True)
        fields["equipment"].queryset = Equipment.objects.visible_to(user).filter(is_active=True)
        for name in ("type", "criticality", "company", "site", "equipment", "work_type"):
            fields[name].empty_label = _("Any")
        for item in fields.values():
            is_select = isinstance(item.widget, forms.Select)
            item.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm" if is_select else "form-control form-control-sm",
            )

    def filter_row(self) -> list[forms.BoundField]:
        return [self[name] for name in FILTER_ROW]

    def clean(self) -> dict[str, Any]:
        # Drop what does not validate instead of refusing the whole list.
        for name in list(self.errors):
            self.cleaned_data.pop(name, None)
        self._errors = forms.utils.ErrorDict()
        return self.cleaned_data


@dataclass(frozen=True)
class ListState:
    view: str
    filters: selectors.TicketFilters
    sort: str
    size: int
    page: int
    params: dict[str, str]  # the normalised query string, without the page

    def url(self, **changes: Any) -> str:
        """The list's URL with some parameters changed (None removes one)."""
        params = {**self.params, **{k: str(v) for k, v in changes.items() if v is not None}}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
        if params.get("page") == "1":
            params.pop("page")
        query = urlencode(params)
        return reverse("portal:tickets") + (f"?{query}" if query else "")


def _state(user: Any, form: TicketListForm, views: tuple[str, ...], page_raw: str) -> ListState:
    data = form.cleaned_data
    view = data.get("view") or views[0]
    if view not in views:
        view = views[0]
    default_sort = "" if view == selectors.VIEW_RECENT else selectors.DEFAULT_SORT
    sort = (data.get("sort") or "").strip()
    if sort.lstrip("-") not in selectors.SORTS:
        sort = default_sort
    size = data.get("size") or PAGE_SIZES[0]
    site = data.get("site")
    filters = selectors.TicketFilters(
        status=data.get("status") or "",
        ticket_type_id=data["type"].pk if data.get("type") else None,
        criticality_id=data["criticality"].pk if data.get("criticality") else None,
        company_id=data["company"].pk if data.get("company") else None,
        site_id=site.pk if site else None,
        site_path=site.path if site else "",
        equipment_id=data["equipment"].pk if data.get("equipment") else None,
        work_type_id=data["work_type"].pk if data.get("work_type") else None,
        created_from=data.get("from"),
        created_to=data.get("to"),
        q=(data.get("q") or "").strip(),
    )
    params: dict[str, str] = {"view": view}
    for key, value in (
        ("q", filters.q),
        ("status", filters.status),
        ("type", filters.ticket_type_id),
        ("criticality", filters.criticality_id),
        ("company", filters.company_id),
        ("site", filters.site_id),
        ("equipment", filters.equipment_id),
        ("work_type", filters.work_type_id),
        ("from", filters.created_from.isoformat() if filters.created_from else None),
        ("to", filters.created_to.isoformat() if filters.created_to else None),
        ("sort", sort if sort != default_sort else None),
        ("size", size if size != PAGE_SIZES[0] else None),
    ):
        if value not in (None, ""):
            params[key] = str(value)
    try:
        page = max(1, min(int(page_raw or 1), 100_000))
    except ValueError:
        page = 1
    return ListState(view, filters, sort, size, page, params)


def _remember(user: Any, state: ListState) -> None:
    """One statement whether the row exists or not."""
    TicketListPreference.objects.bulk_create(
        [TicketListPreference(user=user, querystring=urlencode(state.params))],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["querystring", "updated_at"],
    )


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    number: int
    size: int
    total: int  # capped: above selectors.COUNT_CAP means "more than that"
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def capped(self) -> bool:
        return self.total > selectors.COUNT_CAP

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, selectors.COUNT_CAP) // self.size))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.tickets else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.tickets)


def _page(queryset: QuerySet[Ticket], state: ListState, total: int) -> Page:
    """One page: one query for the rows (one extra row tells whether there is a next page)."""
    start = (state.page - 1) * state.size
    rows = list(queryset[start : start + state.size + 1])
    return Page(rows[: state.size], state.page, state.size, total, len(rows) > state.size)


# Sort key, heading, and the CSS that hides the less important columns on narrow screens.
SORT_COLUMNS = (
    ("number", _("Number"), ""),
    ("company", _("Company"), "d-none d-md-table-cell"),
    ("contact", _("Contact"), "d-none d-xl-table-cell"),
    ("subject", _("Subject"), ""),
    ("status", _("Status"), ""),
    ("created", _("Opened"), "d-none d-sm-table-cell"),
    ("due", _("Deadline"), "d-none d-lg-table-cell"),
    ("assignee", _("Assignee"), "d-none d-xl-table-cell"),
)


@portal_view
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # portal_view lets only signed-in customers in
    if not request.GET:
        saved = (
            TicketListPreference.objects.filter(user=user)
            .values_list("querystring", flat=True)
            .first()
        )
        if saved:
            return redirect(f"{reverse('portal:tickets')}?{saved}")
    views = selectors.ticket_views_for(user)
    form = TicketListForm(user, request.GET)
    form.is_valid()
    state = _state(user, form, views, request.GET.get("page", ""))
    counts = selectors.ticket_view_counts(user)
    queryset = selectors.ticket_list_for_customer(user, state.view, state.filters, state.sort)
    total = (
        selectors.capped_count(queryset.values("pk"))
        if state.filters.active
        else counts[state.view]
    )
    page = _page(queryset, state, total)
    now = timezone.now()
    for ticket in page.tickets:
        ticket.overdue = ticket.is_overdue(now)  # type: ignore[attr-defined]
    if request.GET:
        _remember(user, state)
    columns = []
    for key, label, css in SORT_COLUMNS:
        current = state.sort.lstrip("-") == key
        descending = current and state.sort.startswith("-")
        if current:
            next_sort = key if descending else f"-{key}"
        else:
            next_sort = f"-{key}" if key == "created" else key
        columns.append(
            {
                "key": key,
                "label": label,
                "css": css,
                "current": current,
                "descending": descending,
                "url": state.url(sort=next_sort, page=None),
            }
        )
    context = {
        "section": "tickets",
        "form": form,
        "state": state,
        "page": page,
        "views": [
            {"key": v, "label": VIEW_LABELS[v], "count": counts[v], "url": state.url(view=v)}
            for v in views
        ],
        "columns": columns,
        "count_cap": selectors.COUNT_CAP,
        "filter_row": form.filter_row(),
        "previous_url": state.url(page=page.number - 1),
        "next_url": state.url(page=page.number + 1),
        "reset_url": state.url(**{**dict.fromkeys(STATE_KEYS), "view": state.view}),
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


VIEW_LABELS = {
    selectors.VIEW_COMPANY: _("Company tickets"),
    selectors.VIEW_MINE: _("My tickets"),
    selectors.VIEW_RECENT: _("Recently viewed"),
}
