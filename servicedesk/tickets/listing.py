"""The one way a ticket list is declared: its views (tabs), columns, filters, sorting, search and
pagination. The customer's lists (portal) and the staff queue (back office) each declare a
`TicketList` and render it with the same partials (tickets/_list.html); what they differ in
(which filters, which columns, where the rows come from) is data here, not another copy.

The filters are a plain Django form rather than a django-filter FilterSet: what a list shows is
narrowed by the selectors (the scoping layer per view, the site subtree, full-text search, the
cached capped counts keyed by the normalised query string, the two-step page), so a FilterSet
would either repeat that filtering or only lend its form (docs/decisions/0013)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from servicedesk.core.forms import (
    QuickDateInput,
    QuickSelect,
    id_choice_field,
    page_number,
    page_size_field,
)
from servicedesk.customers.models import Criticality, TicketType, WorkType
from servicedesk.customers.reference import active_choices, reference_rows
from servicedesk.tickets import selectors
from servicedesk.tickets.models import STATUS_COLORS, Status, Ticket

PAGE_SIZES = (25, 50, 100)
# A row's status badge colour by the stored value (Ticket.status_color, without its per-row
# conversion to Status).
STATUS_COLOR_BY_VALUE = {status.value: STATUS_COLORS.get(status, "secondary") for status in Status}
# Every filter a ticket list can offer, in the order the panel and the query string show them.
FILTERS = (
    "status",
    "type",
    "criticality",
    "company",
    "site",
    "equipment",
    "work_type",
    "assignee",
    "from",
    "to",
)


@dataclass(frozen=True)
class Column:
    """A column: its sort key, heading, the CSS hiding it on narrow screens, and whether the
    first click sorts it newest/largest first."""

    key: str
    label: Any
    css: str = ""
    descending_first: bool = False


@dataclass(frozen=True)
class TicketList:
    """What a list is: `name` prefixes its element ids and test ids (`<name>-results`,
    `<name>-row`); `url_name` is its page; `detail_url_name` a ticket's page."""

    name: str
    url_name: str
    detail_url_name: str
    views: Mapping[str, Any]  # key → label
    columns: tuple[Column, ...]
    filters: tuple[str, ...]  # names among FILTERS
    sorts: Iterable[str]
    default_sort: Callable[[str], str] = lambda view: ""
    views_testid: str = ""
    empty_template: str = ""  # what shows when no ticket is on the page
    actions_template: str = ""  # what shows above the table (bulk actions)
    company_search_url_name: str = ""  # the company filter's options fetched as one types
    subject_length: int = 0  # subjects longer than this are cut (0: never)
    # A small line under the subject: the number on phones (whose number column is hidden),
    # the company (`details_company`: its CSS, e.g. shown only where its column is hidden;
    # None: not shown) and the opening date.
    subject_details: bool = False
    details_company: str | None = None
    details_opened: bool = False
    selectable: bool = False  # a checkbox per row for bulk actions
    views_keep_filters: bool = False  # another tab keeps the filters (or starts afresh)


