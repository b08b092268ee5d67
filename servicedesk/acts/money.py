"""Money on an act: amounts, VAT and the total in words. Pure functions, no ORM.

Every amount is a `Decimal` with two places, rounded half up (kopecks); a line's amount is
quantity × price rounded once, the VAT is computed once on the act's total (never per line,
which would let the lines' roundings add up to a kopeck that the total does not have):

- without VAT: no VAT line, the total is the lines' sum («Без НДС»);
- VAT on top: vat = subtotal × r / 100, total = subtotal + vat;
- VAT included: the prices include VAT, total = subtotal and vat = total × r / (100 + r);
  the amount without VAT is total − vat exactly.

HubEx's fourth mode, «Без НДС (вычитание НДС)» (prices include VAT, the act shows them with the
VAT taken out and charges no VAT), belongs to its batch accounting forms; it is not offered
here (docs/decisions/0016-acts-content-and-money.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from num2words import num2words

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class VatMode(models.TextChoices):
    NONE = "none", _("Without VAT")
    ON_TOP = "on_top", _("VAT on top of the prices")
    INCLUDED = "included", _("VAT included in the prices")


def money(value: Decimal | int | str) -> Decimal:
    """`value` in roubles with kopecks: two places, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal | int, price: Decimal) -> Decimal:
    """What a line of the act costs: quantity × price, rounded once."""
    return money(Decimal(quantity) * Decimal(price))


@dataclass(frozen=True)
class VatTotals:
    subtotal: Decimal  # the sum of the act's lines, as the tables show it
    net: Decimal  # the amount without VAT
    vat: Decimal | None  # None without VAT (the act says «Без НДС»)
    total: Decimal  # «Итого к оплате»


def vat_totals(subtotal: Decimal, mode: str, rate: Decimal) -> VatTotals:
    subtotal = money(subtotal)
    if mode == VatMode.NONE:
        return VatTotals(subtotal=subtotal, net=subtotal, vat=None, total=subtotal)
    if mode == VatMode.ON_TOP:
        vat = money(subtotal * rate / HUNDRED)
        return VatTotals(subtotal=subtotal, net=subtotal, vat=vat, total=subtotal + vat)
    if mode == VatMode.INCLUDED:
        vat = money(subtotal * rate / (HUNDRED + rate))
        return VatTotals(subtotal=subtotal, net=subtotal - vat, vat=vat, total=subtotal)
    raise ValueError(f"Unknown VAT mode {mode!r}")


def amount_in_words(amount: Decimal, language: str) -> str:
    """«Одна тысяча двести рублей 50 копеек» / «One thousand, two hundred roubles, 50 kopeks»:
    roubles in words with the right case forms, kopecks in figures (as Russian payment
    documents write them), the first letter capital."""
    amount = money(amount)
    if amount < 0:
        raise ValueError("An act's total cannot be negative")
    lang = "en" if language.startswith("en") else "ru"
    separator = "" if lang == "ru" else ","
    words: str = num2words(
        amount, lang=lang, to="currency", currency="RUB", cents=False, separator=separator
    )
    return words[:1].upper() + words[1:]


def format_money(amount: Decimal, language: str) -> str:
    """12 000,50 (Russian: a no-break space between thousands, a decimal comma) or 12,000.50."""
    text = f"{money(amount):,.2f}"
    if language.startswith("en"):
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def format_quantity(quantity: Decimal, language: str) -> str:
    """A quantity without trailing zeros: 2, 1.5 / 1,5, 0.25 / 0,25."""
    text = f"{Decimal(quantity).normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if language.startswith("en") else text.replace(".", ",")
