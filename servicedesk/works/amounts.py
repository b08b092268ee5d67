"""What completed works cost: pure functions on Decimals and datetimes, no database.

An engineer's time is billed by the started hour, as HubEx does: 1 h 35 min is 2 h, so
500 ₽/h × 1 h 35 min = 1 000 ₽; exactly 1 h is 1 h, and no time at all is 0 h. A work costs
its type's price, plus each engineer's hours × rate, plus each material's quantity × price;
every amount has two places, half up (core/money.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from servicedesk.core.money import money

_HOUR = timedelta(hours=1)


def billed_hours(start: datetime, end: datetime) -> int:
    """Whole hours from `start` to `end`, any part of an hour counting as one: 0 when they are
    equal, 1 for 1 min to 60 min, 2 for 61 min to 120 min. Exact to the microsecond (integer
    arithmetic on the timedelta, no float). Raises ValueError when `end` is before `start`."""
    if end < start:
        raise ValueError("end before start")
    quotient, remainder = divmod(end - start, _HOUR)
    return quotient + (1 if remainder else 0)


def engineer_amount(rate: Decimal, hours: int) -> Decimal:
    """`hours` (billed, whole) × `rate`."""
    return money(Decimal(rate) * hours)


def material_amount(quantity: Decimal, price: Decimal) -> Decimal:
    """`quantity` × `price`, rounded to kopecks half up: 0.125 kg × 10.10 = 1.26 (1.2625)."""
    return money(Decimal(quantity) * Decimal(price))


class _Work(Protocol):
    """What `work_amount` reads: a CompletedWork with its engineers and materials (prefetched
    by the selectors), or anything shaped like it."""

    work_type_price: Decimal
    engineers: Any  # a related manager: .all() gives objects with .amount
    materials: Any


def work_amount(work: _Work) -> Decimal:
    """The work type's price + every engineer's amount + every material's amount."""
    total = money(work.work_type_price)
    total += sum((line.amount for line in work.engineers.all()), Decimal(0))
    total += sum((line.amount for line in work.materials.all()), Decimal(0))
    return money(total)


def works_total(works: Iterable[_Work]) -> Decimal:
    """The sum of the works' amounts (each already rounded): what the act's total is."""
    return money(sum((work_amount(work) for work in works), Decimal(0)))
