"""Reading a person's notifications: the bell's count and the notifications page. A customer
sees only notifications about tickets they can still see (the scoping layer), so losing access
to a company's tickets also hides what they were told about them.

The bell is on every page and refreshed by the pulse: its count comes from the cache under a
stamp (as the unread badge does, conversations/live.py), moved by `bell_changed()` whenever
notifications are written or read, made again when the person's memberships differ, and kept
at most live.VALUE_SECONDS."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from servicedesk.accounts.scopes import scope_stamp
from servicedesk.conversations.live import VALUE_SECONDS
from servicedesk.core import stamps
from servicedesk.notifications.models import Notification
from servicedesk.notifications.texts import Text, describe
from servicedesk.tickets.models import Ticket

PAGE_SIZE = 50
_PREFIX = "notifications:v1"


def bell_version_key(user_id: int) -> str:
    return f"{_PREFIX}:bell-version:{user_id}"


def _value_key(user_id: int) -> str:
    return f"{_PREFIX}:bell:{user_id}"


def bell_changed(user_ids: Iterable[int]) -> None:
    """The people's notifications were written or read: their bells count again (at once, and
    after the commit, so a count made meanwhile from the old rows is not kept)."""
    stamps.bump(bell_version_key(pk) for pk in user_ids)


def notifications_of(user: Any) -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=user)
    if not user.is_provider_staff:
        rows = rows.filter(
            Q(ticket__isnull=True) | Q(ticket__in=Ticket.objects.visible_to(user).values("pk"))
        )
    return rows


def unread_count(user: Any) -> int:
    """The bell's number: one COUNT over the partial index of unread rows, from the cache
    while nothing changed."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return stamps.stamped(
        _value_key(user.pk),
        bell_version_key(user.pk),
        lambda: notifications_of(user).filter(read_at__isnull=True).count(),
        VALUE_SECONDS,
        scope_stamp(user),
    )


@dataclass(frozen=True)
class Row:
    item: Notification
    text: Text


def notification_page(user: Any, number: Any) -> tuple[Page[Notification], list[Row]]:
    """A page of the person's notifications, newest first, with their texts: two queries."""
    rows = notifications_of(user).select_related("ticket__company", "actor", "message")
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(number)
    return page, [Row(item=item, text=describe(item, user)) for item in page.object_list]


def notification_get(user: Any, pk: int) -> Notification | None:
    """The person's own notification (and for customers, about a ticket they see), or None."""
    return notifications_of(user).filter(pk=pk).select_related("ticket").first()
