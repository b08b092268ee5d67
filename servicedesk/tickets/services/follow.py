"""Following a ticket, and remembering who viewed it (for "recently viewed")."""

from django.core.cache import cache
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.tickets import counts, events, hooks
from servicedesk.tickets.models import Ticket, TicketFollower, TicketView


def ticket_follow(*, by: User, ticket: Ticket) -> None:
    _follower, created = TicketFollower.objects.get_or_create(ticket=ticket, user=by)
    if created:
        counts.user_changed(by.pk)
        events.followed(ticket, by)
        hooks.followed(ticket=ticket, user=by)  # its conversation joins their inbox


def ticket_unfollow(*, by: User, ticket: Ticket) -> None:
    deleted, _rows = TicketFollower.objects.filter(ticket=ticket, user=by).delete()
    if deleted:
        counts.user_changed(by.pk)
        events.unfollowed(ticket, by)


VIEW_AGAIN_SECONDS = 60


def last_viewed_key(user_id: int) -> str:
    return f"tickets:v1:last-viewed:{user_id}"


def ticket_viewed(*, by: User, ticket: Ticket | int) -> None:
    """Remember the visit for "recently viewed" (one row per person and ticket): one UPDATE
    for a ticket seen before, an insert (that tolerates a parallel one) the first time; nothing
    when it is the ticket the person opened last, less than VIEW_AGAIN_SECONDS ago (a reload:
    the order of the list stays as it is). `ticket`: the ticket or its id."""
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    key = last_viewed_key(by.pk)
    if cache.get(key) == ticket_id:
        return
    now = timezone.now()
    cache.set(key, ticket_id, VIEW_AGAIN_SECONDS)
    if TicketView.objects.filter(user=by, ticket_id=ticket_id).update(viewed_at=now):
        return
    TicketView.objects.bulk_create(
        [TicketView(user=by, ticket_id=ticket_id, viewed_at=now)],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["viewed_at"],
    )
    counts.user_changed(by.pk)
