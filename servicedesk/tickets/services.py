"""Every change to a ticket: creation, attachments, following, viewing, and the staff's work —
status changes through the workflow (tickets/workflow.py), assignment, edits, bulk changes,
closing resolved tickets nobody answered. Each records a TicketEvent where the timeline should
show it; notifications go out after the commit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import rules
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_countries.fields import Country

from servicedesk.accounts.models import User
from servicedesk.accounts.scopes import company_ids
from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.tickets import counts, numbering, workflow
from servicedesk.tickets.models import (
    Origin,
    Status,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketFollower,
    TicketSequence,
    TicketView,
)
from servicedesk.tickets.selectors import ticket_places
from servicedesk.tickets.uploads import CheckedUpload, UploadRejectedError, check_upload

DESCRIPTION_MAX_LENGTH = 8192


def ticket_number_next(day: Any = None) -> str:
    """The next number for the configured mask, from one `UPDATE … RETURNING`: the counter row
    is locked (PostgreSQL row lock; SQLite's write lock) until the caller's transaction commits,
    so parallel creations queue for a number instead of sharing one. A number whose ticket
    fails to save is rolled back with it."""
    mask = settings.TICKET_NUMBER_MASK
    day = day or timezone.localdate()
    key = numbering.sequence_key(mask, day)
    value = _sequence_increment(key)
    if value is None:  # the key's first number (a new mask, or a new year or month in it)
        try:
            with transaction.atomic():
                TicketSequence.objects.create(key=key, last_value=1)
            value = 1
        except IntegrityError:  # another transaction created it first
            value = _sequence_increment(key)
    if value is None:  # pragma: no cover (the row exists: created here or by the other)
        raise RuntimeError(f"No ticket sequence row for {key!r}")
    return numbering.render(mask, day, value)


def _sequence_increment(key: str) -> int | None:
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    key_column = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 "  # noqa: S608 (names, not data)
            f"WHERE {key_column} = %s RETURNING last_value",
            [key],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@dataclass(frozen=True)
class TicketData:
    subject: str
    ticket_type: TicketType
    criticality: Criticality
    company: Company
    description: str = ""
    site: Site | None = None
    equipment: Equipment | None = None
    work_type: WorkType | None = None
    contract: Contract | None = None
    product: Product | None = None
    country: str = ""


def attachments_check(
    files: Sequence[UploadedFile[bytes]],
) -> list[tuple[UploadedFile[bytes], CheckedUpload]]:
    """Every file checked (tickets/uploads.py) before anything is stored: the first refused
    one refuses the batch. Shared by the ticket's attachments and its messages' files."""
    if len(files) > settings.ATTACHMENTS_PER_UPLOAD:
        raise ApplicationError(
            _("At most %(max)s files at a time.") % {"max": settings.ATTACHMENTS_PER_UPLOAD},
            code="too_many_files",
            field="attachments",
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload)))
        except UploadRejectedError as error:
            raise ApplicationError(str(error), code="bad_file", field="attachments") from error
    return checked


def _check_equipment_on_site(site: Site | None, equipment: Equipment) -> None:
    """Equipment standing on another site than the one chosen (or beneath it) is refused."""
    if site is not None and equipment.site_id is not None and equipment.site_id != site.pk:
        on_site = equipment.site is not None and equipment.site.path.startswith(site.path)
        if not on_site:
            raise ApplicationError(
                _("The equipment is not at the chosen site."),
                code="equipment_site",
                field="equipment",
            )


def _check_contract_covers(
    contract: Contract, site: Site | None, equipment: Equipment | None
) -> None:
    if not contract.covers(site=site, equipment=equipment):
        raise _contract_not_covering()


def _contract_not_covering() -> ApplicationError:
    return ApplicationError(
        _("This contract does not cover the chosen site or equipment."),
        code="contract_coverage",
        field="contract",
    )


def _check_ticket_data(by: User, contact: User, data: TicketData) -> TicketData:
    """The company, site, equipment and contract must be the contact's to use and fit together.
    Ids come from forms, but a hand-made POST must get the same answer as a missing object.

    The company must be one of the contact's (their memberships, in active companies), the
    site and equipment among the company's active places the contact may see — the same
    `ticket_places` the form offers, read through `visible_to()` and kept in the cache under
    the versions that move when places or memberships change, so the common ticket costs no
    query here. A contract is checked in the database (visible to the contact, covering the
    place) in one query. Refused in a fixed order: company, equipment, equipment on the site,
    site, contract, coverage."""
    company = data.company
    site, equipment, contract = data.site, data.equipment, data.contract
    if equipment is not None and site is None:
        site = equipment.site
    if not contact.is_active or company.pk not in company_ids(contact):
        raise ApplicationError(_("Choose one of your companies."), code="company", field="company")
    if equipment is not None or site is not None:
        places = ticket_places(contact, company)
        if equipment is not None:
            if equipment.pk not in places.equipment_ids:
                message = _("Choose equipment of the chosen company.")
                raise ApplicationError(message, code="equipment", field="equipment")
            _check_equipment_on_site(site, equipment)
        if site is not None and site.pk not in places.site_ids:
            raise ApplicationError(
                _("Choose a site of the chosen company."), code="site", field="site"
            )
    if contract is not None:
        row = (
            Contract.objects.filter(pk=contract.pk)
            .annotate(
                visible=Exists(
                    Contract.objects.visible_to(contact).filter(pk=contract.pk, company=company)
                ),
                covering=Exists(
                    Contract.objects.filter(pk=contract.pk).covering(site=site, equipment=equipment)
                ),
            )
            .values("visible", "covering")
            .first()
        )
        if row is None or not row["visible"]:
            raise ApplicationError(
                _("Choose a contract of the chosen company."), code="contract", field="contract"
            )
        if not row["covering"]:
            raise _contract_not_covering()
    return TicketData(
        **{**data.__dict__, "site": site, "country": data.country or str(company.country or "")}
    )


def ticket_create(
    *,
    by: User,
    data: TicketData,
    origin: str,
    contact: User | None = None,
    files: Sequence[UploadedFile[bytes]] = (),
) -> Ticket:
    """File a ticket. A customer files for themselves; staff file for a customer's person
    (`contact`), e.g. after a phone call."""
    if by.is_customer:
        if contact is not None and contact.pk != by.pk:
            raise ApplicationError(_("Customers file tickets for themselves."), code="contact")
        contact = by
    elif contact is None or not contact.is_customer or not contact.is_active:
        raise ApplicationError(
            _("Choose the customer's person the ticket is for."), code="contact", field="contact"
        )
    if origin not in Origin.values:
        raise ApplicationError(_("Unknown origin."), code="origin")
    subject = data.subject.strip()
    if not subject:
        raise ApplicationError(_("Give the subject."), code="subject", field="subject")
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        raise ApplicationError(
            _("The description is too long."), code="description", field="description"
        )
    checked_files = attachments_check(files)
    return _ticket_insert(by, contact, data, subject, origin, checked_files)


@transaction.atomic
def _ticket_insert(
    by: User,
    contact: User,
    data: TicketData,
    subject: str,
    origin: str,
    checked_files: list[tuple[UploadedFile[bytes], CheckedUpload]],
) -> Ticket:
    """The ticket, its first event, the contact as follower and the files: all or nothing.
    The number is taken inside the same transaction, so a ticket that fails to save leaves
    at most a gap, never a number without its ticket after «Ваша заявка создана»."""
    data = _check_ticket_data(by, contact, data)
    ticket = Ticket(
        number=ticket_number_next(),
        subject=subject,
        description=data.description,
        ticket_type=data.ticket_type,
        criticality=data.criticality,
        company=data.company,
        contact=contact,
        created_by=by,
        site=data.site,
        equipment=data.equipment,
        work_type=data.work_type,
        contract=data.contract,
        product=data.product,
        country=data.country,
        origin=origin,
    )
    from servicedesk.sla.services import sla_apply  # sla imports tickets' models: import late

    sla_apply(ticket, now=timezone.now())  # the deadlines, from the rule that matches
    ticket.save()
    TicketEvent.objects.create(ticket=ticket, actor=by, kind=TicketEvent.Kind.CREATED)
    if contact.pk != by.pk or by.is_customer:
        TicketFollower.objects.create(ticket=ticket, user=contact)
    # No conversation row yet: a ticket's first message gives its contact, followers and
    # assignee theirs (conversations/services.py), and the inbox lists only conversations
    # with messages.
    # Files last: the database work they follow is done, so little can fail after them.
    attachments_store(by, ticket, checked_files)
    from servicedesk.notifications import events

    transaction.on_commit(lambda: events.ticket_created(ticket.pk))
    return ticket


def attachments_store(
    by: User,
    ticket: Ticket,
    checked: list[tuple[UploadedFile[bytes], CheckedUpload]],
    message: Any = None,
) -> list[TicketAttachment]:
    """Store checked files on the ticket, each with an event on the timeline; a message's files
    belong to it, and an internal note's files (and their events) are for staff only."""
    stored: list[TicketAttachment] = []
    public = message is None or not message.is_internal
    now = timezone.now()
    try:
        for upload, info in checked:
            attachment = TicketAttachment(
                ticket=ticket,
                name=info.name,
                size=info.size,
                content_type=info.content_type,
                is_image=info.is_image,
                uploaded_by=by,
                message=message,
                created_at=now,
            )
            upload.seek(0)
            attachment.file.save(info.name, upload, save=False)
            stored.append(attachment)
            attachment.save()
            TicketEvent.objects.create(
                ticket=ticket,
                actor=by,
                kind=TicketEvent.Kind.ATTACHMENT_ADDED,
                new_value=info.name,
                is_public=public,
            )
    except BaseException:
        # The rows roll back with the transaction; the files in storage would not.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def ticket_attachments_add(
    *, by: User, ticket: Ticket, files: Sequence[UploadedFile[bytes]]
) -> list[TicketAttachment]:
    if not files:
        raise ApplicationError(_("Choose a file."), code="no_file", field="attachments")
    return attachments_store(by, ticket, attachments_check(files))


