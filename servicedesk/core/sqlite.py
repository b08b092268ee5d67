"""SQLite's LIKE folds the case of ASCII letters only, so `icontains` would not find «Анна» by
"анна". SQLite lets an application replace the like() function: this one compares with Unicode
case folding, for every LIKE the ORM writes (Django treats SQLite's `contains` as
case-insensitive anyway). PostgreSQL is untouched: it uses UPPER(...) LIKE UPPER(...).
"""

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=512)
def _compile(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE | re.UNICODE)


def _like(pattern: Any, value: Any, escape: Any = None) -> bool | None:
    if pattern is None or value is None:
        return None
    compiled = _compile(str(pattern).casefold(), str(escape).casefold() if escape else None)
    return compiled.fullmatch(str(value).casefold()) is not None


def install_unicode_like(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: give each new SQLite connection the Unicode LIKE."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, _like, deterministic=True)
    raw.create_function("like", 3, _like, deterministic=True)
