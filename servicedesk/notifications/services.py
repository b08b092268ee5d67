"""Creating and reading notifications. Each change moves the bells of the people it concerns
(selectors.bell_changed)."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from servicedesk.notifications.models import Notification
from servicedesk.notifications.selectors import bell_changed


def notify(*, users: Iterable[Any], kind: str, tickets: Iterable[Any]) -> int:
    """One notification per person and ticket, in one statement."""
    users = list(users)
    rows = [
        Notification(user=user, kind=kind, ticket=ticket) for ticket in tickets for user in users
    ]
    Notification.objects.bulk_create(rows)
    if rows:
        bell_changed(user.pk for user in users)
    return len(rows)


def notifications_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read: the given ones, or all of them."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    if count:
        bell_changed([user.pk])
    return count
