"""Message digests: people who chose an hourly or daily digest get their message emails
collected (DigestEntry rows, written by delivery.deliver) and sent as one email listing them.

`digests_send(now)` runs every hour (tasks.notification_digests): hourly digests go every time,
daily ones when it is NOTIFICATION_DIGEST_HOUR in the person's time zone (or when the oldest
waiting message is more than a day old: a run was missed). People back on «one email per
message» get what was waiting at the next run. Each person's digest is written and their
entries deleted in one transaction, so a digest is never sent twice nor lost; what they may no
longer see (access removed, internal notes for a customer) is left out at that moment.
"""

import zoneinfo
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils.text import Truncator

from servicedesk.accounts.models import User
from servicedesk.core.mail import render_mail
from servicedesk.mail.services import outbound_queue
from servicedesk.notifications.delivery import settings_link, ticket_link
from servicedesk.notifications.models import Digest, DigestEntry, NotificationSettings
from servicedesk.tickets.models import Ticket

EXCERPT_CHARS = 300
LATE = timedelta(hours=25)


def _local_hour(user: User, now: datetime) -> int:
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return now.astimezone(zone).hour


def _due(user: User, mode: str, oldest: datetime, now: datetime) -> bool:
    if mode == Digest.DAILY:
        return _local_hour(user, now) == settings.NOTIFICATION_DIGEST_HOUR or oldest <= now - LATE
    return True  # hourly, or back to one email per message: send what waits


def digests_send(now: datetime) -> list[int]:
    """Send the digests due at `now`; returns the outbound rows queued."""
    from servicedesk.mail.tasks import mail_send

    waiting = dict(
        DigestEntry.objects.values("user_id")
        .annotate(oldest=Min("created_at"))
        .values_list("user_id", "oldest")
    )
    if not waiting:
        return []
    modes = dict(
        NotificationSettings.objects.filter(user_id__in=list(waiting)).values_list(
            "user_id", "message_digest"
        )
    )
    queued = []
    for user in User.objects.filter(pk__in=list(waiting)).order_by("pk"):
        mode = modes.get(user.pk, Digest.IMMEDIATELY)
        if _due(user, mode, waiting[user.pk], now):
            pk = digest_send(user)
            if pk is not None:
                queued.append(pk)
    for pk in queued:
        mail_send(pk)
    return queued


@transaction.atomic
def digest_send(user: User) -> int | None:
    """Write the person's digest email and delete the entries it lists; the outbound row's id,
    or None when nothing was left to tell."""
    entries = list(
        DigestEntry.objects.select_for_update()
        .filter(user=user)
        .select_related("message__ticket", "message__author")
        .order_by("created_at", "pk")
    )
    if not entries:
        return None
    last = max(entry.pk for entry in entries)
    DigestEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    if not (user.is_active and user.email):
        return None
    messages = [entry.message for entry in entries]
    if user.is_customer:
        visible = set(
            Ticket.objects.visible_to(user)
            .filter(pk__in={m.ticket_id for m in messages})
            .values_list("pk", flat=True)
        )
        messages = [m for m in messages if not m.is_internal and m.ticket_id in visible]
    if not messages:
        return None
    by_ticket: dict[int, list[Any]] = defaultdict(list)
    tickets: dict[int, Ticket] = {}
    for message in messages:
        by_ticket[message.ticket_id].append(
            {
                "author": str(message.author),
                "created_at": message.created_at,
                "is_internal": message.is_internal,
                "excerpt": Truncator(message.body).chars(EXCERPT_CHARS),
            }
        )
        tickets[message.ticket_id] = message.ticket
    groups = [
        {"ticket": tickets[pk], "link": ticket_link(tickets[pk], user), "messages": items}
        for pk, items in by_ticket.items()
    ]
    context = {
        "user": user,
        "groups": groups,
        "count": len(messages),
        "ticket_count": len(groups),
        "single": groups[0]["ticket"] if len(groups) == 1 else None,
        "recipient_tz": user.time_zone or settings.TIME_ZONE,
        "settings_link": settings_link(),
    }
    email = render_mail(
        "notifications/email/digest",
        context,
        to=[user.email],
        language=user.language or settings.LANGUAGE_CODE,
    )
    single = context["single"]
    row = outbound_queue(
        email,
        kind="digest",
        key=f"digest:{user.pk}:{last}",
        ticket=single,
        user=user,
    )
    return None if row is None else row.pk
