"""The period of a report (the portal's «Аналитика» and the back office's «Отчёты»): two local
dates, both days included; a reversed or absurd period is a form error that says the report
falls back to the default period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 5


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(
                _("The period ends before it starts: the report shows the last %(days)d days.")
                % {"days": DEFAULT_DAYS},
                code="reversed",
            )
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError(
                _(
                    "A period of at most five years, please: the report shows the last %(days)d "
                    "days."
                )
                % {"days": DEFAULT_DAYS},
                code="too_long",
            )
        return data
