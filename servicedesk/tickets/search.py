"""Searching tickets: one interface over the database's full-text search.

`ticket_search(queryset, q)` narrows a (scoped) ticket queryset to those matching q: a ticket
number (or its digits), or words in the subject and description.

This first version matches words with case-insensitive containment; the full-text backends
(PostgreSQL tsvector + GIN, SQLite FTS5) replace it behind the same signature.
"""

from django.db.models import Q, QuerySet

from servicedesk.tickets.models import Ticket


def ticket_search(queryset: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    q = q.strip()
    if not q:
        return queryset
    if q.lstrip("#").isdigit():
        digits = q.lstrip("#")
        return queryset.filter(Q(number=digits) | Q(number__endswith=digits))
    for word in q.split()[:8]:
        queryset = queryset.filter(Q(subject__icontains=word) | Q(description__icontains=word))
    return queryset
