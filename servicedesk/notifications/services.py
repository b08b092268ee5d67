"""Creating and reading notifications."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from servicedesk.notifications.models import Notification


def notify(*, users: Iterable[Any], kind: str, tickets: Iterable[Any]) -> int:
    """One notification per person and ticket, in one statement."""
    rows = [
        Notification(user=user, kind=kind, ticket=ticket) for ticket in tickets for user in users
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read: the given ones, or all of them."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
