"""Reads of conversations. A customer's reads never include internal notes (nor their files):
the filter is here, in one place, and every page, poll, email and export that shows messages
goes through it. The inbox and the unread total read participant rows (docs/decisions/0007),
joined to the tickets through `Ticket.objects.visible_to(user)`: a customer who lost access to
a company no longer sees its conversations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.html import strip_tags
from django.utils.text import Truncator

from servicedesk.accounts.models import STAFF_ROLES
from servicedesk.accounts.scopes import scope_stamp
from servicedesk.conversations import live
from servicedesk.conversations.models import Message, Participant
from servicedesk.core.markdown import render_markdown
from servicedesk.tickets import workflow
from servicedesk.tickets.models import Ticket, TicketAttachment

MESSAGES_PER_PAGE = 50  # the ticket page shows the newest ones; earlier ones on demand
POLL_MAX = 200  # a poll after a long sleep brings at most this many (the rest next time)
INBOX_PAGE_SIZE = 25
EXCERPT_LENGTH = 140
EXCERPT_SOURCE = 600  # characters of the message read to make an excerpt
EXCERPT_SECONDS = 24 * 3600
INBOX_ALL = "all"
INBOX_UNREAD = "unread"
INBOX_FILTERS = (INBOX_ALL, INBOX_UNREAD)
MESSAGE_FIELDS = ("ticket_id", "author_id", "body", "is_internal", "created_at")
FILE_FIELDS = ("ticket_id", "message_id", "name", "size", "is_image", "created_at")


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_provider_staff", False))


def ticket_messages(user: Any, ticket: Ticket, *, with_files: bool = True) -> QuerySet[Message]:
    """The messages of a ticket the user may see (the ticket itself must have been reached
    through `access_ticket`), oldest first, with their authors and files (unless the caller
    gives them their files itself: `attach_files`)."""
    # Only what the chat shows of the authors (not every column of accounts_user, password
    # included) and of the files.
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .only(*MESSAGE_FIELDS, "author__full_name", "author__email", "author__role")
    )
    files = TicketAttachment.objects.only(*FILE_FIELDS).order_by("created_at", "id")
    if not _is_staff(user):
        messages = messages.filter(is_internal=False)
        files = files.filter(message__is_internal=False, staff_only=False)
    if with_files:
        messages = messages.prefetch_related(Prefetch("attachments", queryset=files))
    return messages.order_by("created_at", "id")


def attach_files(messages: list[Message], files: Iterable[TicketAttachment]) -> None:
    """Give each message its files from the ticket's files the reader may see (the page's
    list, `tickets.selectors.ticket_attachment_list`, oldest first), as the prefetch would:
    the ticket page reads the files once."""
    by_message: dict[int, list[TicketAttachment]] = {message.pk: [] for message in messages}
    for file in files:
        if file.message_id in by_message:
            by_message[file.message_id].append(file)
    for message in messages:
        queryset = message.attachments.all()
        queryset._result_cache = by_message[message.pk]
        queryset._prefetch_done = True  # type: ignore[attr-defined]
        message._prefetched_objects_cache = {"attachments": queryset}  # type: ignore[attr-defined]


def ticket_messages_latest(
    user: Any,
    ticket: Ticket,
    *,
    before: int | None = None,
    limit: int = MESSAGES_PER_PAGE,
    files: Iterable[TicketAttachment] | None = None,
) -> tuple[list[Message], bool]:
    """The newest `limit` messages (older than the message `before`, when given), oldest
    first, and whether there are earlier ones. `files`: the ticket's files the user may see,
    when the caller has read them already (no query of their own for the messages' files)."""
    messages = ticket_messages(user, ticket, with_files=files is None)
    if before is not None:
        messages = messages.filter(pk__lt=before)
    rows = list(messages.order_by("-created_at", "-id")[: limit + 1])
    shown = rows[:limit][::-1]
    if files is not None:
        attach_files(shown, files)
    return shown, len(rows) > limit


def ticket_messages_after(user: Any, ticket: Ticket, after: int) -> list[Message]:
    """The messages newer than the id `after`, oldest first (a poll's news)."""
    return list(ticket_messages(user, ticket).filter(pk__gt=after)[:POLL_MAX])


@dataclass(frozen=True)
class ConversationState:
    """A ticket's conversation in four numbers: the newest message id (all / public only),
    and how far the staff and the customers have read (the greatest `last_read_id` of each)."""

    last_all: int = 0
    last_public: int = 0
    read_staff: int = 0
    read_customers: int = 0

    def last_for(self, user: Any) -> int:
        return self.last_all if _is_staff(user) else self.last_public

    def read_by_other_side(self, user: Any) -> int:
        """Up to which message the other side has read: a message of mine up to it is read.
        For a customer, never past the newest public message (a note moves nothing for them)."""
        if _is_staff(user):
            return self.read_customers
        return min(self.read_staff, self.last_public)


def _state_compute(number: str) -> ConversationState:
    messages = Message.objects.filter(ticket__number=number).aggregate(
        all=Max("id"), public=Max("id", filter=Q(is_internal=False))
    )
    staff = Q(user__role__in=STAFF_ROLES)
    reads = Participant.objects.filter(ticket__number=number).aggregate(
        staff=Max("last_read_id", filter=staff), customers=Max("last_read_id", filter=~staff)
    )
    return ConversationState(
        last_all=messages["all"] or 0,
        last_public=messages["public"] or 0,
        read_staff=reads["staff"] or 0,
        read_customers=reads["customers"] or 0,
    )


def conversation_state(number: str) -> ConversationState:
    """The ticket's state, from the cache while no message was posted and no one read further."""
    return live.stamped(
        live.ticket_state_key(number),
        live.ticket_version_key(number),
        lambda: _state_compute(number),
    )


# --- The inbox and the unread total -------------------------------------------------------------


def _participant_rows(user: Any) -> QuerySet[Participant]:
    rows = Participant.objects.filter(user=user)
    if not _is_staff(user):
        # Staff see every ticket (visible_to is the whole table: no need to ask it).
        rows = rows.filter(ticket__in=Ticket.objects.visible_to(user).values("pk"))
    return rows


def _unread_compute(user: Any) -> int:
    total = _participant_rows(user).filter(unread__gt=0).aggregate(total=Sum("unread"))["total"]
    return int(total or 0)


def unread_total(user: Any) -> int:
    """Unread messages in all the user's conversations (the menu's badge), from the cache
    while no message reached them, they read nothing and their memberships are the same
    (a company taken away stops counting on the next request)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return live.stamped(
        live.unread_value_key(user.pk),
        live.unread_version_key(user.pk),
        lambda: _unread_compute(user),
        scope_stamp(user),
    )


@dataclass(frozen=True)
class InboxRow:
    participant: Participant
    ticket: Ticket
    excerpt: str
    author_name: str
    mine: bool
    status: str  # the stage as this reader reads it

    @property
    def unread(self) -> int:
        return self.participant.unread


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """A message as one line of plain text (formatting dropped), cut at `length`."""
    text = strip_tags(render_markdown(body))
    text = re.sub(r"\s+", " ", unescape(text)).strip()
    return Truncator(text).chars(length)


def _excerpts(rows: Iterable[Participant]) -> dict[int, str]:
    """The rows' latest messages' excerpts by message id, from the cache (a message never
    changes once posted), made for the ones missing (`head`: the start of the text)."""
    heads = {
        p.last_message_id: getattr(p, "head", "") or ""
        for p in rows
        if p.last_message_id is not None
    }
    keys = {f"{live.PREFIX}:excerpt:{pk}": pk for pk in heads}
    found = cache.get_many(list(keys))
    result = {keys[key]: value for key, value in found.items()}
    missing = {pk: excerpt(head) for pk, head in heads.items() if pk not in result}
    if missing:
        cache.set_many(
            {f"{live.PREFIX}:excerpt:{pk}": text for pk, text in missing.items()},
            EXCERPT_SECONDS,
        )
    return result | missing


def inbox(user: Any, view: str = INBOX_ALL) -> QuerySet[Participant]:
    """The user's conversations that have messages, the latest first (`view`: all or
    unread only), through the scoping layer."""
    rows = _participant_rows(user).filter(last_message_at__isnull=False)
    if view == INBOX_UNREAD:
        rows = rows.filter(unread__gt=0)
    return rows.order_by("-last_message_at", "-id")


def inbox_page(
    user: Any, view: str = INBOX_ALL, page: int = 1, size: int = INBOX_PAGE_SIZE
) -> InboxPage:
    """One page of the inbox in two steps — the page's ids from the (user, -last_message_at)
    index, then those rows with their tickets and latest messages — and no COUNT: the pages
    go newer / older, whatever the number of conversations. Three queries at most."""
    page = max(page, 1)
    start = (page - 1) * size
    ids = list(inbox(user, view).values_list("pk", flat=True)[start : start + size + 1])
    has_next = len(ids) > size
    ids = ids[:size]
    if not ids:
        return InboxPage(rows=[], number=page, has_next=False)
    found = {
        p.pk: p
        for p in Participant.objects.filter(pk__in=ids)
        .select_related("ticket", "last_message", "last_message__author")
        .only(
            "unread",
            "last_read_id",
            "last_message_at",
            "user_id",
            "ticket__number",
            "ticket__subject",
            "ticket__status",
            "last_message__is_internal",
            "last_message__author_id",
            "last_message__author__full_name",
            "last_message__author__email",
        )
        # The start of the text is enough for an excerpt (a message holds up to 10,000).
        .annotate(head=Substr("last_message__body", 1, EXCERPT_SOURCE))
        .order_by()
    }
    staff = _is_staff(user)
    excerpts = _excerpts(found.values())
    rows = []
    for pk in ids:
        participant = found.get(pk)
        if participant is None:
            continue
        message = participant.last_message
        # A customer's row only ever points at a public message; never show a note anyway.
        if message is not None and message.is_internal and not staff:
            message = None
        author = message.author if message is not None else None
        rows.append(
            InboxRow(
                participant=participant,
                ticket=participant.ticket,
                excerpt=excerpts.get(message.pk, "") if message is not None else "",
                author_name=(author.full_name or author.email or "") if author else "",
                mine=message is not None and message.author_id == user.pk,
                status=(
                    workflow.staff_status_label(participant.ticket.status)
                    if staff
                    else workflow.customer_status_label(participant.ticket.status)
                ),
            )
        )
    return InboxPage(rows=rows, number=page, has_next=has_next)