def ticket_follow(*, by: User, ticket: Ticket) -> None:
    _follower, created = TicketFollower.objects.get_or_create(ticket=ticket, user=by)
    if created:
        counts.user_changed(by.pk)
        TicketEvent.objects.create(
            ticket=ticket, actor=by, kind=TicketEvent.Kind.FOLLOWED, is_public=False
        )
        from servicedesk.conversations import services as conversations

        # Followed from the ticket's page: its conversation is in their inbox, read so far.
        conversations.participant_join(ticket=ticket, user=by, read=True)


def ticket_unfollow(*, by: User, ticket: Ticket) -> None:
    deleted, _rows = TicketFollower.objects.filter(ticket=ticket, user=by).delete()
    if deleted:
        counts.user_changed(by.pk)
        TicketEvent.objects.create(
            ticket=ticket, actor=by, kind=TicketEvent.Kind.UNFOLLOWED, is_public=False
        )


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


# --- The staff's work on a ticket: workflow, assignment, edits (issue 5) -------------------------
#
# Each service locks the ticket's row (`select_for_update`), refuses a change made from a stale
# page (`expected_version`), checks the rules, changes the row, moves `version` on and records
# what changed as TicketEvents — or raises ApplicationError having changed nothing.

CONFLICT_MESSAGE = gettext_lazy(
    "Someone changed this ticket meanwhile. Reload the page to see the change."
)
RESOLUTION_MAX_LENGTH = 8192
REASON_MAX_LENGTH = 2000