class TicketListForm(forms.Form):
    """A list's filters, search, sort and page size. Bad values are dropped, not refused: a
    stale shared link still opens. Choices are plain (id, name) pairs given by the list (the
    reference lists come from the cache), so validating a chosen id costs no query."""

    view = forms.ChoiceField(required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Number, subject or description")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    type = id_choice_field(_("Type"))
    criticality = id_choice_field(_("Criticality"))
    company = id_choice_field(_("Company"))
    site = id_choice_field(_("Site"))
    equipment = id_choice_field(_("Equipment"))
    work_type = id_choice_field(_("Work type"))
    assignee = id_choice_field(_("Assignee"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    size = page_size_field(_("Per page"), PAGE_SIZES)

    def __init__(self, spec: TicketList, data: QueryDict, choices: Mapping[str, list[Any]]) -> None:
        """`choices`: the options of the filters whose options depend on the person (company,
        site, equipment, assignee), without the "Any" option."""
        super().__init__(data)
        # The period travels as "from"/"to" in the URL: short and readable (not Python names).
        for name, label in (("from", _("Opened from")), ("to", _("Opened to"))):
            self.fields[name] = forms.DateField(label=label, required=False, widget=QuickDateInput)
        for name in FILTERS:
            if name not in spec.filters:
                del self.fields[name]
        fields: Any = self.fields
        fields["view"].choices = [(v, v) for v in spec.views]
        fields["status"].choices = [
            ("", _("Any status")),
            (selectors.STATUS_OPEN, _("Open (any)")),
            (selectors.STATUS_FINISHED, _("Finished (any)")),
            *Status.choices,
        ]
        references = {"type": TicketType, "criticality": Criticality, "work_type": WorkType}
        references = {name: model for name, model in references.items() if name in fields}
        rows = reference_rows(*references.values())  # one query for all (when not cached)
        any_ = [("", _("Any"))]
        for name, model in references.items():
            fields[name].choices = any_ + active_choices(rows[model])
        for name, options in choices.items():
            if name in fields:
                fields[name].choices = any_ + list(options)
        for item in fields.values():
            is_select = isinstance(item.widget, forms.Select)
            item.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm" if is_select else "form-control form-control-sm",
            )
        self.spec = spec

    def filter_row(self) -> list[forms.BoundField]:
        return [self[name] for name in FILTERS if name in self.fields] + [self["size"]]

    def clean(self) -> dict[str, Any]:
        # Drop what does not validate instead of refusing the whole list.
        for name in list(self.errors):
            self.cleaned_data.pop(name, None)
        self._errors = forms.utils.ErrorDict()
        return self.cleaned_data


@dataclass
class ListState:
    """Where a list is: its view, filters, sort, page size and page, and the normalised query
    string (`params`, without the page) every link of the list is made from."""

    spec: TicketList
    view: str
    filters: selectors.TicketFilters
    assignee_id: int | None
    sort: str
    size: int
    page: int
    params: dict[str, str]

    def url(self, **changes: Any) -> str:
        """The list's URL with some parameters changed (None removes one)."""
        params = {**self.params, **{k: str(v) for k, v in changes.items() if v is not None}}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
        if params.get("page") == "1":
            params.pop("page")
        query = urlencode(params)
        return reverse(self.spec.url_name) + (f"?{query}" if query else "")

    @property
    def query(self) -> str:
        return urlencode(self.params)

    @property
    def reset_url(self) -> str:
        return self.url(**{**dict.fromkeys(self.params), "view": self.view})


def list_state(
    form: TicketListForm, default_view: str, page_raw: str | None, site_paths: Mapping[int, str]
) -> ListState:
    """The list's state from its validated form (`form.is_valid()` called): unknown views and
    sorts fall back to the defaults, a bad page number is the first page."""
    spec, data = form.spec, form.cleaned_data
    view = data.get("view") or default_view
    if view not in spec.views:
        view = default_view
    default_sort = spec.default_sort(view)
    sort = (data.get("sort") or "").strip()
    if sort.lstrip("-") not in spec.sorts:
        sort = default_sort
    size = data.get("size") or PAGE_SIZES[0]
    site = data.get("site")
    filters = selectors.TicketFilters(
        status=data.get("status") or "",
        ticket_type_id=data.get("type"),
        criticality_id=data.get("criticality"),
        company_id=data.get("company"),
        site_id=site,
        site_path=site_paths.get(site, "") if site else "",
        equipment_id=data.get("equipment"),
        work_type_id=data.get("work_type"),
        created_from=data.get("from"),
        created_to=data.get("to"),
        q=(data.get("q") or "").strip(),
    )
    params: dict[str, str] = {"view": view}
    for key in ("q", *FILTERS):
        value = data.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if key == "q":
            value = filters.q
        if value not in (None, ""):
            params[key] = str(value)
    if sort != default_sort:
        params["sort"] = sort
    if size != PAGE_SIZES[0]:
        params["size"] = str(size)
    page = page_number(page_raw)
    return ListState(spec, view, filters, data.get("assignee"), sort, size, page, params)


@dataclass(frozen=True)
class Row:
    """A ticket as a row shows it: what is worked out per row besides the ticket's fields."""

    ticket: Ticket
    overdue: bool = False
    deadline: str = ""  # the deadline as words ("3 hours left"), when the list says it so
    tone: str = ""  # the deadline's colour
    criticality: Any = None  # the criticality's (name, colour) row, when the list shows it


@dataclass(frozen=True)
class Page:
    """One page of a list; `total` (capped: above selectors.COUNT_CAP means "more than that")
    when the list shows one."""

    rows: list[Row]
    number: int
    size: int
    has_next: bool
    total: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def capped(self) -> bool:
        return self.total is not None and self.total > selectors.COUNT_CAP

    @property
    def pages(self) -> int | None:
        if self.total is None or self.capped:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def ticket_page(
    queryset: Any,
    state: ListState,
    row: Callable[[Ticket], Row],
    total: int | None = None,
    columns: tuple[str, ...] = selectors.LIST_COLUMNS,
) -> Page:
    """One page of tickets as `row` makes them (one extra ticket tells whether there is a next
    page)."""
    start = (state.page - 1) * state.size
    tickets = selectors.ticket_page(queryset, start, start + state.size + 1, columns)
    rows = [row(ticket) for ticket in tickets[: state.size]]
    return Page(rows, state.page, state.size, len(tickets) > state.size, total)


@dataclass
class Heading:
    column: Column
    current: bool
    descending: bool
    url: str


@dataclass
class ViewTab:
    key: str
    label: Any
    count: int
    url: str
    alert: bool = False  # a count that asks for attention (red)


@dataclass(frozen=True)
class Chip:
    """An active filter shown above the results, with the list's URL without it."""

    label: Any
    value: str
    remove_url: str


@dataclass
class ListContext:
    """What the shared partials show (`list` in the template)."""

    spec: TicketList
    state: ListState
    page: Page
    form: TicketListForm
    views: list[ViewTab]
    headings: list[Heading] = field(default_factory=list)
    count_cap: int = selectors.COUNT_CAP

    @cached_property
    def chips(self) -> list[Chip]:
        """The filters in force, named as the panel names them: the panel stays closed (and
        unrendered) until asked for, so these say what the list is narrowed by."""
        chips = []
        for name in self.spec.filters:
            raw = self.state.params.get(name)
            if raw is None:
                continue
            field = self.form.fields[name]
            if isinstance(field, forms.ChoiceField):
                choices: Any = field.choices
                value = next((str(label) for key, label in choices if str(key) == raw), raw)
            else:  # the period's dates
                value = date_format(dt.date.fromisoformat(raw), "SHORT_DATE_FORMAT")
            chips.append(Chip(field.label, value, self.state.url(**{name: None})))
        return chips

    @property
    def kept_filters(self) -> list[tuple[str, str]]:
        """The panel's values as hidden inputs while the panel is not loaded, so a search or
        another sort keeps them."""
        return [
            (name, self.state.params[name])
            for name in (*self.spec.filters, "size")
            if name in self.state.params
        ]

    @property
    def detail_prefix(self) -> str:
        """A ticket's page is this followed by the number (one reverse() for all rows)."""
        return reverse(self.spec.detail_url_name, args=["0"])[: -len("0/")]

    @property
    def rows_html(self) -> str:
        """The page's rows, rendered by Jinja2 (tickets/jinja2/tickets/_rows.html): Django's
        engine doubled a list page's CPU on them (measured: bench/README.md). The status labels
        (in the reader's language) are made once a page: get_status_display() rebuilds the
        choices on every call, 17 µs a row."""
        context = {
            "rows": self.page.rows,
            "spec": self.spec,
            "detail": self.detail_prefix,
            "status_labels": {value: str(label) for value, label in Status.choices},
            "status_colors": STATUS_COLOR_BY_VALUE,
        }
        html = render_to_string("tickets/_rows.html", context, using="jinja2")
        return mark_safe(html)  # noqa: S308 (Jinja2 escaped every value: autoescape is on)

    @property
    def previous_url(self) -> str:
        return self.state.url(page=self.page.number - 1)

    @property
    def next_url(self) -> str:
        return self.state.url(page=self.page.number + 1)


PANEL = "panel"  # the query parameter asking for the filter panel's fields only


def wants_panel(request: HttpRequest) -> bool:
    return bool(request.GET.get(PANEL))


def render_panel(request: HttpRequest, form: TicketListForm, state: ListState) -> HttpResponse:
    """The filter panel's fields (tickets/_list.html#filter_fields), for the list's own URL
    with panel=filters: the panel is rendered when someone opens it, not on every page."""
    context = {"list": {"spec": form.spec, "form": form, "state": state}}
    return render(request, "tickets/_list.html#filter_fields", context)


def list_context(
    state: ListState,
    page: Page,
    form: TicketListForm,
    counts: Mapping[str, int],
    alerts: Iterable[str] = (),
) -> ListContext:
    """The shared partials' context: the tabs with their counts (`alerts`: views whose
    non-zero count shows red) and the sortable headings."""
    spec, alerts = state.spec, set(alerts)
    headings = []
    for column in spec.columns:
        current = state.sort.lstrip("-") == column.key
        descending = current and state.sort.startswith("-")
        if current:
            next_sort = column.key if descending else f"-{column.key}"
        else:
            next_sort = f"-{column.key}" if column.descending_first else column.key
        headings.append(Heading(column, current, descending, state.url(sort=next_sort, page=None)))
    views = [
        ViewTab(
            key,
            label,
            counts[key],
            state.url(view=key)
            if spec.views_keep_filters
            else state.url(**{**dict.fromkeys(state.params), "view": key}),
            key in alerts and bool(counts[key]),
        )
        for key, label in spec.views.items()
    ]
    return ListContext(spec, state, page, form, views, headings)
