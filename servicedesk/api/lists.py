"""A keyset page in one call, for the lists beyond tickets (customers, people, acts, webhook
deliveries): the queryset (ordered as `order` says), filtered after the cursor, `limit` + 1
rows read, the page and the next cursor (servicedesk/api/pagination.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from servicedesk.api.pagination import PageParams, keyset_filter, keyset_next


def keyset_page(
    queryset: QuerySet[Any], order: list[tuple[str, bool]], params: PageParams, kind: str
) -> tuple[list[Any], str | None]:
    rows = list(keyset_filter(queryset, order, params, kind)[: params.limit + 1])
    return keyset_next(rows, order, params, kind)