# ticket_update: what staff may edit; the fields that stand for the promise made to the
# customer (criticality, contract, deadline) are the dispatcher's; the ones the SLA deadlines
# are computed from make the sla app compute them again.
EDITABLE_FIELDS = (
    "subject",
    "description",
    "ticket_type",
    "criticality",
    "work_type",
    "site",
    "equipment",
    "contract",
    "product",
    "country",
    "due_at",
)
DISPATCH_FIELDS = frozenset({"criticality", "contract", "due_at"})
SLA_FIELDS = frozenset({"ticket_type", "criticality", "work_type", "site", "equipment", "contract"})
_REFERENCES: dict[str, tuple[type[Any], bool]] = {  # field → (model, required)
    "ticket_type": (TicketType, True),
    "criticality": (Criticality, True),
    "work_type": (WorkType, False),
    "product": (Product, False),
}
_PLACES: dict[str, type[Any]] = {"site": Site, "equipment": Equipment, "contract": Contract}
# Deadlines the sla app moves: recorded (for staff) when a hook changes them.
_SLA_RECORDED_FIELDS = ("due_at", "first_response_due_at")


def _ticket_lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    """The ticket's row read again and locked until the transaction ends; refused when it has
    moved on since the page that asks for the change was made."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ApplicationError(CONFLICT_MESSAGE, code="conflict")
    return locked


def _ticket_save(ticket: Ticket, fields: set[str]) -> Ticket:
    ticket.version += 1
    # .save(): the post_save signal moves the company's counts on (tickets/counts.py).
    ticket.save(update_fields=sorted(fields | {"version", "updated_at"}))
    return ticket


def _event(
    ticket: Ticket,
    by: User | None,
    kind: str,
    *,
    field: str = "",
    old: str = "",
    new: str = "",
    public: bool = True,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=by,
        kind=kind,
        field=field,
        old_value=old,
        new_value=new,
        is_public=public,
    )


def _readable(value: Any) -> str:
    """A field's value as the timeline keeps it: names, not ids; instants in UTC, ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Country):
        return str(value.name) if value.code else ""
    return str(value)


