"""The act's content: made from the works' input, totalled, and kept as JSON with a hash."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.acts.content import (
    ActLine,
    EngineerInput,
    LineKind,
    MaterialInput,
    WorkInput,
    content_from_json,
    content_hash,
    content_to_json,
)
from servicedesk.acts.money import VatMode
from tests.acts.conftest import START, build, work


def test_a_work_becomes_its_table():
    act = build()
    (acted,) = act.works
    d = Decimal
    assert acted.lines == (
        ActLine(LineKind.WORK, "Ремонт котла", d(1), "", d("1500.00"), d("1500.00")),
        ActLine(LineKind.MATERIAL, "Прокладка 3/4", d(4), "шт", d("75.50"), d("302.00")),
        ActLine(LineKind.MATERIAL, "Герметик", d("0.5"), "л", d("640.00"), d("320.00")),
        ActLine(LineKind.ENGINEER, "Инженеров Евгений", d(2), "", d("500.00"), d("1000.00")),
    )
    assert [line.name for line in acted.materials] == ["Прокладка 3/4", "Герметик"]
    assert [line.name for line in acted.engineers] == ["Инженеров Евгений"]
    assert acted.total == Decimal("3122.00")
    assert acted.started_at == START and acted.place == "Склад №1, котельная"
    assert (act.number, act.subtotal, act.total, act.vat_amount) == (
        "00004321",
        Decimal("3122.00"),
        Decimal("3122.00"),
        None,
    )
    assert act.total_in_words == "Три тысячи сто двадцать два рубля 00 копеек"
    assert act.customer.inn == "7813000017"


def test_works_add_up_and_vat_is_taken_once_on_the_total():
    # Three works of 0,10 at 5 %: per work the VAT would be 0,005 → 0,01, 0,03 in all; on the
    # total of 0,30 it is 0,015 → 0,02
    cheap = work(work_price=Decimal("0.10"), engineers=(), materials=())
    act = build([cheap, cheap, cheap], vat_mode=VatMode.ON_TOP, vat_rate=Decimal(5))
    assert act.subtotal == Decimal("0.30")
    assert act.vat_amount == Decimal("0.02")
    assert act.total == Decimal("0.32")


def test_vat_included_in_the_content():
    act = build(vat_mode=VatMode.INCLUDED)
    assert (act.total, act.vat_amount, act.net_amount) == (
        Decimal("3122.00"),
        Decimal("520.33"),
        Decimal("2601.67"),
    )
    assert act.total_in_words == "Три тысячи сто двадцать два рубля 00 копеек"


def test_a_work_type_without_a_price_only_names_the_work():
    act = build([work(work_price=None)])
    (line,) = act.works[0].work_lines
    assert (line.price, line.amount) == (None, None)
    assert act.total == Decimal("1622.00")


def test_english_act_has_english_words():
    act = build(language="en-gb", vat_mode=VatMode.ON_TOP)
    assert act.language == "en"
    assert act.total == Decimal("3746.40")
    assert act.total_in_words == "Three thousand, seven hundred and forty-six roubles, 40 kopeks"


def test_numbers_from_the_mask():
    assert build(mask="{year}-{seq:4}", seq=17).number == "2026-0017"
    with pytest.raises(ValueError, match="seq"):
        build(mask="{year}-{seq:4}")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: build([]), "at least one"),
        (lambda: work(finished_at=START - timedelta(minutes=1)), "finish before it starts"),
        (lambda: work(started_at=datetime(2026, 3, 5, 10, 0)), "aware"),  # noqa: DTZ001
        (lambda: work(work_price=Decimal("-1")), "work_price"),
        (lambda: EngineerInput("X", -1, Decimal(1), Decimal(-1)), "hours"),
        (lambda: EngineerInput("X", 1.5, Decimal(1), Decimal("1.5")), "hours"),
        (lambda: EngineerInput("X", 2, Decimal(500), Decimal(500)), "not hours × rate"),
        (lambda: MaterialInput("X", Decimal(-1), "шт", Decimal(1), Decimal(-1)), "quantity"),
        (lambda: MaterialInput("X", Decimal(2), "шт", Decimal(1), Decimal(3)), "not quantity"),
        (lambda: MaterialInput("X", Decimal("NaN"), "шт", Decimal(1), Decimal(1)), "quantity"),
    ],
)
def test_impossible_input_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_instants_are_kept_in_utc():
    moscow = ZoneInfo("Europe/Moscow")
    started = datetime(2026, 3, 5, 10, 0, tzinfo=moscow)
    act = build([work(started_at=started, finished_at=started + timedelta(hours=2))])
    assert act.works[0].started_at == datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
    assert act.works[0].started_at.tzinfo == UTC


# --- JSON and hash -------------------------------------------------------------------------------

names = st.text(min_size=1, max_size=30)
prices = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
quantities = st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False)


@st.composite
def works(draw):
    # hypothesis takes naive bounds and attaches the time zone itself
    bounds = datetime(2020, 1, 1), datetime(2030, 1, 1)  # noqa: DTZ001
    start = draw(st.datetimes(*bounds, timezones=st.just(UTC)))
    engineer = st.builds(EngineerInput.of, names, st.integers(0, 24), prices)
    units = st.sampled_from(["шт", "m", ""])
    material = st.builds(MaterialInput.of, names, quantities, units, prices)
    engineers = draw(st.lists(engineer, max_size=3))
    materials = draw(st.lists(material, max_size=3))
    return WorkInput(
        title=draw(names),
        started_at=start,
        finished_at=start + timedelta(minutes=draw(st.integers(0, 24 * 60))),
        place=draw(st.text(max_size=20)),
        work_price=draw(st.none() | prices),
        engineers=tuple(engineers),
        materials=tuple(materials),
        comment=draw(st.text(max_size=40)),
    )


@given(
    works=st.lists(works(), min_size=1, max_size=3),
    mode=st.sampled_from(list(VatMode)),
    rate=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    language=st.sampled_from(["ru", "en"]),
)
def test_content_survives_json_and_keeps_its_hash(works, mode, rate, language):
    act = build(works, vat_mode=mode, vat_rate=rate, language=language)
    text = content_to_json(act)
    again = content_from_json(text)
    assert again == act
    assert content_to_json(again) == text
    assert content_hash(again) == content_hash(act)
    # and the totals hold whatever the input
    assert act.total == act.net_amount + (act.vat_amount or 0)
    assert act.subtotal == sum((w.total for w in act.works), Decimal(0))


def test_the_hash_is_stable_and_changes_with_the_content():
    act = build()
    # The same input spelt differently (1.50 and 1.5; another time zone) is the same content
    materials = (
        MaterialInput.of("Прокладка 3/4", Decimal("4.000"), "шт", Decimal("75.5")),
        MaterialInput.of("Герметик", Decimal("0.50"), "л", Decimal(640)),
    )
    tokyo = START.astimezone(ZoneInfo("Asia/Tokyo"))
    same = build([work(materials=materials, started_at=tokyo)])
    assert content_hash(same) == content_hash(act)
    # A fixed value: a change of the content's shape or spelling must be a new schema
    assert content_hash(act) == GOLDEN_HASH
    # Any change is another hash
    assert content_hash(dataclasses.replace(act, number="00004322")) != content_hash(act)
    assert content_hash(build(language="en")) != content_hash(act)


def test_json_from_another_schema_is_refused():
    text = content_to_json(build()).replace('"schema":1', '"schema":99')
    with pytest.raises(ValueError, match="schema"):
        content_from_json(text)


GOLDEN_HASH = "5f24e0a64428b3686dfa60e10ab079a16807ff76c91b3e59b0a50895ba78545f"
