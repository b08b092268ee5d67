"""Posting a message on a ticket, and who takes part in its conversation: read markers and
unread counts (`Participant`, docs/decisions/0007).

A participant row exists for the ticket's contact (from its creation), its followers (when they
follow), its assignee (when assigned), the dispatcher who assigns, everyone who wrote in it and
everyone who opened it. `message_post` moves every row in the same transaction as the message:
the author has read up to it; everyone else who may see it has one more unread. A customer's row
moves for public messages only."""

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import STAFF_ROLES, User
from servicedesk.conversations import hooks, live
from servicedesk.conversations.models import BODY_MAX_LENGTH, Message, Participant
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets.models import Ticket, TicketFollower

# Control and zero-width characters have no place in a message (tabs and line ends stay).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_body(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return _INVISIBLE.sub("", text).strip()


@transaction.atomic
def message_post(
    *,
    by: User,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
) -> Message:
    """Post a message, with files (checked as the ticket's attachments are: type, size,
    content; the first refused one refuses the message and nothing is stored). Staff may make
    it an internal note, whose files are staff-only too; a customer's message is always public,
    and a customer's reply to a Resolved or Waiting ticket returns it to In progress. The first
    public message from staff records the ticket's first response."""
    from servicedesk.tickets.services import (
        attachments_check,
        attachments_store,
        ticket_customer_replied,
    )

    text = clean_body(body or "")
    files = list(files)
    if not text and not files:
        raise ApplicationError(_("Write a message first."), code=ErrorCode.EMPTY, field="body")
    if len(text) > BODY_MAX_LENGTH:
        raise ApplicationError(
            _("The message is too long (at most %(max)s characters).") % {"max": BODY_MAX_LENGTH},
            code=ErrorCode.TOO_LONG,
            field="body",
        )
    staff = by.is_provider_staff
    if internal and not staff:
        raise ApplicationError(
            _("Only the service team writes internal notes."), code=ErrorCode.INTERNAL
        )
    checked = attachments_check(files)
    # One message at a time per ticket: ids then follow the commits, so a poll asking for
    # "newer than the id I have" never skips one committed late.
    Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
    message = Message.objects.create(ticket=ticket, author=by, body=text, is_internal=internal)
    if staff and not internal and ticket.first_responded_at is None:
        Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(
            first_responded_at=timezone.now()
        )
    if not staff:
        ticket_customer_replied(by=by, ticket=ticket)
    _participants_reached(ticket, message, by)
    # Files last: the database work they follow is done, so little can fail after them.
    attachments_store(by, ticket, checked, message=message)
    from servicedesk.notifications import events  # who is told: after the commit, by the worker

    transaction.on_commit(lambda: events.message_posted(message.pk))
    hooks.message_posted(message=message)  # webhooks, after the commit
    return message


def _participants_reached(ticket: Ticket, message: Message, by: User) -> None:
    """Everyone else who may see the message gets one more unread and it as their latest; the
    author has read up to it. The contact, the assignee and the followers have rows whatever
    made the ticket (a form, staff on the phone, a script)."""
    followers = TicketFollower.objects.filter(ticket=ticket).values_list("user_id", flat=True)
    usual = {ticket.contact_id, ticket.assignee_id, *followers} - {by.pk}
    Participant.objects.bulk_create(
        [Participant(ticket=ticket, user_id=pk) for pk in usual if pk is not None],
        ignore_conflicts=True,
    )
    others = Participant.objects.filter(ticket=ticket).exclude(user_id=by.pk)
    if message.is_internal:
        others = others.filter(user__role__in=STAFF_ROLES)
    reached = list(others.values_list("pk", "user_id"))
    if reached:
        Participant.objects.filter(pk__in=[pk for pk, _user in reached]).update(
            unread=F("unread") + 1, last_message=message, last_message_at=message.created_at
        )
    Participant.objects.bulk_create(
        [
            Participant(
                ticket=ticket,
                user=by,
                last_message=message,
                last_message_at=message.created_at,
                last_read_id=message.pk,
            )
        ],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["last_message", "last_message_at", "last_read_id"],
    )
    live.ticket_changed(ticket.number)
    live.unread_changed(user for _pk, user in reached)


def _visible(user: User, ticket: Ticket) -> Q:
    condition = Q(ticket=ticket)
    if not user.is_provider_staff:
        condition &= Q(is_internal=False)
    return condition


