"""Ticket numbers from a mask: pure functions, no ORM.

A mask is text in which a run of `#` is the counter, zero-padded to the run's length, and
`{YYYY}` / `{YY}` / `{MM}` stand for the year and month of creation. The default "########" gives
"00001234". Each distinct prefix (the mask with the date filled in) has its own counter, so
"{YYYY}-#####" restarts every year: "2026-00001".
"""

import re
from datetime import date

_RUN = re.compile(r"#+")


class MaskError(ValueError):
    pass


def validate_mask(mask: str) -> None:
    runs = _RUN.findall(mask)
    if len(runs) != 1:
        raise MaskError("A ticket number mask needs exactly one run of '#' (the counter).")
    if len(runs[0]) < 3:
        raise MaskError("The counter needs at least 3 digits ('###').")


def sequence_key(mask: str, day: date) -> str:
    """What the counter is kept per: the mask with its date parts filled in."""
    return (
        mask.replace("{YYYY}", f"{day.year:04d}")
        .replace("{YY}", f"{day.year % 100:02d}")
        .replace("{MM}", f"{day.month:02d}")
    )


def render(mask: str, day: date, value: int) -> str:
    key = sequence_key(mask, day)
    run = _RUN.search(key)
    assert run is not None  # noqa: S101 (validated mask)
    return key[: run.start()] + f"{value:0{len(run.group())}d}" + key[run.end() :]
