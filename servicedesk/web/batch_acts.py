"""The batch acts' page and downloads («Сервисный акт», «Бухгалтерский акт» per customer and
period), the same for the back office and the portal: a GET form whose filters live in the
address, a preview of what the documents include (tickets, works, total), and the PDF and XLSX.

What a person may pick comes from the scoping layer only: companies, sites and equipment are
the user's `visible_to()` querysets (sites and equipment: of the chosen company), so another
company's id is the same form error as an id that does not exist; the tickets are chosen by
acts.batch, through `Ticket.objects.visible_to(user)`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from servicedesk.acts.batch import (
    MAX_PERIOD_DAYS,
    BatchResult,
    BatchSelection,
    batch_build,
)
from servicedesk.acts.batch_content import AccountingLayout, BatchKind
from servicedesk.acts.batch_output import batch_file_name, render_batch_pdf, render_batch_xlsx
from servicedesk.customers.models import Company, Equipment, Site
from servicedesk.tickets.models import Status

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
PREVIEW_ROWS = 100  # the preview lists this many tickets; the documents have them all


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class BatchActForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), label=_("Customer"))
    period_from = forms.DateField(label=_("From"), widget=_DateInput())
    period_to = forms.DateField(label=_("To"), widget=_DateInput())
    site = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(),
        required=False,
        label=_("Sites"),
        help_text=_("A site includes everything beneath it. None: every site."),
    )
    equipment = forms.ModelMultipleChoiceField(
        queryset=Equipment.objects.none(), required=False, label=_("Equipment")
    )
    status = forms.MultipleChoiceField(
        choices=Status.choices,
        required=False,
        label=_("Ticket stage"),
        help_text=_("None: every stage."),
    )
    kind = forms.ChoiceField(
        choices=BatchKind.choices,
        initial=BatchKind.SERVICE,
        required=False,
        label=_("Document"),
        widget=forms.RadioSelect,
    )
    layout = forms.ChoiceField(
        choices=AccountingLayout.choices,
        initial=AccountingLayout.SUMMARY,
        required=False,
        label=_("Act type"),
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        max_length=50,
        required=False,
        label=_("Act number"),
        help_text=_(
            "Printed on the service act and the summary act; blank: none. One act per ticket "
            "takes the ticket's issued act number, else the ticket's number."
        ),
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        today = timezone.localdate()
        first = today.replace(day=1)
        initial = {
            "period_from": (first - timedelta(days=1)).replace(day=1),
            "period_to": first - timedelta(days=1),
        }
        super().__init__(data, initial=initial)
        companies = Company.objects.visible_to(user).order_by("name", "pk")
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        company = self._picked_company(companies)
        self.places_offered = company is not None  # the page offers its sites and equipment
        if company is not None:
            self.fields["site"].queryset = (  # type: ignore[attr-defined]
                Site.objects.visible_to(user).filter(company=company).order_by("path", "pk")
            )
            self.fields["equipment"].queryset = (  # type: ignore[attr-defined]
                Equipment.objects.visible_to(user).filter(company=company).order_by("name", "pk")
            )

    def _picked_company(self, companies: Any) -> int | None:
        """The company asked for when the user may see it (its sites and equipment are then
        offered), else None (and the company field says it is not a valid choice)."""
        raw = self.data.get("company") if self.is_bound else None
        if not raw or not str(raw).isdigit():
            return None
        return int(raw) if companies.filter(pk=int(raw)).exists() else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        for name in ("period_from", "period_to"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Give a date between %(earliest)s and %(latest)s.")
                    % {"earliest": EARLIEST.year, "latest": LATEST.year},
                )
        if start and end and EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST:
            if end < start:
                self.add_error("period_to", _("The period ends before it starts."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error(
                    "period_to",
                    _("A period of at most %(days)s days: split a longer one.")
                    % {"days": MAX_PERIOD_DAYS},
                )
        # Left out of the address: the service act, the summary form.
        data["kind"] = data.get("kind") or BatchKind.SERVICE
        data["layout"] = data.get("layout") or AccountingLayout.SUMMARY
        return data

    def selection(self) -> BatchSelection:
        data = self.cleaned_data
        return BatchSelection(
            company=data["company"],
            period_from=data["period_from"],
            period_to=data["period_to"],
            sites=tuple(data["site"]),
            equipment=tuple(data["equipment"]),
            statuses=tuple(data["status"]),
        )


def _build(form: BatchActForm, user: Any) -> BatchResult:
    data = form.cleaned_data
    return batch_build(
        user,
        form.selection(),
        kind=data["kind"],
        accounting_layout=data["layout"],
        number=data["number"].strip(),
        language=translation.get_language() or "ru",
        time_zone=timezone.get_current_timezone_name(),
        day=timezone.localdate(),
    )


def batch_page(
    request: HttpRequest, *, template: str, download_url: str, extra: dict[str, Any]
) -> HttpResponse:
    form = BatchActForm(request.GET or None, user=request.user)
    result = _build(form, request.user) if form.is_bound and form.is_valid() else None
    return _page(request, template, form, result, download_url, extra)


def _page(
    request: HttpRequest,
    template: str,
    form: BatchActForm,
    result: BatchResult | None,
    download_url: str,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    tickets = [t for document in result.documents for t in document.tickets] if result else []
    context = {
        **extra,
        "form": form,
        "result": result,
        "preview": tickets[:PREVIEW_ROWS],
        "more": max(len(tickets) - PREVIEW_ROWS, 0),
        "query": request.GET.urlencode(),
        "download_url": download_url,
    }
    return render(request, template, context, status=status)


def batch_download(
    request: HttpRequest,
    file_format: str,
    *,
    template: str,
    download_url: str,
    extra: dict[str, Any],
) -> HttpResponse:
    """The documents as a PDF or an XLSX; the page with its message instead when the form is
    wrong (400) or nothing qualifies (404): never an empty document."""
    form = BatchActForm(request.GET, user=request.user)
    if not form.is_valid():
        return _page(request, template, form, None, download_url, extra, status=400)
    result = _build(form, request.user)
    if not result.documents:
        return _page(request, template, form, result, download_url, extra, status=404)
    if file_format == "xlsx":
        body = render_batch_xlsx(result.documents)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        disposition = "attachment"
    else:
        body = render_batch_pdf(result.documents)
        kind, disposition = "application/pdf", "inline"
    response = HttpResponse(body, content_type=kind)
    name = batch_file_name(result.documents, file_format)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
