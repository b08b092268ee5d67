"""The ticket's timeline entries (TicketEvent), one constructor per kind. Each decides what its
kind keeps (see TicketEvent's docstring) and whether the customer sees it, and saves the event:
`events.status_changed(ticket, by, old, new)`. The one bulk path (closing resolved tickets)
builds unsaved events with `save=False` and writes them with `bulk_create`.

Values are text as the timeline shows it: the caller makes them readable (names, not ids;
instants in UTC, ISO 8601; reference lists and countries by code, which the timeline names in
its reader's language). Not to be confused with notifications/events.py, which tells
people about these changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from servicedesk.tickets.models import Status, Ticket, TicketEvent

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

Kind = TicketEvent.Kind


def _event(
    ticket: Ticket | int,
    by: User | None,
    kind: Kind,
    *,
    field: str = "",
    old: str = "",
    new: str = "",
    public: bool = True,
    save: bool = True,
) -> TicketEvent:
    event = TicketEvent(
        actor=by, kind=kind, field=field, old_value=old, new_value=new, is_public=public
    )
    if isinstance(ticket, Ticket):
        event.ticket = ticket
    else:
        event.ticket_id = ticket
    if save:
        event.save()
    return event


def created(ticket: Ticket, by: User) -> TicketEvent:
    return _event(ticket, by, Kind.CREATED)


def field_changed(ticket: Ticket, by: User, field: str, old: str, new: str) -> TicketEvent:
    """Staff changed a field (or the solution): the customer sees it."""
    return _event(ticket, by, Kind.FIELD_CHANGED, field=field, old=old, new=new)


def deadline_moved(ticket: Ticket, by: User | None, field: str, old: str, new: str) -> TicketEvent:
    """The SLA moved a deadline (`due_at`, `first_response_due_at`) after `by`'s change: a
    FIELD_CHANGED for staff only."""
    return _event(ticket, by, Kind.FIELD_CHANGED, field=field, old=old, new=new, public=False)


def status_changed(
    ticket: Ticket | int, by: User | None, old: Status, new: Status, *, save: bool = True
) -> TicketEvent:
    return _event(
        ticket,
        by,
        Kind.STATUS_CHANGED,
        field="status",
        old=old.value,
        new=new.value,
        save=save,
    )


def assigned(ticket: Ticket, by: User, old: str, new: str) -> TicketEvent:
    """`old` and `new`: the people's names. Public: the customer sees who works on the ticket."""
    return _event(ticket, by, Kind.ASSIGNED, field="assignee", old=old, new=new)


def attachment_added(ticket: Ticket, by: User, name: str, message: Any = None) -> TicketEvent:
    """A file on the ticket, or on one of its messages: an internal note's file is for staff."""
    public = message is None or not message.is_internal
    return _event(ticket, by, Kind.ATTACHMENT_ADDED, new=name, public=public)


def article_attached(ticket: Ticket, by: User, title: str) -> TicketEvent:
    """A knowledge-base article attached to the ticket (knowledge.services): the customer sees
    it on the ticket's «Статьи» tab and in the timeline."""
    return _event(ticket, by, Kind.ARTICLE_ATTACHED, new=title)


def followed(ticket: Ticket, by: User) -> TicketEvent:
    return _event(ticket, by, Kind.FOLLOWED, public=False)


def unfollowed(ticket: Ticket, by: User) -> TicketEvent:
    return _event(ticket, by, Kind.UNFOLLOWED, public=False)


def reopened(ticket: Ticket, by: User, reason: str) -> TicketEvent:
    return _event(ticket, by, Kind.REOPENED, new=reason)


def cancelled(ticket: Ticket, by: User, reason: str) -> TicketEvent:
    return _event(ticket, by, Kind.CANCELLED, new=reason)


def customer_replied(ticket: Ticket, by: User) -> TicketEvent:
    return _event(ticket, by, Kind.CUSTOMER_REPLIED)


def resolution_accepted(ticket: Ticket, by: User) -> TicketEvent:
    return _event(ticket, by, Kind.RESOLUTION_ACCEPTED)


def auto_closed(ticket: Ticket | int, days: int, *, save: bool = True) -> TicketEvent:
    """Closed by the job, nobody's doing: `days` after it was resolved."""
    return _event(ticket, None, Kind.AUTO_CLOSED, new=str(days), save=save)


def rated(ticket: Ticket, by: User | None, summary: str) -> TicketEvent:
    """The satisfaction survey's scores (conversations.survey_services.survey_summary); `by` is
    None for a rating given through the link in an email."""
    return _event(ticket, by, Kind.RATED, new=summary)


def moved(ticket: Ticket, by: User, old_company: str, new_company: str, reason: str) -> TicketEvent:
    """Staff moved the ticket to another company: for staff only (each company's people must
    not read the other's name), the reason beside the new company."""
    return _event(
        ticket,
        by,
        Kind.MOVED,
        field="company",
        old=old_company,
        new=f"{new_company} ({reason})",
        public=False,
    )


def passport_scanned(ticket: Ticket, by: User) -> TicketEvent:
    """The assigned engineer opened the equipment's passport (scanned its QR code) while
    signed in: their presence, which the ticket's type may require before work starts."""
    return _event(ticket, by, Kind.PASSPORT_SCANNED)


def guest_link_revoked(ticket: Ticket | int, by: User | None, person: str) -> TicketEvent:
    """Staff cut `person`'s status link (intake/links.py): for staff only."""
    return _event(ticket, by, Kind.GUEST_LINK_REVOKED, new=person, public=False)


def guest_link_sent(ticket: Ticket, by: User, address: str) -> TicketEvent:
    """Staff sent the guest a new status link to `address` (intake/services.py): staff only."""
    return _event(ticket, by, Kind.GUEST_LINK_SENT, new=address, public=False)


def work_added(ticket: Ticket, by: User, summary: str) -> TicketEvent:
    """A completed work recorded on the ticket; `summary` as works/texts.py makes it. For staff
    only: customers never see works."""
    return _event(ticket, by, Kind.WORK_ADDED, new=summary, public=False)


def work_changed(ticket: Ticket, by: User, old: str, new: str) -> TicketEvent:
    """A completed work edited: its summary before and after (staff only)."""
    return _event(ticket, by, Kind.WORK_CHANGED, old=old, new=new, public=False)


def work_deleted(ticket: Ticket, by: User, summary: str) -> TicketEvent:
    """A completed work deleted: what it was (staff only)."""
    return _event(ticket, by, Kind.WORK_DELETED, new=summary, public=False)


def act_issued(ticket: Ticket, by: User, number: str) -> TicketEvent:
    return _event(ticket, by, Kind.ACT_ISSUED, new=number)


def act_signed(ticket: Ticket, by: User, signer: str) -> TicketEvent:
    """`signer`: «ФИО, должность» as signed; `by` is the customer, or the staff member whose
    device collected the signature."""
    return _event(ticket, by, Kind.ACT_SIGNED, new=signer)


def act_disputed(ticket: Ticket, by: User, comment: str) -> TicketEvent:
    return _event(ticket, by, Kind.ACT_DISPUTED, new=comment)


def act_reopened(ticket: Ticket, by: User, reason: str) -> TicketEvent:
    return _event(ticket, by, Kind.ACT_REOPENED, new=reason)


def act_submitted(ticket: Ticket, by: User) -> TicketEvent:
    return _event(ticket, by, Kind.ACT_SUBMITTED)
