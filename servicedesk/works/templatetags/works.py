"""`{{ amount|money }}` → «1 000,00 ₽» ("1,000.00 ₽" in English); `{{ line|duration }}` → the
time actually spent, «1 ч 35 мин»; `{{ quantity|quantity }}` → «2,5» (no trailing zeros);
`{{ work|work_amount }}` → what a work costs in all."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from servicedesk.works.amounts import work_amount

register = template.Library()

CURRENCY = "₽"


@register.filter
def money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=2, force_grouping=True)}\u00a0{CURRENCY}"


@register.filter
def quantity(value: Decimal | None) -> str:
    if value is None:
        return ""
    normal = value.normalize()
    if normal == normal.to_integral():
        normal = normal.quantize(Decimal(1))
    places = max(-int(normal.as_tuple().exponent), 0)
    return number_format(normal, decimal_pos=places, force_grouping=True)


@register.filter
def duration(line: Any) -> str:
    """The time from `line.started_at` to `line.finished_at` in hours and minutes."""
    spent: timedelta = line.finished_at - line.started_at
    minutes = spent // timedelta(minutes=1)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.filter(name="work_amount")
def work_amount_filter(work: Any) -> Decimal:
    """What the work costs in all (works/amounts.py: work_amount)."""
    return work_amount(work)
