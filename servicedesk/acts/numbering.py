"""Act numbers from a mask: pure functions, no ORM.

A mask is text with tokens in braces:

- `{ticket}` — the ticket's number (the default mask is just `{ticket}`: act № 00004321);
- `{year}` — the act's year, 4 digits; `{yy}` — its last 2 digits; `{month}` — 01…12;
- `{seq}` — a running number of acts, `{seq:N}` the same zero-padded to N digits (1…9).

The running number counts within the mask's other tokens filled in, as ticket numbers do: with
`{year}-{seq:5}` it restarts every year (2026-00001), with `{ticket}/{seq}` it counts the acts
of one ticket (00004321/1, 00004321/2), with `{seq}` alone it never restarts. A mask must
contain `{ticket}` or `{seq}`, so that two acts never share a number; any other text is kept as
it is (no braces outside tokens).
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

DEFAULT_MASK = "{ticket}"
MASK_MAX_LENGTH = 40
NUMBER_MAX_LENGTH = 60
_TOKEN = re.compile(r"\{(ticket|year|yy|month|seq)(?::([1-9]))?\}")


class MaskError(ValueError):
    pass


def validate_mask(mask: str) -> None:
    """Raise MaskError (its message translatable, for a form) unless `mask` is usable."""
    if not mask.strip():
        raise MaskError(_("The mask is empty."))
    if len(mask) > MASK_MAX_LENGTH:
        raise MaskError(_("The mask is too long (40 characters at most)."))
    tokens = []
    for found in _TOKEN.finditer(mask):
        if found.group(2) and found.group(1) != "seq":
            raise MaskError(_("Only {seq} takes a width, e.g. {seq:5}."))
        tokens.append(found.group(1))
    rest = _TOKEN.sub("", mask)
    if "{" in rest or "}" in rest:
        raise MaskError(_("Unknown token: use {ticket}, {year}, {yy}, {month}, {seq} or {seq:N}."))
    if any(not c.isprintable() for c in mask):
        raise MaskError(_("The mask may contain printable characters only."))
    if "ticket" not in tokens and "seq" not in tokens:
        raise MaskError(_("The mask needs {ticket} or {seq}, or all acts would get one number."))
    if len(set(tokens)) != len(tokens):
        raise MaskError(_("Each token may appear only once."))


def uses_sequence(mask: str) -> bool:
    return any(found.group(1) == "seq" for found in _TOKEN.finditer(mask))


def _fill(mask: str, *, ticket: str, day: date, seq: int | None) -> str:
    filled = {
        "ticket": ticket,
        "year": f"{day.year:04d}",
        "yy": f"{day.year % 100:02d}",
        "month": f"{day.month:02d}",
    }

    def replace(found: re.Match[str]) -> str:
        name, width = found.group(1), found.group(2)
        if name in filled:
            return filled[name]
        if seq is None:  # the sequence key: the mask with everything but {seq} filled in
            return found.group(0)
        return f"{seq:0{int(width or 1)}d}"

    return _TOKEN.sub(replace, mask)


def sequence_key(mask: str, *, ticket: str, day: date) -> str:
    """What the running number is counted per: the mask with its other tokens filled in."""
    return _fill(mask, ticket=ticket, day=day, seq=None)[:200]


def act_number(mask: str, *, ticket: str, day: date, seq: int | None = None) -> str:
    """The act's number. `seq` is needed (and only used) when the mask has {seq}."""
    if uses_sequence(mask) and seq is None:
        raise ValueError("This mask needs the act's running number (seq)")
    return _fill(mask, ticket=ticket, day=day, seq=seq)