def _newest(user: User, ticket: Ticket) -> tuple[int, datetime] | None:
    return (
        Message.objects.filter(_visible(user, ticket))
        .order_by("-created_at", "-id")
        .values_list("pk", "created_at")
        .first()
    )


def _participant_insert(
    ticket: Ticket,
    user: User,
    newest: tuple[int, datetime] | None,
    *,
    unread: int = 0,
    last_read_id: int = 0,
) -> None:
    """A row for the person, with `newest` (id, time) as their latest message, unless one
    exists already (then nothing changes: a row made meanwhile by another request wins)."""
    Participant.objects.bulk_create(
        [
            Participant(
                ticket=ticket,
                user=user,
                last_message_id=newest[0] if newest else None,
                last_message_at=newest[1] if newest else None,
                unread=unread,
                last_read_id=last_read_id,
            )
        ],
        ignore_conflicts=True,
    )


def participant_join(
    *, ticket: Ticket, user: User, read: bool = False, count_unread: bool = False
) -> None:
    """Give the person a row in the ticket's conversation, if they have none: `read` when
    they are looking at it now (everything they may see is read); `count_unread` to count what
    they may see and did not write as unread (a new assignee), else only what comes later."""
    if read:
        conversation_read(user=user, ticket=ticket)
        return
    if Participant.objects.filter(ticket=ticket, user=user).exists():
        return
    newest = _newest(user, ticket)
    unread = 0
    if count_unread and newest is not None:
        unread = Message.objects.filter(_visible(user, ticket)).exclude(author=user).count()
    _participant_insert(ticket, user, newest, unread=unread)
    if unread:
        live.unread_changed([user.pk])


def conversation_read(*, user: User, ticket: Ticket, newest_id: int | None = None) -> bool:
    """The person has seen the conversation up to its newest message they may see
    (`newest_id` when the caller has just read it, 0 for none; else looked up). Only their own
    row changes. Returns whether anything changed."""
    newest: tuple[int, datetime] | None
    if newest_id is None:
        newest = _newest(user, ticket)
        newest_id = newest[0] if newest else 0
    row = (
        Participant.objects.filter(ticket=ticket, user=user)
        .values_list("pk", "unread", "last_read_id")
        .first()
    )
    if row is None:
        newest = _newest(user, ticket) if newest_id else None
        _participant_insert(ticket, user, newest, last_read_id=newest_id)
        if newest_id:
            live.ticket_changed(ticket.number)
        return True
    pk, unread, last_read_id = row
    if not unread and last_read_id >= newest_id:
        return False
    read_up_to = Greatest(F("last_read_id"), newest_id)
    seen_all = Q(last_message_id__isnull=True) | Q(last_message_id__lte=newest_id)
    if not Participant.objects.filter(seen_all, pk=pk).update(unread=0, last_read_id=read_up_to):
        # A message came meanwhile (after what the person has just seen): still unread.
        left = (
            Message.objects.filter(_visible(user, ticket), pk__gt=newest_id)
            .exclude(author=user)
            .count()
        )
        Participant.objects.filter(pk=pk).update(unread=left, last_read_id=read_up_to)
    if last_read_id < newest_id:
        live.ticket_changed(ticket.number)
    if unread:
        live.unread_changed([user.pk])
    return True


def conversations_read_all(*, user: User) -> int:
    """Every conversation of the person read up to its latest message they may see; returns
    how many had unread messages."""
    rows = Participant.objects.filter(user=user, unread__gt=0)
    numbers = list(rows.values_list("ticket__number", flat=True))
    if not numbers:
        return 0
    changed = rows.update(
        unread=0,
        last_read_id=Greatest(F("last_read_id"), Coalesce(F("last_message_id"), 0)),
    )
    for number in numbers:
        live.ticket_changed(number)
    live.unread_changed([user.pk])
    return changed


# --- What the ticket services ask of conversations (tickets/hooks.py; connected in apps.py) ---


def on_ticket_assigned(*, ticket: Ticket, by: User, assignee: User, event_id: int) -> None:
    """The conversation joins both inboxes: what was said before is news to the assignee."""
    participant_join(ticket=ticket, user=assignee, count_unread=True)
    participant_join(ticket=ticket, user=by)


def on_ticket_followed(*, ticket: Ticket, user: User) -> None:
    """Followed from the ticket's page: its conversation is in their inbox, read so far."""
    participant_join(ticket=ticket, user=user, read=True)
