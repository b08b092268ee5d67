"""Money and quantities: `Decimal` everywhere, never float. Amounts have two places, rounded half
up (kopecks: 0.005 → 0.01), as a Russian act of completed work shows them.

The limits are the sane maxima a form and a service accept: a typing slip (an extra three zeros)
is refused with a message instead of reaching an act. They are not the database's limits, which
are wider (`MONEY_DIGITS`)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Quantities of materials: thousandths (0.125 kg, 2.5 m).
QUANTITY_STEP = Decimal("0.001")

# Database columns: 12 digits, 2 after the point (up to 9 999 999 999.99).
MONEY_DIGITS = 12
QUANTITY_DIGITS = 12

# An engineer's hourly rate, a work type's price, a material's price and quantity.
RATE_MAX = Decimal("100000.00")
PRICE_MAX = Decimal("10000000.00")
QUANTITY_MAX = Decimal("100000")


def money(value: Decimal | int) -> Decimal:
    """`value` with two places, half up: money(Decimal("2.675")) == Decimal("2.68")."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantity(value: Decimal | int) -> Decimal:
    """`value` with three places, half up."""
    return Decimal(value).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)
