"""Forms of the SLA admin pages: calendars with their weekly hours, holidays (one, or imported
from a text file), and SLA rules."""

import itertools
import re
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import time_zone_choices
from servicedesk.customers.models import Contract, Equipment, Site
from servicedesk.sla.calendar import MIDNIGHT, Interval
from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, Weekday
from servicedesk.sla.services import HolidayRow

_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HOLIDAY_IMPORT_MAX_BYTES = 256 * 1024
HOLIDAY_IMPORT_MAX_ROWS = 1000


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _end_minutes(value: time) -> int:
    return 24 * 60 if value == MIDNIGHT else _minutes(value)


def format_intervals(intervals: list[Interval]) -> str:
    def show(value: time, *, end: bool) -> str:
        return "24:00" if end and value == MIDNIGHT else f"{value:%H:%M}"

    return ", ".join(f"{show(a, end=False)}–{show(b, end=True)}" for a, b in intervals)


def parse_intervals(text: str) -> list[Interval]:
    """ "09:00-13:00, 14:00-18:00" → sorted intervals; an end of 24:00 (or 00:00) is midnight.
    Raises ValidationError naming the part that is wrong."""
    intervals: list[Interval] = []
    for raw in re.split(r"[,;\n]", text):
        part = raw.strip()
        if not part:
            continue
        match = _INTERVAL.match(part)
        bad = forms.ValidationError(
            _("“%(value)s” is not an interval such as 09:00-18:00."),
            code="invalid_interval",
            params={"value": part},
        )
        if not match:
            raise bad
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise bad
        start, end = time(h1, m1), time(h2 % 24, m2)
        if _end_minutes(end) <= _minutes(start):
            raise forms.ValidationError(
                _("In “%(value)s” the start must be before the end."),
                code="start_after_end",
                params={"value": part},
            )
        intervals.append((start, end))
    intervals.sort(key=lambda pair: _minutes(pair[0]))
    for (a_start, a_end), (b_start, b_end) in itertools.pairwise(intervals):
        if _minutes(b_start) < _end_minutes(a_end):
            raise forms.ValidationError(
                _("The intervals %(first)s and %(second)s overlap."),
                code="overlap",
                params={
                    "first": format_intervals([(a_start, a_end)]),
                    "second": format_intervals([(b_start, b_end)]),
                },
            )
    return intervals


