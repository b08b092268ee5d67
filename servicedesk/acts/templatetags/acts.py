"""Numbers and dates on an act, written the way the act's language writes them (the language
is active while an act renders: acts/rendering.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.utils import formats, translation

from servicedesk.acts import money

register = template.Library()


def _language() -> str:
    return translation.get_language() or "ru"


@register.filter
def rub(amount: Decimal | None) -> str:
    """1 500,00 / 1,500.00; an empty string for no amount."""
    return "" if amount is None else money.format_money(amount, _language())


@register.filter
def qty(quantity: Decimal) -> str:
    return money.format_quantity(quantity, _language())


@register.filter
def act_date(day: date) -> str:
    """«5 марта 2026 г.» / «5 March 2026»."""
    if _language().startswith("en"):
        return formats.date_format(day, "j F Y")
    return formats.date_format(day, "DATE_FORMAT")
