"""Business-hours arithmetic: pure functions over a calendar description, no ORM.

A calendar is a set of working intervals in local wall-clock time, repeated every week, minus
whole-day holidays. Deadlines are "this much working time after that moment": the clock runs
inside the intervals only. All arithmetic is done in UTC on real elapsed time, so a working day
that spans a daylight-saving change is an hour longer or shorter, as it really is.

Conventions:
- an interval ending at 00:00 ends at midnight at the end of its day (a night shift is two
  intervals, one on each weekday);
- a wall-clock time that does not exist (inside a spring-forward gap) is read with the offset
  before the change; an ambiguous one (fall-back) as its first occurrence;
- `always_on` counts every moment, holidays included (a 24/7 calendar);
- adding zero returns the start itself; adding more starts at the next working moment.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[time, time]

MIDNIGHT = time(0, 0)
# How far ahead to look for working time before deciding a calendar has none (holidays only).
_MAX_EMPTY_DAYS = 366 * 5
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class CalendarSpec:
    tz: ZoneInfo
    weekly: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict, hash=False)
    holidays: frozenset[date] = frozenset()
    always_on: bool = False

    def has_working_time(self) -> bool:
        return self.always_on or any(self.weekly.get(day) for day in range(7))


ALWAYS_ON = CalendarSpec(tz=ZoneInfo("UTC"), always_on=True)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business-hours arithmetic needs time-zone-aware datetimes")


def _day_intervals(day: date, spec: CalendarSpec) -> Iterator[tuple[datetime, datetime]]:
    """The working intervals of one local date, as UTC datetimes, in order."""
    if day in spec.holidays:
        return
    for start, end in sorted(spec.weekly.get(day.weekday(), ())):
        begin = datetime.combine(day, start, tzinfo=spec.tz).astimezone(UTC)
        end_day = day + timedelta(days=1) if end == MIDNIGHT else day
        finish = datetime.combine(end_day, end, tzinfo=spec.tz).astimezone(UTC)
        if finish > begin:
            yield begin, finish


def _intervals_from(moment: datetime, spec: CalendarSpec) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals that end after `moment` (UTC), the first one clipped to start there."""
    if not spec.has_working_time():
        raise ValueError("the calendar has no working hours")
    day = moment.astimezone(spec.tz).date() - timedelta(days=1)
    empty_days = 0
    while True:
        found = False
        for begin, finish in _day_intervals(day, spec):
            if finish <= moment:
                continue
            found = True
            yield max(begin, moment), finish
        empty_days = 0 if found else empty_days + 1
        if empty_days > _MAX_EMPTY_DAYS:
            raise ValueError("the calendar has no working time in the next five years")
        day += timedelta(days=1)


def add_working_seconds(start: datetime, seconds: int, spec: CalendarSpec) -> datetime:
    """The moment when `seconds` of working time have passed since `start` (the earliest one:
    a deadline that falls on the end of a working day is that end, not the next morning)."""
    _require_aware(start)
    if seconds < 0:
        raise ValueError("working time to add must not be negative")
    if seconds == 0:
        return start
    if spec.always_on:
        return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(start.tzinfo)
    remaining = timedelta(seconds=seconds)
    for begin, finish in _intervals_from(start.astimezone(UTC), spec):
        length = finish - begin
        if remaining <= length:
            return (begin + remaining).astimezone(start.tzinfo)
        remaining -= length
    raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover


def add_working_time(start: datetime, minutes: int, spec: CalendarSpec) -> datetime:
    """The moment when `minutes` of working time have passed since `start`."""
    return add_working_seconds(start, minutes * 60, spec)


def working_time_between(a: datetime, b: datetime, spec: CalendarSpec) -> timedelta:
    """Working time inside [a, b); zero when b is not after a."""
    _require_aware(a)
    _require_aware(b)
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    if b <= a:
        return timedelta(0)
    if spec.always_on:
        return b - a
    total = timedelta(0)
    for begin, finish in _intervals_from(a, spec):
        if begin >= b:
            break
        total += min(finish, b) - begin
    return total


def working_seconds_between(a: datetime, b: datetime, spec: CalendarSpec) -> int:
    return working_time_between(a, b, spec) // _SECOND


def working_minutes_between(a: datetime, b: datetime, spec: CalendarSpec) -> int:
    """Whole minutes of working time inside [a, b); zero when b is not after a."""
    return working_time_between(a, b, spec) // timedelta(minutes=1)
