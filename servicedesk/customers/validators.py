"""Russian tax identifiers: pure functions, no ORM.

ИНН (INN) is 10 digits for an organisation and 12 for an individual entrepreneur, with check
digits computed from fixed weights (Order of the Federal Tax Service); КПП (KPP) is 9 characters:
4 digits (tax office), 2 digits or capital Latin letters (reason), 3 digits.
"""

import re

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN12_WEIGHTS_1) == int(value[10]) and _check_digit(
            value, _INN12_WEIGHTS_2
        ) == int(value[11])
    return False


def is_valid_kpp(value: str) -> bool:
    return bool(_KPP_RE.match(value))
