import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """An IANA time zone name known to this system, e.g. "Europe/Moscow"."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (expected e.g. Europe/Moscow)."),
            code="invalid_time_zone",
            params={"value": value},
        )
