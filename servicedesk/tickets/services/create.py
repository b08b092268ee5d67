"""Filing a ticket: its number, the data it is filed with and their checks, the ticket with its
first event and follower, and its attachments (also used for the files of messages)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.accounts.scopes import company_ids, membership_scopes
from servicedesk.core.errors import ApplicationError, ErrorCode
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
from servicedesk.tickets import events, hooks, numbering
from servicedesk.tickets.models import (
    Origin,
    Ticket,
    TicketAttachment,
    TicketFollower,
    TicketSequence,
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
            code=ErrorCode.TOO_MANY_FILES,
            field="attachments",
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload)))
        except UploadRejectedError as error:
            raise ApplicationError(
                str(error), code=ErrorCode.BAD_FILE, field="attachments"
            ) from error
    return checked


def _check_equipment_on_site(site: Site | None, equipment: Equipment) -> None:
    """Equipment standing on another site than the one chosen (or beneath it) is refused."""
    if site is not None and equipment.site_id is not None and equipment.site_id != site.pk:
        on_site = equipment.site is not None and equipment.site.path.startswith(site.path)
        if not on_site:
            raise ApplicationError(
                _("The equipment is not at the chosen site."),
                code=ErrorCode.EQUIPMENT_SITE,
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
        code=ErrorCode.CONTRACT_COVERAGE,
        field="contract",
    )


def _covers_whole_company(contact: User, company: Company) -> bool:
    return any(
        scope.whole_company
        for scope in membership_scopes(contact)
        if scope.company_id == company.pk
    )


def _check_ticket_data(by: User, contact: User, data: TicketData) -> TicketData:
    """The company, site, equipment and contract must be the contact's to use and fit together.
    Ids come from forms, but a hand-made POST must get the same answer as a missing object.

    The company must be one of the contact's (their memberships, in active companies), the
    site and equipment among the company's active places the contact may see — the same
    `ticket_places` the form offers, read through `visible_to()` and kept in the cache under
    the versions that move when places or memberships change, so the common ticket costs no
    query here. A contact limited to listed sites or equipment must choose one of them. A
    contract is checked in the database (visible to the contact, covering the place) in one
    query. Refused in a fixed order: company, no place for a limited contact, equipment,
    equipment on the site, site, contract, coverage."""
    company = data.company
    site, equipment, contract = data.site, data.equipment, data.contract
    if equipment is not None and site is None:
        site = equipment.site
    if not contact.is_active or company.pk not in company_ids(contact):
        raise ApplicationError(
            _("Choose one of your companies."), code=ErrorCode.COMPANY, field="company"
        )
    if equipment is None and site is None and not _covers_whole_company(contact, company):
        # A person who may see only listed sites or equipment files about one of them: a
        # ticket for the whole company would be one they could not see themselves.
        raise ApplicationError(
            _("Choose the site or equipment the ticket is about."),
            code=ErrorCode.SITE,
            field="site",
        )
    if equipment is not None or site is not None:
        places = ticket_places(contact, company)
        if equipment is not None:
            if equipment.pk not in places.equipment_ids:
                message = _("Choose equipment of the chosen company.")
                raise ApplicationError(message, code=ErrorCode.EQUIPMENT, field="equipment")
            _check_equipment_on_site(site, equipment)
        if site is not None and site.pk not in places.site_ids:
            raise ApplicationError(
                _("Choose a site of the chosen company."), code=ErrorCode.SITE, field="site"
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
                _("Choose a contract of the chosen company."),
                code=ErrorCode.CONTRACT,
                field="contract",
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
            raise ApplicationError(
                _("Customers file tickets for themselves."), code=ErrorCode.CONTACT
            )
        contact = by
    elif contact is None or not contact.is_customer or not contact.is_active:
        raise ApplicationError(
            _("Choose the customer's person the ticket is for."),
            code=ErrorCode.CONTACT,
            field="contact",
        )
    if origin not in Origin.values:
        raise ApplicationError(_("Unknown origin."), code=ErrorCode.ORIGIN)
    subject = data.subject.strip()
    if not subject:
        raise ApplicationError(_("Give the subject."), code=ErrorCode.SUBJECT, field="subject")
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        raise ApplicationError(
            _("The description is too long."), code=ErrorCode.DESCRIPTION, field="description"
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
    The number is taken inside the same transaction: a ticket that fails to save gives its
    number back, and «Ваша заявка создана» always means the ticket exists."""
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
    events.created(ticket, by)
    if contact.pk != by.pk or by.is_customer:
        TicketFollower.objects.create(ticket=ticket, user=contact)
    # No conversation row yet: a ticket's first message gives its contact, followers and
    # assignee theirs (conversations/services.py), and the inbox lists only conversations
    # with messages.
    # Files last: the database work they follow is done, so little can fail after them.
    attachments_store(by, ticket, checked_files)
    hooks.created(ticket=ticket)  # people are told (notifications, after the commit)
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
            events.attachment_added(ticket, by, info.name, message)
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
        raise ApplicationError(_("Choose a file."), code=ErrorCode.NO_FILE, field="attachments")
    return attachments_store(by, ticket, attachments_check(files))
