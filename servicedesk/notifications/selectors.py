"""Reading a person's notifications: the bell's count and the notifications page. A customer
sees only notifications about tickets they can still see (the scoping layer), so losing access
to a company's tickets also hides what they were told about them."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from servicedesk.notifications.models import Notification
from servicedesk.notifications.texts import Text, describe
from servicedesk.tickets.models import Ticket

PAGE_SIZE = 50


def notifications_of(user: Any) -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=user)
    if not user.is_provider_staff:
        rows = rows.filter(
            Q(ticket__isnull=True) | Q(ticket__in=Ticket.objects.visible_to(user).values("pk"))
        )
    return rows


def unread_count(user: Any) -> int:
    """The bell's number: one COUNT over the partial index of unread rows."""
    return notifications_of(user).filter(read_at__isnull=True).count()


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
