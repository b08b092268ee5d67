"""Money on an act: VAT in its three modes, rounding, and the total in words."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.acts.money import (
    VatMode,
    amount_in_words,
    format_money,
    format_quantity,
    line_amount,
    money,
    vat_totals,
)

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
rates = st.sampled_from([Decimal(0), Decimal(10), Decimal(18), Decimal(20), Decimal(22)]) | (
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
)


@given(subtotal=amounts, rate=rates)
def test_vat_included_takes_the_vat_out_of_the_total_exactly(subtotal, rate):
    totals = vat_totals(subtotal, VatMode.INCLUDED, rate)
    assert totals.total == subtotal
    assert totals.vat == money(subtotal * rate / (100 + rate))
    assert totals.net == totals.total - totals.vat
    assert totals.net + totals.vat == totals.total
    assert totals.vat <= totals.total
    for value in (totals.net, totals.vat, totals.total):
        assert value.as_tuple().exponent == -2


@given(subtotal=amounts, rate=rates)
def test_vat_on_top_adds_the_rounded_vat(subtotal, rate):
    totals = vat_totals(subtotal, VatMode.ON_TOP, rate)
    assert totals.net == subtotal
    assert totals.vat == money(subtotal * rate / 100)
    assert totals.total == subtotal + totals.vat
    # the VAT is within half a kopeck of the exact value
    assert abs(totals.vat - subtotal * rate / 100) <= Decimal("0.005")


@given(subtotal=amounts, rate=rates)
def test_without_vat_there_is_no_vat_line(subtotal, rate):
    totals = vat_totals(subtotal, VatMode.NONE, rate)
    assert totals.vat is None
    assert totals.net == totals.total == totals.subtotal == subtotal


@pytest.mark.parametrize(
    ("mode", "subtotal", "vat", "total", "net"),
    [
        # 20 % on top of 1 000,00 and of an amount whose VAT ends in half a kopeck
        (VatMode.ON_TOP, "1000.00", "200.00", "1200.00", "1000.00"),
        (VatMode.ON_TOP, "0.025", "0.01", "0.04", "0.03"),  # 0.03 × 20 % = 0.006 → 0.01
        (VatMode.ON_TOP, "10.02", "2.00", "12.02", "10.02"),  # 2.004 → 2.00
        (VatMode.ON_TOP, "10.03", "2.01", "12.04", "10.03"),  # 2.006 → 2.01
        # included: 1 200,00 holds 200,00; 1 000,00 holds 166,666… → 166,67
        (VatMode.INCLUDED, "1200.00", "200.00", "1200.00", "1000.00"),
        (VatMode.INCLUDED, "1000.00", "166.67", "1000.00", "833.33"),
        (VatMode.INCLUDED, "0.03", "0.01", "0.03", "0.02"),  # 0.005 → 0.01 (half up)
    ],
)
def test_vat_examples(mode, subtotal, vat, total, net):
    totals = vat_totals(Decimal(subtotal), mode, Decimal(20))
    assert (totals.vat, totals.total, totals.net) == (Decimal(vat), Decimal(total), Decimal(net))


def test_half_a_kopeck_rounds_up():
    assert money(Decimal("0.005")) == Decimal("0.01")
    assert money(Decimal("2.345")) == Decimal("2.35")
    assert money(Decimal("2.3449")) == Decimal("2.34")
    assert line_amount(Decimal("0.333"), Decimal("100.00")) == Decimal("33.30")
    assert line_amount(3, Decimal("33.335")) == Decimal("100.01")


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="Unknown VAT mode"):
        vat_totals(Decimal(1), "subtract", Decimal(20))


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Ноль рублей 00 копеек"),
        ("1", "Один рубль 00 копеек"),
        ("2", "Два рубля 00 копеек"),
        ("5", "Пять рублей 00 копеек"),
        ("11", "Одиннадцать рублей 00 копеек"),
        ("21", "Двадцать один рубль 00 копеек"),
        ("22.22", "Двадцать два рубля 22 копейки"),
        ("1000", "Одна тысяча рублей 00 копеек"),
        ("2000", "Две тысячи рублей 00 копеек"),
        ("1200.50", "Одна тысяча двести рублей 50 копеек"),
        ("1000000", "Один миллион рублей 00 копеек"),
        ("0.01", "Ноль рублей 01 копейка"),
        ("0.10", "Ноль рублей 10 копеек"),
        ("0.99", "Ноль рублей 99 копеек"),
        ("111.11", "Сто одиннадцать рублей 11 копеек"),
        ("1021.21", "Одна тысяча двадцать один рубль 21 копейка"),
        ("3180.90", "Три тысячи сто восемьдесят рублей 90 копеек"),
    ],
)
def test_total_in_russian_words(amount, words):
    assert amount_in_words(Decimal(amount), "ru") == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Zero roubles, 00 kopeks"),
        ("1", "One rouble, 00 kopeks"),
        ("2", "Two roubles, 00 kopeks"),
        ("5", "Five roubles, 00 kopeks"),
        ("11", "Eleven roubles, 00 kopeks"),
        ("21", "Twenty-one roubles, 00 kopeks"),
        ("1000", "One thousand roubles, 00 kopeks"),
        ("1000000", "One million roubles, 00 kopeks"),
        ("0.01", "Zero roubles, 01 kopek"),
        ("0.10", "Zero roubles, 10 kopeks"),
        ("0.99", "Zero roubles, 99 kopeks"),
        ("1200.50", "One thousand, two hundred roubles, 50 kopeks"),
    ],
)
def test_total_in_english_words(amount, words):
    assert amount_in_words(Decimal(amount), "en") == words


def test_a_negative_total_has_no_words():
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(Decimal("-1"), "ru")


def test_amounts_and_quantities_are_written_as_the_language_writes_them():
    assert format_money(Decimal("1234567.5"), "ru") == "1\u00a0234\u00a0567,50"
    assert format_money(Decimal("1234567.5"), "en") == "1,234,567.50"
    assert format_money(Decimal("0"), "ru") == "0,00"
    assert format_quantity(Decimal("1.500"), "ru") == "1,5"
    assert format_quantity(Decimal("1.500"), "en") == "1.5"
    assert format_quantity(Decimal("100"), "en") == "100"
    assert format_quantity(Decimal("1E+2"), "ru") == "100"
