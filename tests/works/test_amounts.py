"""works/amounts.py: hours billed by the started hour, Decimal amounts with two places half up,
and totals that add up — examples first, then properties over many values (hypothesis)."""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.core.money import money
from servicedesk.works.amounts import (
    billed_hours,
    engineer_amount,
    material_amount,
    work_amount,
    works_total,
)

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def after(**delta: float) -> dt.datetime:
    return START + dt.timedelta(**delta)


@pytest.mark.parametrize(
    ("end", "hours"),
    [
        (START, 0),
        (after(seconds=1), 1),
        (after(minutes=1), 1),
        (after(minutes=59), 1),
        (after(hours=1), 1),
        (after(hours=1, microseconds=1), 2),
        (after(hours=1, minutes=35), 2),
        (after(hours=2), 2),
        (after(hours=23, minutes=1), 24),
        (after(hours=24), 24),
        (after(days=2, minutes=1), 49),
    ],
)
def test_hours_are_billed_by_the_started_hour(end: dt.datetime, hours: int) -> None:
    assert billed_hours(START, end) == hours


def test_the_hours_of_a_period_across_a_change_of_offset_are_its_real_length() -> None:
    # 01:30 to 03:10 in two different offsets: the instants are 40 minutes apart
    start = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    end = dt.datetime(2026, 3, 29, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert billed_hours(start, end) == 1


def test_an_end_before_the_start_is_refused() -> None:
    with pytest.raises(ValueError, match="end before start"):
        billed_hours(START, after(minutes=-1))


def test_the_example_of_the_issue_500_an_hour_for_1_h_35_min_is_1000() -> None:
    hours = billed_hours(START, after(hours=1, minutes=35))
    assert engineer_amount(Decimal("500.00"), hours) == Decimal("1000.00")


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        ("3", "120.50", "361.50"),
        ("0.125", "10.10", "1.26"),  # 1.2625
        ("0.5", "0.01", "0.01"),  # 0.005: half up, not to even
        ("1.5", "0.03", "0.05"),  # 0.045
        ("2.5", "0.01", "0.03"),  # 0.025
        ("100000", "10000000.00", "1000000000000.00"),
    ],
)
def test_material_amounts_are_rounded_half_up_to_kopecks(
    quantity: str, price: str, amount: str
) -> None:
    result = material_amount(Decimal(quantity), Decimal(price))
    assert result == Decimal(amount)
    assert result.as_tuple().exponent == -2


@dataclass
class Line:
    amount: Decimal


@dataclass
class Lines:
    items: list[Line] = field(default_factory=list)

    def all(self) -> list[Line]:
        return self.items


@dataclass
class FakeWork:
    work_type_price: Decimal
    engineers: Lines
    materials: Lines


def test_a_work_costs_its_type_plus_its_engineers_plus_its_materials() -> None:
    work = FakeWork(
        Decimal("1500.00"),
        Lines([Line(Decimal("1000.00")), Line(Decimal("600.00"))]),
        Lines([Line(Decimal("361.50"))]),
    )
    assert work_amount(work) == Decimal("3461.50")
    assert works_total([work, work]) == Decimal("6923.00")
    assert works_total([]) == Decimal("0.00")


# --- Properties ----------------------------------------------------------------------------------

minutes = st.integers(min_value=0, max_value=24 * 60)
seconds = st.integers(min_value=0, max_value=59)
rates = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=100_000, places=3, allow_nan=False, allow_infinity=False
)
prices = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)


@given(minutes=minutes, rate=rates)
def test_an_engineers_amount_is_the_started_hours_times_the_rate(
    minutes: int, rate: Decimal
) -> None:
    hours = billed_hours(START, after(minutes=minutes))
    assert hours == math.ceil(minutes / 60)
    assert engineer_amount(rate, hours) == rate * math.ceil(minutes / 60)


@given(minutes=minutes, extra=seconds)
def test_billed_hours_cover_the_time_and_never_an_hour_more(minutes: int, extra: int) -> None:
    spent = dt.timedelta(minutes=minutes, seconds=extra)
    hours = billed_hours(START, START + spent)
    assert dt.timedelta(hours=hours) >= spent
    assert dt.timedelta(hours=hours) - spent < dt.timedelta(hours=1)


@given(quantity=quantities, price=prices)
def test_a_materials_amount_is_within_half_a_kopeck_of_the_exact_product(
    quantity: Decimal, price: Decimal
) -> None:
    amount = material_amount(quantity, price)
    assert amount.as_tuple().exponent == -2
    assert abs(amount - quantity * price) <= Decimal("0.005")


@given(
    st.lists(
        st.tuples(
            prices,
            st.lists(st.tuples(minutes, rates), min_size=1, max_size=4),
            st.lists(st.tuples(quantities, prices), max_size=4),
        ),
        max_size=5,
    )
)
def test_totals_add_up(works: list[Any]) -> None:
    built = []
    expected = Decimal(0)
    for type_price, engineers, materials in works:
        engineer_lines = [
            Line(engineer_amount(rate, billed_hours(START, after(minutes=spent))))
            for spent, rate in engineers
        ]
        material_lines = [Line(material_amount(q, p)) for q, p in materials]
        work = FakeWork(type_price, Lines(engineer_lines), Lines(material_lines))
        built.append(work)
        parts = [type_price, *(line.amount for line in engineer_lines + material_lines)]
        assert work_amount(work) == money(sum(parts, Decimal(0)))
        expected += work_amount(work)
    assert works_total(built) == expected
