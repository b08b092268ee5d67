"""Small helpers shared by the portal's and the back office's forms."""

import datetime
from typing import Any

from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def pk_or_none(value: Any) -> int | None:
    """A primary key from a model instance, a number or its text; None for anything else."""
    if isinstance(value, models.Model):
        return int(value.pk)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class QuickSelect(forms.Select):
    """A `<select>` rendered in Python: the same HTML as Django's Select for flat choices, without
    a template render per option (a list page's filter panel has hundreds of options, and the
    template-per-option path cost it ~20 ms). Option groups are not supported."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    text,
                    mark_safe(" selected") if text in chosen else "",
                    label,
                )
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final),
            mark_safe("".join(options)),  # noqa: S308 (each option escaped by format_html)
        )


class QuickDateInput(forms.DateInput):
    """`<input type="date">` rendered in Python (see QuickSelect)."""

    input_type = "date"

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        text = self.format_value(value)
        return format_html(
            '<input type="date" name="{}"{}{}>',
            name,
            format_html(' value="{}"', text) if text else "",
            flatatt(final),
        )

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
