"""The Jinja2 environment for the few fragments Django's template engine is measurably too slow
for (a list's rows: bench/README.md), through Django's own Jinja2 backend (config/settings.py,
templates in `<app>/jinja2/`). It speaks Django's language: the active translation
(`{{ _("…") }}`, `{% trans %}`), dates in the reader's time zone and format (`|date`), and
escapes everything as Django does."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from jinja2 import Environment


def _date(value: datetime | None, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), format_name)


def _truncatechars(value: str, length: int) -> str:
    return Truncator(value).chars(length)


def environment(**options: Any) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 (autoescape: Django's backend turns it on)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.filters.update(
        {"date": _date, "truncatechars": _truncatechars, "urlpath": lambda v: quote(str(v))}
    )
    return env