# SLA hooks ------------------------------------------------------------------------------------


def _sla(hook: Literal["apply", "pause", "resume"], ticket: Ticket, by: User | None) -> set[str]:
    """The one place the ticket services call the sla app: it changes the ticket in memory and
    names the fields it changed, which the caller saves. A deadline it moves is recorded for
    staff (internal event), with the person whose change made it move."""
    from servicedesk.sla import services as sla  # sla imports tickets' models: import late

    before = {name: getattr(ticket, name) for name in _SLA_RECORDED_FIELDS}
    changed = {str(name) for name in getattr(sla, f"sla_{hook}")(ticket, now=timezone.now())}
    for name in _SLA_RECORDED_FIELDS:
        if name in changed and getattr(ticket, name) != before[name]:
            _event(
                ticket,
                by,
                TicketEvent.Kind.FIELD_CHANGED,
                field=name,
                old=_readable(before[name]),
                new=_readable(getattr(ticket, name)),
                public=False,
            )
    return changed


def _notify_status(
    ticket_id: int, by: User | None, old: Status, new: Status, event_id: int
) -> None:
    """People are told of the change once it is committed (notifications/delivery.py)."""
    from servicedesk.notifications import events

    by_id = by.pk if by is not None else None
    transaction.on_commit(
        lambda: events.status_changed(ticket_id, by_id, old.value, new.value, event_id)
    )


