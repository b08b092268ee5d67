"""Every change to a ticket: creation, attachments, following, viewing. Each records a
TicketEvent where the timeline should show it; notifications go out after the commit."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
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
from servicedesk.tickets import counts, numbering
from servicedesk.tickets.models import (
    Origin,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketFollower,
    TicketSequence,
    TicketView,
)
from servicedesk.tickets.uploads import CheckedUpload, UploadRejectedError, check_upload

DESCRIPTION_MAX_LENGTH = 8192


def ticket_number_next(day: Any = None) -> str:
    """The next number for the configured mask, from one `UPDATE … RETURNING` in a transaction
    of its own: the counter row is locked (PostgreSQL row lock; SQLite's write lock) for that
    one statement, so parallel creations queue for a number instead of sharing one, and do not
    wait for each other's whole ticket to be written. Called inside an outer transaction, the
    lock lasts until that commits. A number whose ticket then fails to save is not reused (a
    gap in the sequence; numbers are never given twice)."""
    mask = settings.TICKET_NUMBER_MASK
    day = day or timezone.localdate()
    key = numbering.sequence_key(mask, day)
    with transaction.atomic():
        value = _sequence_increment(key)
        if value is None:
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


def _check_uploads(
    files: Sequence[UploadedFile[bytes]],
) -> list[tuple[UploadedFile[bytes], CheckedUpload]]:
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


def _check_ticket_data(by: User, contact: User, data: TicketData) -> TicketData:
    """The company, site, equipment and contract must be the contact's to use and fit together.
    Ids come from forms, but a hand-made POST must get the same answer as a missing object."""
    company = data.company
    if not Company.objects.visible_to(contact).filter(pk=company.pk, is_active=True).exists():
        raise ApplicationError(_("Choose one of your companies."), code="company", field="company")
    site, equipment = data.site, data.equipment
    if equipment is not None:
        visible = Equipment.objects.visible_to(contact).filter(pk=equipment.pk, company=company)
        if not visible.exists():
            raise ApplicationError(
                _("Choose equipment of the chosen company."), code="equipment", field="equipment"
            )
        if site is None:
            site = equipment.site
        elif equipment.site_id is not None and equipment.site_id != site.pk:
            on_site = equipment.site is not None and equipment.site.path.startswith(site.path)
            if not on_site:
                raise ApplicationError(
                    _("The equipment is not at the chosen site."),
                    code="equipment_site",
                    field="equipment",
                )
    if site is not None and not (
        Site.objects.visible_to(contact).filter(pk=site.pk, company=company).exists()
    ):
        raise ApplicationError(_("Choose a site of the chosen company."), code="site", field="site")
    contract = data.contract
    if contract is not None:
        if (
            contract.company_id != company.pk
            or not Contract.objects.visible_to(contact).filter(pk=contract.pk).exists()
        ):
            raise ApplicationError(
                _("Choose a contract of the chosen company."), code="contract", field="contract"
            )
        if not contract.covers(site=site, equipment=equipment):
            raise ApplicationError(
                _("This contract does not cover the chosen site or equipment."),
                code="contract_coverage",
                field="contract",
            )
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
    checked_files = _check_uploads(files)
    data = _check_ticket_data(by, contact, data)
    number = ticket_number_next()  # before the transaction below: see its docstring
    with transaction.atomic():
        return _ticket_insert(by, contact, data, subject, number, origin, checked_files)


def _ticket_insert(
    by: User,
    contact: User,
    data: TicketData,
    subject: str,
    number: str,
    origin: str,
    checked_files: list[tuple[UploadedFile[bytes], CheckedUpload]],
) -> Ticket:
    ticket = Ticket.objects.create(
        number=number,
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
    TicketEvent.objects.create(ticket=ticket, actor=by, kind=TicketEvent.Kind.CREATED)
    if contact.pk != by.pk or by.is_customer:
        TicketFollower.objects.create(ticket=ticket, user=contact)  # a new ticket: no followers
    # Files last: the database work they follow is done, so little can fail after them.
    _store_attachments(by, ticket, checked_files)
    from servicedesk.tickets import tasks

    transaction.on_commit(lambda: tasks.ticket_created_notify(ticket.pk))
    return ticket


def _store_attachments(
    by: User, ticket: Ticket, checked: list[tuple[UploadedFile[bytes], CheckedUpload]]
) -> list[TicketAttachment]:
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
                created_at=now,
            )
            upload.seek(0)
            attachment.file.save(info.name, upload, save=False)
            stored.append(attachment)
            attachment.save()
            TicketEvent.objects.create(
                ticket=ticket, actor=by, kind=TicketEvent.Kind.ATTACHMENT_ADDED, new_value=info.name
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
    return _store_attachments(by, ticket, _check_uploads(files))


def ticket_follow(*, by: User, ticket: Ticket) -> None:
    _follower, created = TicketFollower.objects.get_or_create(ticket=ticket, user=by)
    if created:
        counts.user_changed(by.pk)
        TicketEvent.objects.create(
            ticket=ticket, actor=by, kind=TicketEvent.Kind.FOLLOWED, is_public=False
        )


def ticket_unfollow(*, by: User, ticket: Ticket) -> None:
    deleted, _rows = TicketFollower.objects.filter(ticket=ticket, user=by).delete()
    if deleted:
        counts.user_changed(by.pk)
        TicketEvent.objects.create(
            ticket=ticket, actor=by, kind=TicketEvent.Kind.UNFOLLOWED, is_public=False
        )


def ticket_viewed(*, by: User, ticket: Ticket) -> None:
    """Remember the visit for "recently viewed" (one row per person and ticket): one UPDATE
    for a ticket seen before, an insert (that tolerates a parallel one) the first time."""
    now = timezone.now()
    if TicketView.objects.filter(user=by, ticket=ticket).update(viewed_at=now):
        return
    TicketView.objects.bulk_create(
        [TicketView(user=by, ticket=ticket, viewed_at=now)],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["viewed_at"],
    )
    counts.user_changed(by.pk)
