"""SLA settings for administrators: business calendars with their holidays, and SLA rules.

Everything here needs "sla.manage" (administrators); anyone else gets 404, as on the other
back-office pages.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.backoffice.people.common import elided_range, people_view
from servicedesk.backoffice.sla.forms import (
    CalendarForm,
    HolidayForm,
    HolidayImportForm,
    SlaRuleForm,
    format_intervals,
)
from servicedesk.sla.calendar import Interval
from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, Weekday, WorkingHours
from servicedesk.sla.selectors import calendar_list, rule_list
from servicedesk.sla.services import HolidayRow, calendar_save, holidays_add

PER_PAGE = 25
sla_view = people_view("sla.manage")


def _page(request: AuthenticatedHttpRequest, items: Any) -> Any:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _hours_of(calendar: ServiceCalendar) -> dict[int, list[Interval]]:
    hours: dict[int, list[Interval]] = {}
    for item in calendar.working_hours.all():
        hours.setdefault(item.weekday, []).append((item.start, item.end))
    return hours


def _week(hours: dict[int, list[Interval]]) -> list[tuple[str, str]]:
    return [(str(day.label), format_intervals(hours.get(day.value, []))) for day in Weekday]


# --- Calendars -----------------------------------------------------------------------------------


@sla_view
def calendar_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = _page(request, calendar_list())
    rows = [(calendar, _week(_hours_of(calendar))) for calendar in page.object_list]
    return render(
        request,
        "backoffice/sla/calendar_list.html",
        {"section": "sla", "page": page, "rows": rows, "elided_range": elided_range(page)},
    )


def _calendar_form(
    request: AuthenticatedHttpRequest, calendar: ServiceCalendar, *, creating: bool
) -> HttpResponse:
    hours = {} if creating else _hours_of(calendar)
    data = request.POST if request.method == "POST" else None
    form = CalendarForm(data, instance=calendar, hours=hours)
    if data is not None and form.is_valid():
        saved = calendar_save(form.save(commit=False), hours=form.cleaned_data["hours"])
        messages.success(request, _("The calendar has been saved."))
        return redirect("backoffice:sla_calendar_detail", pk=saved.pk)
    return render(
        request,
        "backoffice/sla/calendar_form.html",
        {"section": "sla", "form": form, "calendar": calendar, "creating": creating},
    )


@sla_view
def calendar_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _calendar_form(request, ServiceCalendar(), creating=True)


@sla_view
def calendar_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(
        ServiceCalendar.objects.prefetch_related(
            Prefetch("working_hours", queryset=WorkingHours.objects.order_by("weekday", "start"))
        ),
        pk=pk,
    )
    return _calendar_form(request, calendar, creating=False)


def _calendar_detail(
    request: AuthenticatedHttpRequest,
    calendar: ServiceCalendar,
    *,
    holiday_form: HolidayForm | None = None,
    import_form: HolidayImportForm | None = None,
) -> HttpResponse:
    page = _page(request, Holiday.objects.filter(calendar=calendar).order_by("date"))
    context = {
        "section": "sla",
        "calendar": calendar,
        "week": _week(_hours_of(calendar)),
        "page": page,
        "elided_range": elided_range(page),
        "holiday_form": holiday_form or HolidayForm(calendar=calendar),
        "import_form": import_form or HolidayImportForm(calendar=calendar),
        "rule_count": calendar.rules.count(),
    }
    return render(request, "backoffice/sla/calendar_detail.html", context)


def _calendar_or_404(pk: int) -> ServiceCalendar:
    return get_object_or_404(ServiceCalendar.objects.prefetch_related("working_hours"), pk=pk)


@sla_view
def calendar_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _calendar_detail(request, _calendar_or_404(pk))


@sla_view
def holiday_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    calendar = _calendar_or_404(pk)
    form = HolidayForm(request.POST, calendar=calendar)
    if not form.is_valid():
        return _calendar_detail(request, calendar, holiday_form=form)
    row = HolidayRow(date=form.cleaned_data["date"], name=form.cleaned_data["name"])
    holidays_add(calendar, rows=[row])
    messages.success(request, _("The holiday has been added."))
    return redirect("backoffice:sla_calendar_detail", pk=calendar.pk)


@sla_view
def holiday_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    calendar = _calendar_or_404(pk)
    form = HolidayImportForm(request.POST, request.FILES, calendar=calendar)
    if not form.is_valid():
        return _calendar_detail(request, calendar, import_form=form)
    count = holidays_add(calendar, rows=form.cleaned_data["rows"])
    messages.success(request, _("Holidays imported: %(count)s.") % {"count": count})
    return redirect("backoffice:sla_calendar_detail", pk=calendar.pk)


@sla_view
@require_POST
def holiday_delete(request: AuthenticatedHttpRequest, pk: int, holiday_pk: int) -> HttpResponse:
    holiday = get_object_or_404(Holiday, pk=holiday_pk, calendar_id=pk)
    holiday.delete()
    messages.success(request, _("The holiday has been deleted."))
    return redirect("backoffice:sla_calendar_detail", pk=pk)


# --- Rules ---------------------------------------------------------------------------------------


@sla_view
def rule_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = _page(request, rule_list())
    return render(
        request,
        "backoffice/sla/rule_list.html",
        {"section": "sla", "page": page, "elided_range": elided_range(page)},
    )


def _rule_form(request: AuthenticatedHttpRequest, rule: SlaRule, *, creating: bool) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = SlaRuleForm(data, instance=rule)
    if data is not None and form.is_valid():
        form.save()
        messages.success(request, _("The SLA rule has been saved."))
        return redirect("backoffice:sla_rules")
    return render(
        request,
        "backoffice/sla/rule_form.html",
        {"section": "sla", "form": form, "rule": rule, "creating": creating},
    )


@sla_view
def rule_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _rule_form(request, SlaRule(), creating=True)


@sla_view
def rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _rule_form(request, get_object_or_404(SlaRule, pk=pk), creating=False)