def _status_move(ticket: Ticket, by: User | None, target: Status, now: datetime) -> set[str]:
    """Put the ticket in `target` (in memory), with the timestamps and the SLA clock that go
    with it, and record the change. The caller has checked that the move is allowed."""
    old = Status(ticket.status)
    ticket.status = target
    fields = {"status"}
    if target == Status.RESOLVED:
        ticket.resolved_at, ticket.closed_at = now, None
        fields |= {"resolved_at", "closed_at"}
    elif target == Status.CLOSED:
        ticket.closed_at = now
        fields.add("closed_at")
    elif target != Status.CANCELLED and (ticket.resolved_at or ticket.closed_at):
        ticket.resolved_at = ticket.closed_at = None  # reopened
        fields |= {"resolved_at", "closed_at"}
    event = _event(
        ticket, by, TicketEvent.Kind.STATUS_CHANGED, field="status", old=old.value, new=target.value
    )
    _notify_status(ticket.pk, by, old, target, event.pk)
    if target == Status.WAITING and old != Status.WAITING:
        fields |= _sla("pause", ticket, by)
    elif old == Status.WAITING and target != Status.WAITING:
        fields |= _sla("resume", ticket, by)
    return fields


@transaction.atomic
def ticket_transition(
    *,
    by: User,
    ticket: Ticket,
    code: str,
    resolution: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Fire the workflow transition `code` (tickets/workflow.py). `resolution` is the solution
    (resolve), `reason` why the ticket is reopened or cancelled. Returns the ticket as saved."""
    ticket = _ticket_lock(ticket, expected_version)
    transition = workflow.check(by, ticket, code, resolution=resolution, reason=reason)
    resolution, reason = resolution.strip(), reason.strip()
    if len(resolution) > RESOLUTION_MAX_LENGTH:
        raise ApplicationError(
            _("The solution is too long."), code="resolution", field="resolution"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(_("The reason is too long."), code="reason", field="reason")
    fields = _status_move(ticket, by, transition.target, timezone.now())
    if transition.needs_resolution and resolution != ticket.resolution:
        _event(
            ticket,
            by,
            TicketEvent.Kind.FIELD_CHANGED,
            field="resolution",
            old=ticket.resolution,
            new=resolution,
        )
        ticket.resolution = resolution
        fields.add("resolution")
    if transition.code == "reopen":
        _event(ticket, by, TicketEvent.Kind.REOPENED, new=reason)
    elif transition.code == "cancel":
        _event(ticket, by, TicketEvent.Kind.CANCELLED, new=reason)
    return _ticket_save(ticket, fields)


def _person(user: User | None) -> str:
    return "" if user is None else str(user)


@transaction.atomic
def ticket_assign(
    *, by: User, ticket: Ticket, assignee: User, expected_version: int | None = None
) -> Ticket:
    """Make `assignee` (an active engineer or dispatcher) responsible for the ticket; a New
    ticket becomes Assigned. The event is public: the customer sees who works on their ticket
    (by name). Assigning the same person again changes nothing."""
    ticket = _ticket_lock(ticket, expected_version)
    if not by.has_perm(workflow.DISPATCH):
        raise ApplicationError(
            _("Only a dispatcher or an administrator assigns tickets."), code="forbidden"
        )
    if ticket.status == Status.CANCELLED:
        raise ApplicationError(_("A cancelled ticket cannot be assigned."), code="stage")
    if not (assignee.is_active and rules.test_rule("tickets.can_be_assigned", assignee)):
        raise ApplicationError(
            _("Choose an active engineer or dispatcher."), code="assignee", field="assignee"
        )
    if ticket.assignee_id == assignee.pk:
        return ticket
    event = _event(
        ticket,
        by,
        TicketEvent.Kind.ASSIGNED,
        field="assignee",
        old=_person(ticket.assignee),
        new=_person(assignee),
    )
    from servicedesk.notifications import events

    transaction.on_commit(lambda: events.ticket_assigned(ticket.pk, by.pk, assignee.pk, event.pk))
    ticket.assignee = assignee
    fields = {"assignee"}
    if ticket.status == Status.NEW:
        fields |= _status_move(ticket, by, Status.ASSIGNED, timezone.now())
    from servicedesk.conversations import services as conversations

    # The conversation joins both inboxes: what was said before is news to the assignee.
    conversations.participant_join(ticket=ticket, user=assignee, count_unread=True)
    conversations.participant_join(ticket=ticket, user=by)
    return _ticket_save(ticket, fields)


def _update_value(name: str, value: Any) -> Any:
    """One edited value checked on its own (type, length, active reference)."""
    if name == "subject":
        subject = str(value or "").strip()
        if not subject:
            raise ApplicationError(_("Give the subject."), code="subject", field="subject")
        if len(subject) > Ticket._meta.get_field("subject").max_length:  # type: ignore[operator]
            raise ApplicationError(_("The subject is too long."), code="subject", field="subject")
        return subject
    if name == "description":
        description = str(value or "")
        if len(description) > DESCRIPTION_MAX_LENGTH:
            raise ApplicationError(
                _("The description is too long."), code="description", field="description"
            )
        return description
    if name == "country":
        code = str(value or "").strip()
        if code and not countries.alpha2(code):
            raise ApplicationError(_("Choose a country."), code="country", field="country")
        return countries.alpha2(code) if code else ""
    if name == "due_at":
        if value is not None and not (isinstance(value, datetime) and timezone.is_aware(value)):
            raise ApplicationError(_("Give a date and time."), code="due_at", field="due_at")
        return value
    if name in _REFERENCES:
        model, required = _REFERENCES[name]
        if value is None and not required:
            return None
        if not isinstance(value, model) or not value.is_active:
            raise ApplicationError(_("Choose one of the list."), code=name, field=name)
        return value
    model = _PLACES[name]
    if value is not None and not isinstance(value, model):
        raise ApplicationError(_("Choose one of the list."), code=name, field=name)
    return value


def _check_places(
    ticket: Ticket, site: Site | None, equipment: Equipment | None, contract: Contract | None
) -> None:
    """The place and contract belong to the ticket's company and fit together (as when a
    ticket is filed; the contact's own scope is not asked: they always see their tickets)."""
    if equipment is not None:
        if equipment.company_id != ticket.company_id:
            raise ApplicationError(
                _("Choose equipment of the ticket's company."), code="equipment", field="equipment"
            )
        _check_equipment_on_site(site, equipment)
    if site is not None and site.company_id != ticket.company_id:
        raise ApplicationError(
            _("Choose a site of the ticket's company."), code="site", field="site"
        )
    if contract is not None:
        if contract.company_id != ticket.company_id:
            raise ApplicationError(
                _("Choose a contract of the ticket's company."), code="contract", field="contract"
            )
        _check_contract_covers(contract, site, equipment)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Model) or isinstance(new, Model):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if isinstance(old, Country):
        old = old.code or ""
    return bool(old == new)


