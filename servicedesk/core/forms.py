"""Small helpers shared by the portal's and the back office's forms."""

import datetime
from typing import Any

from django import forms
from django.db import models

# The greatest primary key (a 64-bit integer on both databases), and the last page a list
# will go to: a number past them in an address is not an error, it finds nothing.
PK_MAX = 2**63 - 1
PAGE_MAX = 100_000


def pk_or_none(value: Any) -> int | None:
    """A primary key from a model instance, a number or its text; None for anything else,
    zero, negative numbers and numbers past PK_MAX (which a database would refuse)."""
    if isinstance(value, models.Model):
        return int(value.pk)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= PK_MAX else None


def page_number(value: Any) -> int:
    """A page number from a query string: 1 for anything that is not one, at most PAGE_MAX."""
    number = pk_or_none(value)
    return min(number, PAGE_MAX) if number is not None else 1


class QuickSelect(forms.Select):
    """Django's Select for flat choices, its options written by one loop of its template
    (core/widgets/quick_select.html) instead of a template per option: a list's filter panel
    has hundreds of options. Option groups are not supported."""

    template_name = "core/widgets/quick_select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # The base widget's context: Select's would build a dict per option (optgroups).
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        context["widget"]["options"] = [
            (text, label, text in chosen)
            for text, label in (
                ("" if option is None else str(option), label) for option, label in self.choices
            )
        ]
        return context


class QuickDateInput(forms.DateInput):
    """`<input type="date">` that shows a date (or what was typed) as the browser wants it."""

    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value) if value else None


def id_choice_field(label: Any) -> forms.TypedChoiceField:
    """An optional choice of an id among (id, name) choices set later: a list's filter."""
    return forms.TypedChoiceField(
        label=label, coerce=int, empty_value=None, required=False, widget=QuickSelect
    )


def page_size_field(label: Any, sizes: tuple[int, ...]) -> forms.TypedChoiceField:
    """A list's "per page" choice."""
    return forms.TypedChoiceField(
        label=label,
        choices=[(size, size) for size in sizes],
        coerce=int,
        required=False,
        empty_value=None,
        widget=QuickSelect,
    )
