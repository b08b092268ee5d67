"""Business-hours arithmetic (servicedesk/sla/calendar.py): worked examples, nights, weekends,
holidays, time zones with and without daylight saving, and properties over random inputs."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.sla.calendar import (
    CalendarSpec,
    add_working_seconds,
    add_working_time,
    working_minutes_between,
    working_seconds_between,
    working_time_between,
)

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

NINE_TO_SIX = ((time(9), time(18)),)
LUNCH_BREAK = ((time(9), time(13)), (time(14), time(18)))


def weekdays(intervals, tz=MSK, holidays=(), weekend=()) -> CalendarSpec:
    weekly = dict.fromkeys(range(5), intervals)
    weekly.update(dict.fromkeys(range(5, 7), weekend) if weekend else {})
    return CalendarSpec(tz=tz, weekly=weekly, holidays=frozenset(holidays))


OFFICE = weekdays(NINE_TO_SIX)
OFFICE_LUNCH = weekdays(LUNCH_BREAK)
# 2026-01-01 is a Thursday; 2026-03-05 a Thursday, 2026-03-06 a Friday, 2026-03-09 a Monday.
OFFICE_HOLIDAYS = weekdays(NINE_TO_SIX, holidays=[date(2026, 3, 9), date(2026, 3, 10)])
NIGHT_SHIFT = CalendarSpec(
    tz=MSK,
    weekly={d: ((time(0), time(6)), (time(22), time(0))) for d in range(7)},
)
ALWAYS = CalendarSpec(tz=MSK, always_on=True, holidays=frozenset({date(2026, 3, 6)}))


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


@pytest.mark.parametrize(
    ("spec", "start", "minutes", "expected"),
    [
        # The worked examples: Thursday 17:00, weekdays 9–18.
        (OFFICE, msk(2026, 3, 5, 17), 6 * 60, msk(2026, 3, 6, 14)),
        (OFFICE, msk(2026, 3, 5, 17), 2 * 60, msk(2026, 3, 6, 10)),
        # Within the day; ending exactly at closing time stays on that day.
        (OFFICE, msk(2026, 3, 5, 9), 60, msk(2026, 3, 5, 10)),
        (OFFICE, msk(2026, 3, 5, 17), 60, msk(2026, 3, 5, 18)),
        # Before opening and after closing: the clock starts at the next working moment.
        (OFFICE, msk(2026, 3, 5, 6, 30), 30, msk(2026, 3, 5, 9, 30)),
        (OFFICE, msk(2026, 3, 5, 20), 30, msk(2026, 3, 6, 9, 30)),
        # Friday evening → Monday; over the weekend.
        (OFFICE, msk(2026, 3, 6, 17), 2 * 60, msk(2026, 3, 9, 10)),
        (OFFICE, msk(2026, 3, 7, 12), 60, msk(2026, 3, 9, 10)),
        # A whole working week.
        (OFFICE, msk(2026, 3, 2, 9), 5 * 9 * 60, msk(2026, 3, 6, 18)),
        (OFFICE, msk(2026, 3, 2, 9), 5 * 9 * 60 + 1, msk(2026, 3, 9, 9, 1)),
        # Holidays (Monday and Tuesday) are skipped.
        (OFFICE_HOLIDAYS, msk(2026, 3, 6, 17), 2 * 60, msk(2026, 3, 11, 10)),
        # A lunch break.
        (OFFICE_LUNCH, msk(2026, 3, 5, 12), 2 * 60, msk(2026, 3, 5, 15)),
        (OFFICE_LUNCH, msk(2026, 3, 5, 13, 30), 30, msk(2026, 3, 5, 14, 30)),
        # Intervals through midnight (an end of 00:00 is the end of the day).
        (NIGHT_SHIFT, msk(2026, 3, 5, 23), 3 * 60, msk(2026, 3, 6, 2)),
        (NIGHT_SHIFT, msk(2026, 3, 5, 5), 2 * 60, msk(2026, 3, 5, 23)),
        # 24/7: every moment counts, holidays too.
        (ALWAYS, msk(2026, 3, 5, 17), 2 * 24 * 60, msk(2026, 3, 7, 17)),
        # Zero: the start itself, even outside working hours.
        (OFFICE, msk(2026, 3, 7, 12), 0, msk(2026, 3, 7, 12)),
    ],
)
def test_add_working_time(spec, start, minutes, expected):
    result = add_working_time(start, minutes, spec)
    assert result == expected
    assert working_minutes_between(start, result, spec) == minutes


def test_result_keeps_the_start_time_zone():
    start = datetime(2026, 3, 5, 14, tzinfo=UTC)  # 17:00 in Moscow
    result = add_working_time(start, 120, OFFICE)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 3, 6, 7, tzinfo=UTC)


def test_working_hours_are_read_in_the_calendar_time_zone():
    """Moscow 9–18 is 06–15 UTC; a UTC start at 05:00 waits an hour."""
    start = datetime(2026, 3, 5, 5, tzinfo=UTC)
    assert add_working_time(start, 60, OFFICE) == datetime(2026, 3, 5, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "start", "minutes", "expected"),
    [
        # Berlin springs forward on Sunday 2026-03-29 at 02:00; a Saturday–Sunday calendar with
        # hours 00:00–06:00 loses an hour that night (the clock jumps 02:00 → 03:00).
        (BERLIN, datetime(2026, 3, 29, 0, tzinfo=BERLIN), 5 * 60, (date(2026, 3, 29), time(6))),
        # Berlin falls back on Sunday 2026-10-25 at 03:00: that night is an hour longer.
        (BERLIN, datetime(2026, 10, 25, 0, tzinfo=BERLIN), 5 * 60, (date(2026, 10, 25), time(4))),
        # New York springs forward on 2026-03-08 at 02:00.
        (NEW_YORK, datetime(2026, 3, 8, 0, tzinfo=NEW_YORK), 5 * 60, (date(2026, 3, 8), time(6))),
        (NEW_YORK, datetime(2026, 11, 1, 0, tzinfo=NEW_YORK), 5 * 60, (date(2026, 11, 1), time(4))),
    ],
)
def test_daylight_saving_nights_count_real_time(tz, start, minutes, expected):
    spec = CalendarSpec(tz=tz, weekly={6: ((time(0), time(6)),)})
    result = add_working_time(start, minutes, spec)
    local = result.astimezone(tz)
    assert (local.date(), local.time()) == expected
    assert working_minutes_between(start, result, spec) == minutes


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK])
def test_office_hours_across_a_dst_change_are_wall_clock_hours(tz):
    """9–18 local stays 9–18 local when the offset changes over the weekend."""
    spec = weekdays(NINE_TO_SIX, tz=tz)
    friday = {BERLIN: date(2026, 3, 27), NEW_YORK: date(2026, 3, 6)}[tz]
    start = datetime.combine(friday, time(17), tzinfo=tz)
    result = add_working_time(start, 120, spec).astimezone(tz)
    assert (result.date() - friday, result.time()) == (timedelta(days=3), time(10))


def test_moscow_has_no_daylight_saving():
    spec = weekdays(NINE_TO_SIX, tz=MSK)
    summer = add_working_time(datetime(2026, 7, 2, 6, tzinfo=UTC), 60, spec)
    winter = add_working_time(datetime(2026, 1, 8, 6, tzinfo=UTC), 60, spec)
    assert (summer.time(), winter.time()) == (time(7), time(7))


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        (msk(2026, 3, 5, 17), msk(2026, 3, 6, 14), 6 * 60),
        (msk(2026, 3, 6, 17), msk(2026, 3, 9, 10), 2 * 60),  # across the weekend
        (msk(2026, 3, 7, 0), msk(2026, 3, 8, 23), 0),  # all weekend
        (msk(2026, 3, 5, 20), msk(2026, 3, 6, 8), 0),  # a night
        (msk(2026, 3, 6, 10), msk(2026, 3, 5, 10), 0),  # backwards
        (msk(2026, 3, 5, 9, 0, 30), msk(2026, 3, 5, 9, 1, 29), 0),  # 59 seconds
    ],
)
def test_working_minutes_between(a, b, minutes):
    assert working_minutes_between(a, b, OFFICE) == minutes


def test_seconds_are_kept():
    start = msk(2026, 3, 5, 17, 59, 30)
    result = add_working_seconds(start, 45, OFFICE)
    assert result == msk(2026, 3, 6, 9, 0, 15)
    assert working_seconds_between(start, result, OFFICE) == 45


def test_naive_datetimes_and_negative_time_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_time(datetime(2026, 3, 5, 9), 10, OFFICE)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_working_time(msk(2026, 3, 5, 9), -1, OFFICE)


def test_a_calendar_without_hours_is_refused():
    with pytest.raises(ValueError, match="no working hours"):
        add_working_time(msk(2026, 3, 5, 9), 10, CalendarSpec(tz=MSK))


# --- Properties --------------------------------------------------------------------------------

ZONES = [MSK, BERLIN, NEW_YORK, ZoneInfo("Asia/Kolkata")]
HOLIDAY_DAYS = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(0, 730, 11))


@st.composite
def specs(draw: st.DrawFn) -> CalendarSpec:
    tz = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 9)) == 0:
        return CalendarSpec(tz=tz, always_on=True)
    weekly = {}
    for day in range(7):
        # Up to three intervals on whole quarter hours, sorted and not overlapping.
        marks = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
        pairs = list(zip(marks[0::2], marks[1::2], strict=False))
        weekly[day] = tuple(
            (time(a // 4, a % 4 * 15), time(b // 4 % 24, b % 4 * 15)) for a, b in pairs if a < b
        )
    if not any(weekly.values()):
        weekly[0] = ((time(9), time(18)),)
    holidays = HOLIDAY_DAYS if draw(st.booleans()) else frozenset()
    return CalendarSpec(tz=tz, weekly=weekly, holidays=holidays)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
amounts = st.integers(min_value=0, max_value=10 * 24 * 60)


@given(spec=specs(), start=moments, minutes=amounts)
def test_measuring_what_was_added_gives_it_back(spec, start, minutes):
    end = add_working_time(start, minutes, spec)
    assert end >= start
    assert working_minutes_between(start, end, spec) == minutes


@given(spec=specs(), start=moments, a=amounts, b=amounts)
def test_more_time_is_never_earlier(spec, start, a, b):
    low, high = sorted((a, b))
    assert add_working_time(start, low, spec) <= add_working_time(start, high, spec)


@given(spec=specs(), a=moments, b=moments, minutes=st.integers(1, 5 * 24 * 60))
def test_a_later_start_is_never_earlier(spec, a, b, minutes):
    early, late = sorted((a, b))
    assert add_working_time(early, minutes, spec) <= add_working_time(late, minutes, spec)


@given(spec=specs(), start=moments, a=amounts, b=amounts)
def test_adding_in_two_steps_is_adding_once(spec, start, a, b):
    once = add_working_time(start, a + b, spec)
    assert add_working_time(add_working_time(start, a, spec), b, spec) == once


@given(spec=specs(), a=moments, b=moments, c=moments)
def test_measuring_is_additive(spec, a, b, c):
    a, b, c = sorted((a, b, c))
    total = working_time_between(a, c, spec)
    assert total == working_time_between(a, b, spec) + working_time_between(b, c, spec)
