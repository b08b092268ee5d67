"""Recording, changing and deleting a ticket's completed works.

Each service locks the ticket's row (changes to one ticket's works queue up behind each other,
and behind the act that will be made from them), asks whether this person may change the
ticket's works and whether they may change at all (`works_locked`; a closed or cancelled
ticket's works are final), checks every value (works/validation.py), saves, and records a
staff-only event on the ticket's timeline — or raises ApplicationError having changed nothing.

Prices and rates are copied onto the work: the work type's price when the work is recorded or
its type changes, the engineer's card rate when none is given for them. Keyword-only, typed,
`@transaction.atomic`, as the tickets' services are."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.acts.models import Act
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import WorkType
from servicedesk.tickets import events
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.uploads import CheckedUpload, UploadRejectedError, check_upload
from servicedesk.works import validation
from servicedesk.works.models import (
    CompletedWork,
    Material,
    WorkEngineer,
    WorkMaterial,
    WorkPhoto,
)
from servicedesk.works.texts import work_summary

# A work done on a ticket that is closed or cancelled is history: it no longer changes.
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


@dataclass(frozen=True)
class EngineerLine:
    """An engineer's part: their own start and end; `hourly_rate` None takes their card's."""

    engineer: User
    started_at: datetime
    finished_at: datetime
    hourly_rate: Decimal | None = None


@dataclass(frozen=True)
class MaterialLine:
    """A material used: picked from the list (`material`; an empty name, unit or price takes
    the list's) or typed in (name, unit and price all given)."""

    quantity: Decimal
    material: Material | None = None
    name: str = ""
    unit: str = ""
    price: Decimal | None = None


@dataclass(frozen=True)
class WorkData:
    work_type: WorkType
    engineers: Sequence[EngineerLine]
    materials: Sequence[MaterialLine] = ()
    comment: str = ""
    internal_note: str = ""


def works_locked(ticket: Ticket) -> bool:
    """Whether the ticket's works are frozen: the act made from them is signed (decision 0017).
    A change then needs a new act version (acts.services.act_reopen), which unlocks them. Every
    service here consults it, with the ticket's row locked, before it changes anything."""
    return Act.objects.filter(ticket=ticket, state=Act.State.SIGNED).exists()


# --- Checks ------------------------------------------------------------------------------------


def _ticket_for_change(by: User, ticket: Ticket) -> Ticket:
    """The ticket's row, locked until the transaction ends, once `by` may change its works."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not by.has_perm("works.change", locked):
        raise ApplicationError(
            _("Only a dispatcher, an administrator or the ticket's engineer records its works."),
            code=ErrorCode.FORBIDDEN,
        )
    if locked.status in FINAL_STATUSES:
        raise ApplicationError(
            _("The ticket is %(status)s: its works can no longer change.")
            % {"status": str(Status(locked.status).label).lower()},
            code=ErrorCode.STAGE,
        )
    if works_locked(locked):
        raise ApplicationError(
            _("The act made from these works is signed: they can no longer change."),
            code=ErrorCode.WORKS_LOCKED,
        )
    return locked


def _in_line(prefix: str, index: int, error: ApplicationError) -> ApplicationError:
    """A line's error, its field named as the form's row names it (`engineers-0-hourly_rate`)."""
    return ApplicationError(
        error.message, code=error.code, field=f"{prefix}-{index}-{error.field or ''}".rstrip("-")
    )


@dataclass(frozen=True)
class _Clean:
    work_type: WorkType
    engineers: list[WorkEngineer]
    materials: list[WorkMaterial]
    comment: str
    internal_note: str

    @property
    def started_at(self) -> datetime:
        return min(line.started_at for line in self.engineers)

    @property
    def finished_at(self) -> datetime:
        return max(line.finished_at for line in self.engineers)

    @property
    def hours(self) -> int:
        return sum(line.hours for line in self.engineers)


def _clean(
    data: WorkData,
    *,
    kept_work_type: int | None = None,
    kept_engineers: Collection[int] = (),
    kept_materials: Collection[int] = (),
) -> _Clean:
    """Every value checked; unsaved lines. What the work already has may stay though retired
    (a work type or material no longer active, an engineer who has left)."""
    work_type = data.work_type
    if not isinstance(work_type, WorkType) or not (
        work_type.is_active or work_type.pk == kept_work_type
    ):
        raise ApplicationError(
            _("Choose one of the list."), code=ErrorCode.WORK_TYPE, field="work_type"
        )
    if not data.engineers:
        validation.check_engineers([])
    engineers = []
    for index, line in enumerate(data.engineers):
        try:
            kept = getattr(line.engineer, "pk", None) in kept_engineers
            validation.check_engineer(line.engineer, kept=kept)
            rate = line.hourly_rate if line.hourly_rate is not None else line.engineer.hourly_rate
            rate = validation.check_rate(rate)
            validation.check_period(line.started_at, line.finished_at)
        except ApplicationError as error:
            raise _in_line("engineers", index, error) from error
        engineers.append(
            WorkEngineer(
                engineer=line.engineer,
                hourly_rate=rate,
                started_at=line.started_at,
                finished_at=line.finished_at,
            )
        )
    validation.check_engineers([line.engineer for line in data.engineers])
    validation.check_materials_count(len(data.materials))
    materials = []
    for index, item in enumerate(data.materials):
        try:
            materials.append(_material(item, kept_materials))
        except ApplicationError as error:
            raise _in_line("materials", index, error) from error
    return _Clean(
        work_type=work_type,
        engineers=engineers,
        materials=materials,
        comment=validation.check_text(data.comment, field="comment"),
        internal_note=validation.check_text(data.internal_note, field="internal_note"),
    )


def _material(item: MaterialLine, kept: Collection[int]) -> WorkMaterial:
    listed = item.material
    if listed is not None and (
        not isinstance(listed, Material) or not (listed.is_active or listed.pk in kept)
    ):
        raise ApplicationError(
            _("Choose one of the list."), code=ErrorCode.MATERIAL, field="material"
        )
    name = item.name or (listed.name if listed is not None else "")
    unit = item.unit or (listed.unit if listed is not None else "")
    price = item.price if item.price is not None else (listed.price if listed else None)
    return WorkMaterial(
        material=listed,
        name=validation.check_material_name(name),
        quantity=validation.check_quantity(item.quantity),
        unit=validation.check_unit(unit),
        price=validation.check_price(price),
    )


def _current_price(work_type: WorkType) -> Decimal:
    """The price as the database has it now (the form's row may come from the cache)."""
    price: Decimal = WorkType.objects.values_list("price", flat=True).get(pk=work_type.pk)
    return price


# --- Photos ------------------------------------------------------------------------------------


def photos_check(
    files: Sequence[UploadedFile[bytes]], *, already: int = 0
) -> list[tuple[UploadedFile[bytes], CheckedUpload]]:
    """The ticket attachments' checks (tickets/uploads.py), and images only; at most
    ATTACHMENTS_PER_UPLOAD at a time and PHOTOS_MAX on one work."""
    limit = min(settings.ATTACHMENTS_PER_UPLOAD, validation.PHOTOS_MAX - already)
    if len(files) > max(limit, 0):
        raise ApplicationError(
            _("At most %(max)s photos on one work, %(batch)s at a time.")
            % {"max": validation.PHOTOS_MAX, "batch": settings.ATTACHMENTS_PER_UPLOAD},
            code=ErrorCode.TOO_MANY_FILES,
            field="photos",
        )
    checked = []
    for upload in files:
        try:
            info = check_upload(upload)
        except UploadRejectedError as error:
            raise ApplicationError(str(error), code=ErrorCode.BAD_FILE, field="photos") from error
        if not info.is_image:
            raise ApplicationError(
                _("“%(name)s” is not a photo: JPEG, PNG, GIF, WebP or BMP.") % {"name": info.name},
                code=ErrorCode.BAD_FILE,
                field="photos",
            )
        checked.append((upload, info))
    return checked


def _photos_store(
    by: User, work: CompletedWork, checked: list[tuple[UploadedFile[bytes], CheckedUpload]]
) -> None:
    stored: list[WorkPhoto] = []
    now = timezone.now()
    try:
        for upload, info in checked:
            photo = WorkPhoto(
                work=work,
                name=info.name,
                size=info.size,
                content_type=info.content_type,
                uploaded_by=by,
                created_at=now,
            )
            upload.seek(0)
            photo.file.save(info.name, upload, save=False)
            stored.append(photo)
            photo.save()
    except BaseException:
        # The rows roll back with the transaction; the files in storage would not.
        for photo in stored:
            photo.file.delete(save=False)
        raise


def _files_delete_after_commit(photos: Sequence[WorkPhoto]) -> None:
    """The photos' files go once the rows' deletion is committed (not before: a rollback
    would keep rows whose files are gone)."""
    names = [photo.file.name for photo in photos if photo.file.name]
    if not names:
        return
    storage = photos[0].file.storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


# --- Services ----------------------------------------------------------------------------------


def _save_lines(work: CompletedWork, clean: _Clean) -> None:
    for engineer in clean.engineers:
        engineer.work = work
    for material in clean.materials:
        material.work = work
    WorkEngineer.objects.bulk_create(clean.engineers)
    WorkMaterial.objects.bulk_create(clean.materials)


@transaction.atomic
def work_add(
    *,
    by: User,
    ticket: Ticket,
    data: WorkData,
    photos: Sequence[UploadedFile[bytes]] = (),
) -> CompletedWork:
    """Record a completed work on the ticket (at its site and equipment)."""
    locked = _ticket_for_change(by, ticket)
    clean = _clean(data)
    checked = photos_check(photos)
    work = CompletedWork(
        ticket=locked,
        work_type=clean.work_type,
        work_type_price=_current_price(clean.work_type),
        site_id=locked.site_id,
        equipment_id=locked.equipment_id,
        started_at=clean.started_at,
        finished_at=clean.finished_at,
        comment=clean.comment,
        internal_note=clean.internal_note,
        created_by=by,
    )
    work.save()
    _save_lines(work, clean)
    events.work_added(locked, by, work_summary(clean.work_type.code, clean.hours))
    _photos_store(by, work, checked)  # last: nothing after it may fail and leave the files
    return work


def _summary(work: CompletedWork) -> str:
    hours = sum(line.hours for line in work.engineers.all())
    return work_summary(work.work_type.code, hours)


def _work_for_change(
    work: CompletedWork, ticket: Ticket, expected_version: int | None
) -> CompletedWork:
    current = CompletedWork.objects.select_for_update().filter(pk=work.pk, ticket=ticket).first()
    if current is None:
        raise ApplicationError(
            _("This work has been deleted meanwhile. Reload the page."), code=ErrorCode.CONFLICT
        )
    if expected_version is not None and current.version != expected_version:
        raise ApplicationError(
            _("Someone changed this work meanwhile. Reload the page to see the change."),
            code=ErrorCode.CONFLICT,
        )
    return current


@transaction.atomic
def work_update(
    *,
    by: User,
    work: CompletedWork,
    data: WorkData,
    photos_add: Sequence[UploadedFile[bytes]] = (),
    photos_remove: Collection[int] = (),
    expected_version: int | None = None,
) -> CompletedWork:
    """Change a work: its lines are replaced by the ones given. The work type's price is
    copied again only when the type changes; the place follows the ticket's."""
    locked = _ticket_for_change(by, work.ticket)
    current = _work_for_change(work, locked, expected_version)
    before = _summary(current)
    clean = _clean(
        data,
        kept_work_type=current.work_type_id,
        kept_engineers=set(current.engineers.values_list("engineer_id", flat=True)),
        kept_materials=set(
            current.materials.exclude(material=None).values_list("material_id", flat=True)
        ),
    )
    removed = list(current.photos.filter(pk__in=list(photos_remove)))
    checked = photos_check(photos_add, already=current.photos.count() - len(removed))
    if clean.work_type.pk != current.work_type_id:
        current.work_type_price = _current_price(clean.work_type)
    current.work_type = clean.work_type
    current.site_id, current.equipment_id = locked.site_id, locked.equipment_id
    current.started_at, current.finished_at = clean.started_at, clean.finished_at
    current.comment, current.internal_note = clean.comment, clean.internal_note
    current.updated_by = by
    current.version += 1
    current.save()
    current.engineers.all().delete()
    current.materials.all().delete()
    _save_lines(current, clean)
    if removed:
        _files_delete_after_commit(removed)
        WorkPhoto.objects.filter(pk__in=[photo.pk for photo in removed]).delete()
    events.work_changed(locked, by, before, work_summary(clean.work_type.code, clean.hours))
    _photos_store(by, current, checked)  # last: nothing after it may fail and leave the files
    return current


@transaction.atomic
def work_delete(*, by: User, work: CompletedWork, expected_version: int | None = None) -> None:
    """Delete a work with its lines and photos."""
    locked = _ticket_for_change(by, work.ticket)
    current = _work_for_change(work, locked, expected_version)
    summary = _summary(current)
    _files_delete_after_commit(list(current.photos.all()))
    current.delete()
    events.work_deleted(locked, by, summary)
