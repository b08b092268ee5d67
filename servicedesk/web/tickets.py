"""The ticket's pieces the portal and the back office both show: the timeline in words, a file
after its permission check, the ticket form's surroundings and the product type-ahead."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, cast

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_countries import countries

from servicedesk.conversations.survey_selectors import survey_summary_text
from servicedesk.core.models import ReferenceItem
from servicedesk.customers.models import Criticality, Product, TicketType, WorkType
from servicedesk.customers.reference import CACHED_MODELS, reference_rows
from servicedesk.tickets import selectors, workflow
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.web.ticket_form import TicketForm
from servicedesk.works.texts import work_summary_text

PRODUCT_MIN_CHARS = 3
PRODUCT_SUGGESTIONS = 10
PRODUCT_ALL_LIMIT = 100

# Images a browser may show inline; anything else (SVG included) is only ever downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


# Reference lists whose entries a FIELD_CHANGED event keeps by code (tickets/services/common.py:
# _readable): named when shown, in the reader's language.
REFERENCE_FIELDS: dict[str, type[ReferenceItem]] = {
    "ticket_type": TicketType,
    "criticality": Criticality,
    "work_type": WorkType,
    "product": Product,
}


def _reference_names(events: list[TicketEvent]) -> dict[str, dict[str, str]]:
    """field → {code: name in the active language} for the codes the events keep: the small
    lists from the cache (customers/reference.py), products in one query, only when a
    timeline names one. An older event kept the name itself: it finds no code, and shows as
    it was written."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.kind == TicketEvent.Kind.FIELD_CHANGED and event.field in REFERENCE_FIELDS:
            codes = wanted.setdefault(event.field, set())
            codes.update(value for value in (event.old_value, event.new_value) if value)
    if not wanted:
        return {}
    models_wanted = {REFERENCE_FIELDS[name] for name in wanted}
    cached = reference_rows(*(m for m in models_wanted if m in CACHED_MODELS))
    names: dict[str, dict[str, str]] = {}
    for name, codes in wanted.items():
        model = REFERENCE_FIELDS[name]
        rows = (
            cached[model].values()
            if model in cached
            else model._default_manager.filter(code__in=codes)
        )
        names[name] = {row.code: row.name for row in rows if row.code in codes}
    return names


def _event_value(
    event: TicketEvent, value: str, for_customer: bool, names: dict[str, dict[str, str]]
) -> str:
    if event.kind == TicketEvent.Kind.STATUS_CHANGED and value in Status.values:
        if for_customer:
            return workflow.customer_status_label(value)
        return str(Status(value).label)
    if event.kind == TicketEvent.Kind.FIELD_CHANGED and event.field in REFERENCE_FIELDS:
        return names.get(event.field, {}).get(value, value)
    if event.kind == TicketEvent.Kind.RATED and value:
        return survey_summary_text(value)
    if event.kind in WORK_KINDS and value:
        return work_summary_text(value)
    if event.field == "country" and len(value) == 2 and value.isupper() and value in countries:
        return str(countries.name(value))
    if value and event.field in DATETIME_FIELDS:
        try:  # stored as ISO 8601 in UTC; shown in the reader's time zone and format
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    return value


# Completed works' events keep a summary by code (works/texts.py); staff read them only.
WORK_KINDS = frozenset(
    {TicketEvent.Kind.WORK_ADDED, TicketEvent.Kind.WORK_CHANGED, TicketEvent.Kind.WORK_DELETED}
)
DATETIME_FIELDS = frozenset(
    f.name for f in Ticket._meta.get_fields() if isinstance(f, models.DateTimeField)
)


def _field_label(name: str) -> str:
    """A ticket field's name as people read it ("deadline", not "due_at")."""
    if not name:
        return ""
    try:
        return str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def timeline_rows(
    ticket: Ticket,
    events: Iterable[TicketEvent] | None = None,
    for_customer: bool | None = None,
) -> list[dict[str, Any]]:
    """The timeline with values a person can read (field names and status codes become
    labels): the public events in the customer's words unless `events` are given (the back
    office shows every one, with the stages' own names). `for_customer` says whose words when
    `events` are given (the API's pages of the public events)."""
    if for_customer is None:
        for_customer = events is None
    if events is None:
        events = selectors.ticket_public_events(ticket)
    events = list(events)
    names = _reference_names(events)
    rows = []
    for event in events:
        old = _event_value(event, event.old_value, for_customer, names)
        new = _event_value(event, event.new_value, for_customer, names)
        if for_customer and event.kind == TicketEvent.Kind.STATUS_CHANGED and old == new:
            continue  # e.g. Assigned → In progress: the same "In progress" to the customer
        rows.append({"event": event, "field": _field_label(event.field), "old": old, "new": new})
    return rows


class StoredFile(Protocol):
    """A file kept for a ticket: an attachment, a completed work's photo."""

    @property
    def file(self) -> Any: ...
    @property
    def name(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def is_image(self) -> bool: ...


def attachment_response(request: HttpRequest, attachment: StoredFile) -> HttpResponse:
    """The file (reached through `access_attachment`, `access_photo`, …) as a download, or an
    image inline."""
    inline = (
        request.GET.get("inline") == "1"
        and attachment.is_image
        and attachment.content_type in INLINE_TYPES
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    # A streaming response; the gate's type speaks of HttpResponse only.
    return cast(HttpResponse, response)


def form_context(
    form: TicketForm, options_url: str, product_search_url: str | None = None
) -> dict[str, Any]:
    """What the ticket fields need besides the form: the limits for the browser's own checks."""
    return {
        "form": form,
        "options_url": options_url,
        "product_search_url": product_search_url or reverse("portal:product_search"),
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "max_files": settings.ATTACHMENTS_PER_UPLOAD,
        "extensions": ",".join(e.lower() for e in settings.ATTACHMENT_EXTENSIONS),
        "extensions_list": [e.lower() for e in settings.ATTACHMENT_EXTENSIONS],
        "description_max": form.fields["description"].max_length,  # type: ignore[attr-defined]
    }


def product_search_response(request: HttpRequest) -> HttpResponse:
    """htmx: active products whose name or code contains what was typed (3 characters or
    more). A few as suggestions; `all=1` (Enter) lists every match up to a limit. Products are
    a public reference list: the same answer for every signed-in person of the audience."""
    q = request.GET.get("q", "").strip()
    show_all = request.GET.get("all") == "1"
    products: list[Product] = []
    more = False
    if len(q) >= PRODUCT_MIN_CHARS:
        limit = PRODUCT_ALL_LIMIT if show_all else PRODUCT_SUGGESTIONS
        found = list(
            Product.objects.filter(is_active=True)
            .filter(Q(name_ru__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
            .order_by("sort_order", "name_ru", "pk")[: limit + 1]
        )
        products, more = found[:limit], len(found) > limit
    return render(
        request,
        "portal/tickets/_product_results.html",
        {
            "q": q,
            "products": products,
            "more": more,
            "show_all": show_all,
            "too_short": len(q) < PRODUCT_MIN_CHARS,
            "min_chars": PRODUCT_MIN_CHARS,
        },
    )