@transaction.atomic
def ticket_update(
    *, by: User, ticket: Ticket, changes: dict[str, Any], expected_version: int | None = None
) -> Ticket:
    """Staff edit the ticket's fields (EDITABLE_FIELDS; model instances for the references
    and places, an aware datetime or None for `due_at`). A deadline set here is kept as set
    by hand (`due_at_manual`); `due_at=None` gives the deadline back to the SLA. Each changed
    field is recorded old → new; nothing changed, nothing recorded."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="field",
        )
    ticket = _ticket_lock(ticket, expected_version)
    if not by.has_perm(workflow.WORK_ON_TICKET, ticket):
        raise ApplicationError(
            _(
                "Only the engineer the ticket is assigned to, a dispatcher or an administrator "
                "can edit it."
            ),
            code="forbidden",
        )
    dispatch_only = sorted(DISPATCH_FIELDS & set(changes))
    if dispatch_only and not by.has_perm(workflow.DISPATCH):
        raise ApplicationError(
            _(
                "Only a dispatcher or an administrator changes the criticality, the contract "
                "and the deadline."
            ),
            code="forbidden",
            field=dispatch_only[0],
        )
    if ticket.status in workflow.FINAL_STAGES:
        raise ApplicationError(
            _("A closed or cancelled ticket cannot be edited; reopen it first."), code="stage"
        )
    values = {name: _update_value(name, value) for name, value in changes.items()}
    new = {
        name: value
        for name, value in values.items()
        if name != "due_at" and not _same(getattr(ticket, name), value)
    }
    if any(name in new for name in _PLACES):
        site = new.get("site", ticket.site)
        equipment = new.get("equipment", ticket.equipment)
        # Other equipment and no word about the site: the site follows the equipment unless
        # the equipment is somewhere under the ticket's site (as when filed).
        home = equipment.site if equipment is not None and "site" not in changes else None
        if home is not None and (site is None or not home.path.startswith(site.path)):
            site = new["site"] = home
        _check_places(ticket, site, equipment, new.get("contract", ticket.contract))
    fields: set[str] = set()
    for name, value in new.items():
        _event(
            ticket,
            by,
            TicketEvent.Kind.FIELD_CHANGED,
            field=name,
            old=_readable(getattr(ticket, name)),
            new=str(countries.name(value)) if name == "country" else _readable(value),
        )
        setattr(ticket, name, value)
        fields.add(name)
    recompute = bool(SLA_FIELDS & fields)
    if "due_at" in values:
        due_at = values["due_at"]
        if due_at is not None and (due_at != ticket.due_at or not ticket.due_at_manual):
            _event(
                ticket,
                by,
                TicketEvent.Kind.FIELD_CHANGED,
                field="due_at",
                old=_readable(ticket.due_at),
                new=_readable(due_at),
            )
            ticket.due_at, ticket.due_at_manual = due_at, True
            fields |= {"due_at", "due_at_manual"}
        elif due_at is None and ticket.due_at_manual:
            # Back to the SLA's deadline: cleared here, computed again below.
            _event(
                ticket,
                by,
                TicketEvent.Kind.FIELD_CHANGED,
                field="due_at",
                old=_readable(ticket.due_at),
                new="",
            )
            ticket.due_at, ticket.due_at_manual = None, False
            fields |= {"due_at", "due_at_manual"}
            recompute = True
    if not fields:
        return ticket
    if recompute:
        fields |= _sla("apply", ticket, by)
    return _ticket_save(ticket, fields)


@transaction.atomic
def ticket_accept_resolution(
    *, by: User, ticket: Ticket, expected_version: int | None = None
) -> Ticket:
    """The customer (the contact, or a member who sees the ticket) accepts the proposed
    solution: the resolved ticket closes."""
    ticket = _ticket_lock(ticket, expected_version)
    if not (by.is_customer and by.has_perm("tickets.accept_resolution", ticket)):
        raise ApplicationError(_("Only the customer can accept the solution."), code="forbidden")
    if ticket.status != Status.RESOLVED:
        raise ApplicationError(
            _("There is no proposed solution to accept: the ticket is not resolved."),
            code="stage",
        )
    fields = _status_move(ticket, by, Status.CLOSED, timezone.now())
    _event(ticket, by, TicketEvent.Kind.RESOLUTION_ACCEPTED)
    return _ticket_save(ticket, fields)


@transaction.atomic
def ticket_customer_replied(*, by: User, ticket: Ticket) -> Ticket:
    """For the conversations service, after a customer posted a public message: a Resolved or
    Waiting ticket goes back in progress (to New if it has lost its assignee), saying why.
    Other tickets stay as they are."""
    ticket = _ticket_lock(ticket, None)
    if not (by.is_customer and Ticket.objects.visible_to(by).filter(pk=ticket.pk).exists()):
        raise ApplicationError(_("Only the customer's reply reopens a ticket."), code="forbidden")
    if ticket.status not in (Status.RESOLVED, Status.WAITING):
        return ticket
    target = Status.IN_PROGRESS if ticket.assignee_id is not None else Status.NEW
    fields = _status_move(ticket, by, target, timezone.now())
    _event(ticket, by, TicketEvent.Kind.CUSTOMER_REPLIED)
    return _ticket_save(ticket, fields)


@dataclass(frozen=True)
class BulkResult:
    """One ticket's outcome of a bulk change: done (`ticket` as saved), or refused with the
    reason (`ticket` as it was)."""

    ticket: Ticket
    ok: bool
    message: str = ""
    code: str = ""


BULK_ACTIONS = ("assign", "status", "criticality")
BULK_MAX = 500


def ticket_bulk(
    *,
    by: User,
    tickets: Sequence[Ticket],
    action: str,
    value: Any,
    resolution: str = "",
    reason: str = "",
) -> list[BulkResult]:
    """The same change for many tickets: `assign` (value: the person), `status` (value: a
    transition code; `resolution`/`reason` as for ticket_transition) or `criticality` (value:
    a Criticality). Each ticket goes through the single-ticket service, in a transaction of
    its own: one refused leaves no trace and does not stop the others."""
    if action not in BULK_ACTIONS:
        raise ApplicationError(_("Unknown action."), code="bulk_action")
    if len(tickets) > BULK_MAX:
        raise ApplicationError(
            _("At most %(max)s tickets at a time.") % {"max": BULK_MAX}, code="bulk_too_many"
        )
    if action == "status":
        workflow.transition_get(str(value))
    results: list[BulkResult] = []
    for ticket in tickets:
        try:
            if action == "assign":
                done = ticket_assign(by=by, ticket=ticket, assignee=value)
            elif action == "status":
                done = ticket_transition(
                    by=by, ticket=ticket, code=str(value), resolution=resolution, reason=reason
                )
            else:
                done = ticket_update(by=by, ticket=ticket, changes={"criticality": value})
        except ApplicationError as error:
            results.append(
                BulkResult(ticket, ok=False, message=str(error.message), code=error.code)
            )
        else:
            results.append(BulkResult(done, ok=True))
    return results


def tickets_close_resolved(*, now: datetime, days: int, chunk_size: int = 500) -> int:
    """Close the tickets resolved more than `days` ago (the customer neither accepted nor
    answered), `chunk_size` at a time, each chunk in its own short transaction; returns how
    many were closed. Idempotent: a ticket reopened or closed meanwhile is left alone."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    closed, last_pk = 0, 0
    while True:
        # status = 'resolved' first: the status indexes serve it, and resolved is a small set.
        ids = list(
            Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return closed
        last_pk = ids[-1]
        closed += _close_resolved_chunk(ids, cutoff, now, days)


@transaction.atomic
def _close_resolved_chunk(ids: list[int], cutoff: datetime, now: datetime, days: int) -> int:
    rows = list(
        Ticket.objects.select_for_update()
        .filter(pk__in=ids, status=Status.RESOLVED, resolved_at__lt=cutoff)
        .values_list("pk", "company_id", "number")
    )
    if not rows:
        return 0
    pks = [pk for pk, _company, _number in rows]
    Ticket.objects.filter(pk__in=pks).update(
        status=Status.CLOSED, closed_at=now, version=F("version") + 1, updated_at=now
    )
    events = []
    for pk in pks:
        events.append(
            TicketEvent(
                ticket_id=pk,
                actor=None,
                kind=TicketEvent.Kind.STATUS_CHANGED,
                field="status",
                old_value=Status.RESOLVED.value,
                new_value=Status.CLOSED.value,
            )
        )
        events.append(
            TicketEvent(
                ticket_id=pk, actor=None, kind=TicketEvent.Kind.AUTO_CLOSED, new_value=str(days)
            )
        )
    TicketEvent.objects.bulk_create(events)
    for event in events:
        if event.kind == TicketEvent.Kind.STATUS_CHANGED:
            _notify_status(event.ticket_id, None, Status.RESOLVED, Status.CLOSED, event.pk)
    # update() and bulk_create() send no post_save: move the counts' versions here.
    for company_id in {company for _pk, company, _number in rows}:
        counts.company_changed(company_id)
    counts.workload_changed()
    return len(pks)
