"""What each person wants to be told, and how: reading the choices in bulk for the delivery,
the events that concern a person (the settings page's rows), and saving the page."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from servicedesk.notifications.models import (
    EVENT_DEFAULTS,
    Digest,
    Event,
    NotificationPreference,
    NotificationSettings,
)
from servicedesk.tickets import workflow

EMAIL, IN_APP = "email", "in_app"

CUSTOMER_EVENTS = (
    Event.TICKET_CREATED,
    Event.COMPANY_TICKET,
    Event.MESSAGE_NEW,
    Event.STATUS_CHANGED,
    Event.TICKET_RESOLVED,
    Event.TICKET_CLOSED,
    Event.ACT_READY,
)
STAFF_EVENTS = (
    Event.TICKET_CREATED,
    Event.MESSAGE_NEW,
    Event.NOTE_NEW,
    Event.TICKET_ASSIGNED,
    Event.STATUS_CHANGED,
    Event.ACT_ANSWERED,
    Event.DEADLINE,
)
# Staff hear of new tickets and deadlines as dispatchers only.
DISPATCH_EVENTS = frozenset({Event.TICKET_CREATED, Event.DEADLINE})


class Choices:
    """The (email, in-app) choices of some people for some events, read in one query."""

    def __init__(self, user_ids: Iterable[int], events: Iterable[str]) -> None:
        self._rows = {
            (user_id, event): (email, in_app)
            for user_id, event, email, in_app in NotificationPreference.objects.filter(
                user_id__in=list(user_ids), event__in=list(events)
            ).values_list("user_id", "event", "email", "in_app")
        }

    def get(self, user_id: int, event: str) -> tuple[bool, bool]:
        return self._rows.get((user_id, event), EVENT_DEFAULTS.get(event, (True, True)))

    def wants(self, user_id: int, event: str, channel: str) -> bool:
        email, in_app = self.get(user_id, event)
        return email if channel == EMAIL else in_app


def digest_modes(user_ids: Iterable[int]) -> dict[int, str]:
    """How message emails reach each person (absent: one email per message)."""
    return dict(
        NotificationSettings.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "message_digest"
        )
    )


# What an event is called on a person's settings page, where the audience makes a difference.
_CUSTOMER_LABELS: dict[str, Any] = {Event.TICKET_CREATED: _("My ticket registered")}
_STAFF_LABELS: dict[str, Any] = {Event.TICKET_CREATED: _("New ticket")}


def event_label(event: str, user: Any) -> str:
    labels = _CUSTOMER_LABELS if user.is_customer else _STAFF_LABELS
    return str(labels.get(event, Event(event).label))


def events_for(user: Any) -> list[Event]:
    """The events that can concern the person: the rows of their settings page."""
    if user.is_customer:
        return list(CUSTOMER_EVENTS)
    dispatcher = user.has_perm(workflow.DISPATCH)
    return [e for e in STAFF_EVENTS if dispatcher or e not in DISPATCH_EVENTS]


@transaction.atomic
def preferences_save(*, user: Any, choices: dict[str, tuple[bool, bool]], digest: str) -> None:
    """Store the person's choices: `choices` maps each event of theirs to (email, in-app);
    a choice equal to the default keeps no row."""
    if digest not in Digest.values:
        raise ValueError(digest)
    allowed = {str(e) for e in events_for(user)}
    for event, (email, in_app) in choices.items():
        if event not in allowed:
            continue
        if (email, in_app) == EVENT_DEFAULTS[event]:
            NotificationPreference.objects.filter(user=user, event=event).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, event=event, defaults={"email": email, "in_app": in_app}
            )
    NotificationSettings.objects.update_or_create(user=user, defaults={"message_digest": digest})
