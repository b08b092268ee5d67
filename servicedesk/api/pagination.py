"""Cursor pagination shared by every list: `?limit=` (1…MAX_LIMIT) and `?cursor=` (opaque:
the `next_cursor` of the previous page). A cursor is signed (a client cannot forge one) and
names the list it was made for (its sort): one from another list or sort is refused (400
`invalid_cursor`).

Two kinds behind the same opaque string:
- keyset (`keyset_page`): the page after the last row's sort values and id, read from the
  index whatever the depth: lists ordered by the row's own NOT NULL columns;
- offset (`offset_page`): lists ordered by a related or nullable column (a company's name,
  the deadline), where the next page starts after the rows already given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from servicedesk.api.errors import ApiError

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_OFFSET = 10_000  # deeper than this, narrow the list (filters) or sort by a keyset column
SALT = "servicedesk.api.cursor"


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page (1…{MAX_LIMIT})."
    )
    cursor: str | None = Field(
        None,
        max_length=500,
        description="`next_cursor` of the previous page; none for the first page.",
    )


def encode(kind: str, payload: Any) -> str:
    return signing.dumps({"k": kind, "p": payload}, salt=SALT, compress=True)


def decode(raw: str | None, kind: str) -> Any:
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise ApiError(
            400,
            "invalid_cursor",
            _("The cursor is not valid for this list; start again from the first page."),
            fields={"cursor": [_("Not a cursor of this list.")]},
        )
    return data.get("p")


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return ["dt", value.isoformat()]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and value[0] == "dt":
        return dt.datetime.fromisoformat(value[1])
    return value


def keyset_filter(
    queryset: QuerySet[Any], order: list[tuple[str, bool]], params: PageParams, kind: str
) -> QuerySet[Any]:
    """The rows after the cursor's. `order`: (column, descending) pairs, the last one the
    primary key ("id"), matching the queryset's ORDER BY."""
    last = decode(params.cursor, kind)
    if last is None:
        return queryset
    if not isinstance(last, list) or len(last) != len(order):
        raise ApiError(400, "invalid_cursor", _("The cursor is not valid for this list."))
    values = [_from_json(v) for v in last]
    condition = Q()
    for index, (column, descending) in enumerate(order):
        step = Q(**{f"{column}__{'lt' if descending else 'gt'}": values[index]})
        for previous in range(index):
            step &= Q(**{order[previous][0]: values[previous]})
        condition |= step
    return queryset.filter(condition)


def keyset_next(
    rows: list[Any], order: list[tuple[str, bool]], params: PageParams, kind: str
) -> tuple[list[Any], str | None]:
    """The page (`limit` + 1 rows were asked: one more says there is a next page) and the
    next page's cursor, made from the last row's sort values."""
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    tail = rows[-1]
    return rows, encode(kind, [_to_json(getattr(tail, column)) for column, _d in order])


def offset_start(params: PageParams, kind: str) -> int:
    start = decode(params.cursor, kind) or 0
    if not isinstance(start, int) or not 0 <= start <= MAX_OFFSET:
        raise ApiError(400, "invalid_cursor", _("The cursor is not valid for this list."))
    return start


def offset_next(start: int, got: int, params: PageParams, kind: str) -> str | None:
    """The next cursor when `got` rows (limit + 1 asked) came back."""
    if got <= params.limit or start + params.limit > MAX_OFFSET:
        return None
    return encode(kind, start + params.limit)