class CalendarForm(forms.ModelForm[ServiceCalendar]):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices)

    class Meta:
        model = ServiceCalendar
        fields = ["name", "time_zone", "is_24x7"]

    def __init__(self, *args: Any, hours: dict[int, list[Interval]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for day in Weekday:
            self.fields[self.day_field(day)] = forms.CharField(
                label=day.label,
                required=False,
                max_length=200,
                initial=format_intervals((hours or {}).get(day.value, [])),
                help_text=_("For example 09:00-13:00, 14:00-18:00. Empty: a day off."),
                widget=forms.TextInput(attrs={"placeholder": "09:00-18:00"}),
            )

    @staticmethod
    def day_field(day: int) -> str:
        return f"hours_{day}"

    def day_fields(self) -> list[forms.BoundField]:
        return [self[self.day_field(day)] for day in Weekday]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours: dict[int, list[Interval]] = {}
        for day in Weekday:
            name = self.day_field(day)
            if name in self.errors:
                continue
            try:
                intervals = parse_intervals(cleaned.get(name) or "")
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            if intervals:
                hours[day.value] = intervals
        has_errors = any(self.day_field(day) in self.errors for day in Weekday)
        if not hours and not has_errors and not cleaned.get("is_24x7"):
            raise forms.ValidationError(
                _("Give the working hours of at least one day, or mark the calendar 24/7."),
                code="no_hours",
            )
        cleaned["hours"] = hours
        return cleaned


def _calendar_today(calendar: ServiceCalendar) -> date:
    return timezone.now().astimezone(ZoneInfo(calendar.time_zone)).date()


class HolidayForm(forms.ModelForm[Holiday]):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, calendar: ServiceCalendar, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        self.instance.calendar = calendar

    def clean_date(self) -> date:
        day: date = self.cleaned_data["date"]
        if day < _calendar_today(self.calendar):
            raise forms.ValidationError(
                _("This date has passed: a holiday must be today or later."), code="past"
            )
        if Holiday.objects.filter(calendar=self.calendar, date=day).exists():
            raise forms.ValidationError(
                _("This calendar already has a holiday on this date."), code="duplicate"
            )
        return day


class HolidayImportForm(forms.Form):
    """Holidays as lines "YYYY-MM-DD;name", from a file or pasted. Every row is checked; if any
    is wrong, nothing is imported and each wrong row is listed."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A CSV or text file in UTF-8, one holiday a line: 2027-01-01;New Year."),
    )
    text = forms.CharField(
        label=_("Or paste the lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("2027-01-01;New Year")}),
    )

    def __init__(self, *args: Any, calendar: ServiceCalendar, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        self.row_errors: list[tuple[int, str, str]] = []

    def _read(self) -> str | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return str(self.cleaned_data.get("text") or "")
        if upload.size > HOLIDAY_IMPORT_MAX_BYTES:
            self.add_error("file", _("The file is too large (256 KB at most)."))
            return None
        try:
            return bytes(upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", _("The file is not UTF-8 text."))
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        content = self._read()
        if content is None:
            return cleaned
        lines = [
            (number, line.strip())
            for number, line in enumerate(content.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")
        ]
        if not lines:
            raise forms.ValidationError(_("Choose a file or paste at least one line."))
        if len(lines) > HOLIDAY_IMPORT_MAX_ROWS:
            raise forms.ValidationError(
                _("Too many lines: %(limit)s at most."), params={"limit": HOLIDAY_IMPORT_MAX_ROWS}
            )
        today = _calendar_today(self.calendar)
        existing = set(
            Holiday.objects.filter(calendar=self.calendar).values_list("date", flat=True)
        )
        seen: set[date] = set()
        rows: list[HolidayRow] = []
        for number, line in lines:
            error, row = self._parse(line, today=today, existing=existing, seen=seen)
            if error:
                self.row_errors.append((number, line, str(error)))
            elif row is not None:
                seen.add(row.date)
                rows.append(row)
        if self.row_errors:
            raise forms.ValidationError(
                _("Nothing was imported: %(count)s lines have errors. Correct them and try again."),
                params={"count": len(self.row_errors)},
                code="bad_rows",
            )
        cleaned["rows"] = rows
        return cleaned

    @staticmethod
    def _parse(
        line: str, *, today: date, existing: set[date], seen: set[date]
    ) -> tuple[Any, HolidayRow | None]:
        separator = ";" if ";" in line else ","
        raw_date, _sep, raw_name = line.partition(separator)
        raw_date, name = raw_date.strip(), raw_name.strip()
        if not _ISO_DATE.match(raw_date):
            return _("Expected a date YYYY-MM-DD, a semicolon and a name."), None
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            return _("There is no such date."), None
        if not name:
            return _("The holiday has no name."), None
        if len(name) > Holiday._meta.get_field("name").max_length:  # type: ignore[operator]
            return _("The name is too long (200 characters at most)."), None
        if day < today:
            return _("This date has passed: a holiday must be today or later."), None
        if day in existing:
            return _("This calendar already has a holiday on this date."), None
        if day in seen:
            return _("This date appears twice in the file."), None
        return None, HolidayRow(date=day, name=name)


class _CompanyLabelled(forms.ModelMultipleChoiceField[Model]):
    def label_from_instance(self, obj: Model) -> str:
        company = getattr(obj, "company", None)
        return f"{company.name} — {obj}" if company is not None else str(obj)


class SlaRuleForm(forms.ModelForm[SlaRule]):
    class Meta:
        model = SlaRule
        fields = [
            "name",
            "is_active",
            "first_response_minutes",
            "resolution_minutes",
            "calendar",
            "contracts",
            "companies",
            "sites",
            "equipment",
            "ticket_types",
            "criticalities",
            "work_types",
        ]
        field_classes = {
            "sites": _CompanyLabelled,
            "equipment": _CompanyLabelled,
            "contracts": _CompanyLabelled,
        }
        widgets = {
            name: forms.SelectMultiple(attrs={"size": 6})
            for name in (
                "contracts",
                "companies",
                "sites",
                "equipment",
                "ticket_types",
                "criticalities",
                "work_types",
            )
        }

    M2M_FIELDS = (
        "contracts",
        "companies",
        "sites",
        "equipment",
        "ticket_types",
        "criticalities",
        "work_types",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("first_response_minutes", "resolution_minutes"):
            target = self.fields[name]
            assert isinstance(target, forms.IntegerField)  # noqa: S101
            # The model field is positive (>= 0) and validated >= 1: say 1, not 0.
            target.min_value = 1
            target.validators = [
                v for v in target.validators if not isinstance(v, MinValueValidator)
            ] + [MinValueValidator(1)]
            target.widget.attrs["min"] = "1"
        related = {"sites": Site, "equipment": Equipment, "contracts": Contract}
        for name, model in related.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
            field.queryset = model.objects.select_related("company")  # type: ignore[attr-defined]
        for name in self.M2M_FIELDS:
            self.fields[name].help_text = _("Nothing selected: any.")
        self.fields["sites"].help_text = _(
            "Nothing selected: any. A site also covers the sites beneath it and their equipment."
        )
        self.fields["calendar"].empty_label = _("Around the clock (24/7)")  # type: ignore[attr-defined]
