"""The rules a completed work's values obey, as plain checks that raise ApplicationError with
a code and the field at fault. The services call them on everything they are given; the
back office's forms call the same ones so that a person sees each message beside its field
(one set of rules, two callers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Role
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.core.money import PRICE_MAX, QUANTITY_MAX, RATE_MAX
from servicedesk.works.models import COMMENT_MAX_LENGTH, Unit

# One engineer's time in one work: more is a slip (a wrong day), or several works.
HOURS_MAX = 24
ENGINEERS_MAX = 20
MATERIALS_MAX = 50
PHOTOS_MAX = 20
NAME_MAX_LENGTH = 200
# Who may be an engineer of a work: the people tickets are assigned to.
ENGINEER_ROLES = frozenset({Role.ENGINEER, Role.DISPATCHER})


def _amount_text(value: Decimal) -> str:
    return number_format(value, decimal_pos=2, force_grouping=True)


def _decimal(value: Any, *, field: str, code: ErrorCode) -> Decimal:
    """A finite Decimal from a Decimal, an int or text; never from a float (money is not)."""
    number: Decimal | None = None
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise ApplicationError(_("Give a number."), code=code, field=field)
    return number


def _places(number: Decimal, places: int, *, field: str, code: ErrorCode) -> Decimal:
    """`number` (already within its limits) with `places` decimal places, if it needs no
    more."""
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise ApplicationError(
            _("At most %(places)s digits after the point.") % {"places": places},
            code=code,
            field=field,
        )
    return number.quantize(step)


def check_money(
    value: Any, *, field: str, code: ErrorCode, maximum: Decimal, label: str | None = None
) -> Decimal:
    """An amount of money: 0 to `maximum`, kopecks at most."""
    if value is None or value == "":
        raise ApplicationError(label or _("Give the price."), code=code, field=field)
    number = _decimal(value, field=field, code=code)
    if number < 0:
        raise ApplicationError(_("Cannot be negative."), code=code, field=field)
    if number > maximum:
        raise ApplicationError(
            _("At most %(max)s.") % {"max": _amount_text(maximum)}, code=code, field=field
        )
    return _places(number, 2, field=field, code=code)


def check_rate(value: Any, *, field: str = "hourly_rate") -> Decimal:
    return check_money(
        value,
        field=field,
        code=ErrorCode.RATE,
        maximum=RATE_MAX,
        label=_("Give the hourly rate."),
    )


def check_price(value: Any, *, field: str = "price") -> Decimal:
    return check_money(value, field=field, code=ErrorCode.PRICE, maximum=PRICE_MAX)


def check_quantity(value: Any, *, field: str = "quantity") -> Decimal:
    """More than zero, at most QUANTITY_MAX, thousandths at most."""
    if value is None or value == "":
        raise ApplicationError(_("Give the quantity."), code=ErrorCode.QUANTITY, field=field)
    number = _decimal(value, field=field, code=ErrorCode.QUANTITY)
    if number <= 0:
        raise ApplicationError(
            _("The quantity must be more than zero."), code=ErrorCode.QUANTITY, field=field
        )
    if number > QUANTITY_MAX:
        raise ApplicationError(
            _("At most %(max)s.") % {"max": number_format(QUANTITY_MAX, force_grouping=True)},
            code=ErrorCode.QUANTITY,
            field=field,
        )
    return _places(number, 3, field=field, code=ErrorCode.QUANTITY)


def check_unit(value: Any, *, field: str = "unit") -> str:
    if value not in Unit.values:
        raise ApplicationError(_("Choose a unit."), code=ErrorCode.UNIT, field=field)
    return str(value)


def check_material_name(value: Any, *, field: str = "name") -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ApplicationError(
            _("Give the material's name or choose it from the list."),
            code=ErrorCode.MATERIAL,
            field=field,
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("At most %(max)s characters.") % {"max": NAME_MAX_LENGTH},
            code=ErrorCode.MATERIAL,
            field=field,
        )
    return name


def check_period(start: Any, end: Any) -> None:
    """An engineer's time in one work: both given (aware), the end not before the start, at
    most HOURS_MAX hours. Errors name the field to correct."""
    for value, field in ((start, "started_at"), (end, "finished_at")):
        if not isinstance(value, datetime) or not timezone.is_aware(value):
            raise ApplicationError(_("Give a date and time."), code=ErrorCode.PERIOD, field=field)
    if end < start:
        raise ApplicationError(
            _("The end is before the start."), code=ErrorCode.PERIOD, field="finished_at"
        )
    if end - start > timedelta(hours=HOURS_MAX):
        raise ApplicationError(
            _(
                "More than %(hours)s hours for one engineer in one work: check the dates, or "
                "record it as several works."
            )
            % {"hours": HOURS_MAX},
            code=ErrorCode.TOO_MANY_HOURS,
            field="finished_at",
        )


def check_engineer(person: Any, *, kept: bool = False, field: str = "engineer") -> None:
    """One of the people tickets are assigned to (an engineer or a dispatcher), active —
    unless they are already on the work (`kept`: someone who has left stays on old works)."""
    if person is None or getattr(person, "role", None) not in ENGINEER_ROLES:
        raise ApplicationError(_("Choose an engineer."), code=ErrorCode.ENGINEER, field=field)
    if not person.is_active and not kept:
        raise ApplicationError(
            _("%(name)s can no longer sign in: choose someone else.") % {"name": person.full_name},
            code=ErrorCode.ENGINEER,
            field=field,
        )


def check_engineers(people: Sequence[Any]) -> None:
    """At least one engineer, each only once, at most ENGINEERS_MAX."""
    if not people:
        raise ApplicationError(
            _("Add at least one engineer."), code=ErrorCode.NO_ENGINEERS, field="engineers"
        )
    if len(people) > ENGINEERS_MAX:
        raise ApplicationError(
            _("At most %(max)s engineers in one work.") % {"max": ENGINEERS_MAX},
            code=ErrorCode.TOO_MANY_LINES,
            field="engineers",
        )
    seen: set[Any] = set()
    for person in people:
        if person.pk in seen:
            raise ApplicationError(
                _("%(name)s is given twice: each engineer once, with all their time.")
                % {"name": person.full_name},
                code=ErrorCode.DUPLICATE_ENGINEER,
                field="engineers",
            )
        seen.add(person.pk)


def check_materials_count(count: int) -> None:
    if count > MATERIALS_MAX:
        raise ApplicationError(
            _("At most %(max)s materials in one work.") % {"max": MATERIALS_MAX},
            code=ErrorCode.TOO_MANY_LINES,
            field="materials",
        )


def check_text(value: Any, *, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise ApplicationError(
            _("At most %(max)s characters.") % {"max": COMMENT_MAX_LENGTH},
            code=ErrorCode.TOO_LONG,
            field=field,
        )
    return text
