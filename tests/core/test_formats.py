"""English dates are unambiguous («5 Dec 2026, 14:39»); Russian keep Django's «05.12.2026 14:39»."""

from datetime import UTC, datetime

from django.utils import timezone, translation
from django.utils.formats import date_format

MOMENT = datetime(2026, 12, 5, 11, 39, tzinfo=UTC)  # 14:39 in Moscow


def test_english_dates_name_the_month_and_use_24_hours() -> None:
    with translation.override("en"), timezone.override("Europe/Moscow"):
        local = timezone.localtime(MOMENT)
        assert date_format(local, "SHORT_DATETIME_FORMAT") == "5 Dec 2026, 14:39"
        assert date_format(local, "SHORT_DATE_FORMAT") == "5 Dec 2026"
        assert date_format(local, "DATETIME_FORMAT") == "5 Dec 2026, 14:39"


def test_russian_dates_stay_as_they_are() -> None:
    with translation.override("ru"), timezone.override("Europe/Moscow"):
        local = timezone.localtime(MOMENT)
        assert date_format(local, "SHORT_DATETIME_FORMAT") == "05.12.2026 14:39"
