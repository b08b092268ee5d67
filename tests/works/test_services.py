"""works/services.py: recording, changing and deleting works. Every refusal says why (a code
and the field at fault) and leaves nothing behind — no work, no line, no event, no file."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets.models import Status, TicketEvent
from servicedesk.web.tickets import timeline_rows
from servicedesk.works import services
from servicedesk.works.models import CompletedWork, WorkEngineer, WorkMaterial, WorkPhoto
from servicedesk.works.services import (
    EngineerLine,
    MaterialLine,
    work_add,
    work_delete,
    work_update,
)
from tests.conftest import PNG
from tests.factories import UserFactory
from tests.works.conftest import Works, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

Kind = TicketEvent.Kind


def nothing_recorded(works: Works) -> bool:
    return (
        not CompletedWork.objects.exists()
        and not WorkEngineer.objects.exists()
        and not WorkMaterial.objects.exists()
        and not WorkPhoto.objects.exists()
        and not TicketEvent.objects.filter(ticket=works.ticket).exists()
    )


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- Recording -----------------------------------------------------------------------------------


def test_a_work_is_recorded_with_its_prices_copied_and_an_event_for_staff(works: Works) -> None:
    # When the engineer records a repair, 10:00–11:35, with 3 seals of the list
    work = works.add()

    # Then the work is at the ticket's place, with the type's price and the card's rate copied
    work.refresh_from_db()
    assert (work.site, work.equipment) == (works.ticket.site, works.ticket.equipment)
    assert work.work_type_price == Decimal("1500.00")
    assert (work.started_at, work.finished_at) == (at(10), at(11, 35))
    assert work.created_by == works.engineer
    [engineer] = work.engineers.all()
    assert (engineer.engineer, engineer.hourly_rate, engineer.hours) == (
        works.engineer,
        Decimal("500.00"),
        2,
    )
    [seal] = work.materials.all()
    assert (seal.material, seal.name, seal.unit, seal.quantity, seal.price) == (
        works.seal,
        "Уплотнение",  # the kept name is the list's in the language of the person recording
        "pcs",
        Decimal("3.000"),
        Decimal("120.50"),
    )
    # And one event, for staff only, keeping the type's code and the billed hours
    [event] = TicketEvent.objects.filter(ticket=works.ticket)
    assert (event.kind, event.actor, event.is_public) == (Kind.WORK_ADDED, works.engineer, False)
    assert event.new_value == '{"hours": 2, "work_type": "repair"}'


def test_later_price_and_rate_changes_do_not_rewrite_a_recorded_work(works: Works) -> None:
    work = works.add()
    works.repair.price = Decimal("9999.00")
    works.repair.save()
    works.seal.price = Decimal("1.00")
    works.seal.save()
    works.engineer.hourly_rate = Decimal("1.00")
    works.engineer.save()
    work.refresh_from_db()
    assert work.work_type_price == Decimal("1500.00")
    assert work.engineers.get().hourly_rate == Decimal("500.00")
    assert work.materials.get().price == Decimal("120.50")


def test_a_rate_given_on_the_work_and_a_typed_material_are_kept_as_given(works: Works) -> None:
    work = works.add(
        engineers=[EngineerLine(works.engineer, at(9), at(9, 30), hourly_rate=Decimal("750"))],
        materials=[
            MaterialLine(
                name="  Hose   clamp ", quantity=Decimal("2.5"), unit="m", price=Decimal(7)
            )
        ],
    )
    assert work.engineers.get().hourly_rate == Decimal("750.00")
    clamp = work.materials.get()
    assert (clamp.material, clamp.name, clamp.unit, clamp.price) == (
        None,
        "Hose clamp",
        "m",
        Decimal("7.00"),
    )


def test_two_engineers_each_with_their_own_time(works: Works) -> None:
    dispatcher = works.dispatcher
    work = works.add(
        engineers=[
            EngineerLine(works.engineer, at(10), at(11, 35)),
            EngineerLine(dispatcher, at(9, 50), at(10, 20)),
        ]
    )
    assert (work.started_at, work.finished_at) == (at(9, 50), at(11, 35))
    assert [(e.engineer, e.hours) for e in work.engineers.all()] == [
        (dispatcher, 1),
        (works.engineer, 2),
    ]
    event = TicketEvent.objects.get(ticket=works.ticket)
    assert event.new_value == '{"hours": 3, "work_type": "repair"}'


# --- Refusals ------------------------------------------------------------------------------------

LONG = "x" * 2001


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"engineers": []}, ErrorCode.NO_ENGINEERS, "engineers"),
        (
            {"engineers": [EngineerLine(None, at(10), at(11))]},  # type: ignore[arg-type]
            ErrorCode.ENGINEER,
            "engineers-0-engineer",
        ),
        ({"lines": [(at(11), at(10))]}, ErrorCode.PERIOD, "engineers-0-finished_at"),
        (
            {"lines": [(at(10), at(10, 1, day=3))]},  # 24 h 1 min
            ErrorCode.TOO_MANY_HOURS,
            "engineers-0-finished_at",
        ),
        (
            {"lines": [(dt.datetime(2026, 3, 2, 10), at(11))]},  # noqa: DTZ001 (naive)
            ErrorCode.PERIOD,
            "engineers-0-started_at",
        ),
        ({"rate": Decimal("-1")}, ErrorCode.RATE, "engineers-0-hourly_rate"),
        ({"rate": Decimal("100000.01")}, ErrorCode.RATE, "engineers-0-hourly_rate"),
        ({"rate": Decimal("10.001")}, ErrorCode.RATE, "engineers-0-hourly_rate"),
        ({"rate": Decimal("NaN")}, ErrorCode.RATE, "engineers-0-hourly_rate"),
        ({"rate": 1.5}, ErrorCode.RATE, "engineers-0-hourly_rate"),  # a float: never money
        ({"quantity": Decimal(0)}, ErrorCode.QUANTITY, "materials-0-quantity"),
        ({"quantity": Decimal(-2)}, ErrorCode.QUANTITY, "materials-0-quantity"),
        ({"quantity": Decimal("100000.001")}, ErrorCode.QUANTITY, "materials-0-quantity"),
        ({"quantity": Decimal("1.0001")}, ErrorCode.QUANTITY, "materials-0-quantity"),
        ({"quantity": Decimal("Infinity")}, ErrorCode.QUANTITY, "materials-0-quantity"),
        ({"price": Decimal("-0.01")}, ErrorCode.PRICE, "materials-0-price"),
        ({"price": Decimal("10000000.01")}, ErrorCode.PRICE, "materials-0-price"),
        ({"typed": {"name": " ", "unit": "pcs"}}, ErrorCode.MATERIAL, "materials-0-name"),
        ({"typed": {"name": "Bolt", "unit": "furlong"}}, ErrorCode.UNIT, "materials-0-unit"),
        ({"typed": {"name": "Bolt", "unit": "pcs", "price": None}}, ErrorCode.PRICE, None),
        ({"comment": LONG}, ErrorCode.TOO_LONG, "comment"),
        ({"internal_note": LONG}, ErrorCode.TOO_LONG, "internal_note"),
        ({"work_type": None}, ErrorCode.WORK_TYPE, "work_type"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_values_are_refused_with_their_field_and_nothing_is_recorded(
    works: Works, change: dict[str, Any], code: ErrorCode, field: str | None
) -> None:
    overrides: dict[str, Any] = {}
    rate = change.pop("rate", None)
    lines = change.pop("lines", [(at(10), at(11))])
    overrides["engineers"] = [
        EngineerLine(works.engineer, start, end, hourly_rate=rate) for start, end in lines
    ]
    if "quantity" in change or "price" in change:
        overrides["materials"] = [
            MaterialLine(
                material=works.seal,
                quantity=change.pop("quantity", Decimal(1)),
                price=change.pop("price", None),
            )
        ]
    if "typed" in change:
        typed = {"quantity": Decimal(1), "price": Decimal(1)} | change.pop("typed")
        overrides["materials"] = [MaterialLine(**typed)]
    overrides |= change
    with pytest.raises(ApplicationError) as refused:
        works.add(**overrides)
    assert refused.value.code == code
    if field is not None:
        assert refused.value.field == field
    assert nothing_recorded(works)


def test_the_same_engineer_twice_and_an_engineer_without_a_rate_are_refused(
    works: Works,
) -> None:
    twice = [
        EngineerLine(works.engineer, at(10), at(11)),
        EngineerLine(works.engineer, at(12), at(13)),
    ]
    with pytest.raises(ApplicationError) as refused:
        works.add(engineers=twice)
    assert refused.value.code == ErrorCode.DUPLICATE_ENGINEER
    no_rate = UserFactory(engineer=True)
    with pytest.raises(ApplicationError) as refused:
        works.add(engineers=[EngineerLine(no_rate, at(10), at(11))])
    assert (refused.value.code, refused.value.field) == (ErrorCode.RATE, "engineers-0-hourly_rate")
    assert nothing_recorded(works)


@pytest.mark.parametrize("who", ["admin", "cust_a", "inactive_engineer"])
def test_who_cannot_be_an_engineer_of_a_work(works: Works, who: str) -> None:
    person = works.world.users[who]
    person.hourly_rate = Decimal(100)
    with pytest.raises(ApplicationError) as refused:
        works.add(engineers=[EngineerLine(person, at(10), at(11))])
    assert refused.value.code == ErrorCode.ENGINEER
    assert nothing_recorded(works)


def test_retired_work_types_and_materials_are_not_offered_to_new_works(works: Works) -> None:
    works.repair.is_active = False
    works.repair.save()
    with pytest.raises(ApplicationError) as refused:
        works.add()
    assert refused.value.code == ErrorCode.WORK_TYPE
    works.repair.is_active = True
    works.repair.save()
    works.seal.is_active = False
    works.seal.save()
    with pytest.raises(ApplicationError) as refused:
        works.add()
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.MATERIAL,
        "materials-0-material",
    )
    assert nothing_recorded(works)


@pytest.mark.parametrize(
    ("who", "assigned", "allowed"),
    [
        ("admin", False, True),
        ("dispatcher", False, True),
        ("engineer", True, True),
        ("engineer", False, False),
        ("cust_a", False, False),
        ("inactive_engineer", True, False),
    ],
)
def test_who_may_record_works(works: Works, who: str, assigned: bool, allowed: bool) -> None:
    person = works.world.users[who]
    works.ticket.assignee = person if assigned else None
    works.ticket.save()
    if allowed:
        assert work_add(by=person, ticket=works.ticket, data=works.data()).pk
        return
    with pytest.raises(ApplicationError) as refused:
        work_add(by=person, ticket=works.ticket, data=works.data())
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert nothing_recorded(works)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.CANCELLED])
def test_a_closed_or_cancelled_tickets_works_do_not_change(works: Works, status: Status) -> None:
    work = works.add()
    events_before = TicketEvent.objects.count()
    works.ticket.status = status
    works.ticket.save()
    for attempt in (
        lambda: works.add(),
        lambda: work_update(by=works.engineer, work=work, data=works.data(comment="Later")),
        lambda: work_delete(by=works.engineer, work=work),
    ):
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == ErrorCode.STAGE
    assert CompletedWork.objects.get().comment == "Replaced the pump seal."
    assert TicketEvent.objects.count() == events_before


@pytest.mark.parametrize("status", [Status.NEW, Status.WAITING, Status.RESOLVED])
def test_works_are_recorded_at_any_stage_before_closing(works: Works, status: Status) -> None:
    works.ticket.status = status
    works.ticket.save()
    assert works.add().pk


def test_works_locked_is_asked_before_every_change(
    works: Works, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a work, and an act that (one day) freezes the ticket's works
    work = works.add()
    assert services.works_locked(works.ticket) is False
    asked: list[Any] = []

    def locked(ticket: Any) -> bool:
        asked.append(ticket.pk)
        return True

    monkeypatch.setattr(services, "works_locked", locked)
    # Then no change goes through, and each asked about this ticket
    attempts: list[Callable[[], Any]] = [
        lambda: works.add(),
        lambda: work_update(by=works.engineer, work=work, data=works.data(comment="Later")),
        lambda: work_delete(by=works.engineer, work=work),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == ErrorCode.WORKS_LOCKED
    assert asked == [works.ticket.pk] * 3
    assert CompletedWork.objects.count() == 1


# --- Changing and deleting -----------------------------------------------------------------------


def test_a_change_replaces_the_lines_and_records_before_and_after(works: Works) -> None:
    work = works.add()
    changed = work_update(
        by=works.dispatcher,
        work=work,
        data=works.data(
            work_type=works.diagnostics,
            engineers=[EngineerLine(works.engineer, at(10), at(13))],
            materials=[MaterialLine(material=works.cable, quantity=Decimal("2.5"))],
            comment="Checked the wiring.",
        ),
        expected_version=work.version,
    )
    changed.refresh_from_db()
    assert (changed.work_type, changed.work_type_price) == (works.diagnostics, Decimal("800.00"))
    assert (changed.version, changed.updated_by) == (2, works.dispatcher)
    assert [line.hours for line in changed.engineers.all()] == [3]
    assert [(m.name, m.unit) for m in changed.materials.all()] == [("Кабель", "m")]
    assert WorkEngineer.objects.count() == 1 and WorkMaterial.objects.count() == 1
    event = TicketEvent.objects.get(kind=Kind.WORK_CHANGED)
    assert (event.old_value, event.new_value, event.is_public) == (
        '{"hours": 2, "work_type": "repair"}',
        '{"hours": 3, "work_type": "diagnostics"}',
        False,
    )


def test_the_same_type_keeps_the_price_copied_when_the_work_was_recorded(works: Works) -> None:
    work = works.add()
    works.repair.price = Decimal("2000.00")
    works.repair.save()
    work_update(by=works.engineer, work=work, data=works.data(comment="Typo fixed."))
    work.refresh_from_db()
    assert work.work_type_price == Decimal("1500.00")


def test_what_the_work_already_has_may_stay_though_retired(works: Works) -> None:
    work = works.add()
    works.repair.is_active = works.seal.is_active = False
    works.repair.save()
    works.seal.save()
    works.engineer.is_active = False
    works.engineer.save()
    work_update(by=works.dispatcher, work=work, data=works.data(comment="Kept."))
    assert CompletedWork.objects.get().comment == "Kept."


def test_a_change_from_a_stale_form_is_refused(works: Works) -> None:
    work = works.add()
    work_update(by=works.engineer, work=work, data=works.data(comment="First"), expected_version=1)
    with pytest.raises(ApplicationError) as refused:
        work_update(
            by=works.dispatcher, work=work, data=works.data(comment="Second"), expected_version=1
        )
    assert refused.value.code == ErrorCode.CONFLICT
    assert CompletedWork.objects.get().comment == "First"


def test_a_bad_change_changes_nothing(works: Works) -> None:
    work = works.add()
    with pytest.raises(ApplicationError):
        work_update(
            by=works.engineer,
            work=work,
            data=works.data(engineers=[EngineerLine(works.engineer, at(11), at(10))]),
        )
    work.refresh_from_db()
    assert work.version == 1
    assert [line.hours for line in work.engineers.all()] == [2]
    assert TicketEvent.objects.filter(kind=Kind.WORK_CHANGED).count() == 0


def test_deleting_a_work_deletes_its_lines_and_photos_and_says_what_it_was(
    works: Works, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    photo = SimpleUploadedFile("before.png", PNG, content_type="image/png")
    work = work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[photo])
    assert len(stored_files(media)) == 1
    with pytest.raises(ApplicationError) as refused:
        work_delete(by=works.world.users["cust_a"], work=work)
    assert refused.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(ApplicationError) as refused:
        work_delete(by=works.engineer, work=work, expected_version=7)
    assert refused.value.code == ErrorCode.CONFLICT
    with django_capture_on_commit_callbacks(execute=True):
        work_delete(by=works.engineer, work=work, expected_version=1)
    assert not CompletedWork.objects.exists() and not WorkEngineer.objects.exists()
    assert not WorkPhoto.objects.exists()
    assert stored_files(media) == []  # once the deletion is committed
    event = TicketEvent.objects.get(kind=Kind.WORK_DELETED)
    assert (event.new_value, event.is_public) == ('{"hours": 2, "work_type": "repair"}', False)


# --- Photos --------------------------------------------------------------------------------------


def test_photos_go_through_the_attachment_checks_and_must_be_images(
    works: Works, media: Path
) -> None:
    text = SimpleUploadedFile("notes.txt", b"plain text", content_type="text/plain")
    with pytest.raises(ApplicationError) as refused:
        work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[text])
    assert (refused.value.code, refused.value.field) == (ErrorCode.BAD_FILE, "photos")
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not a png", content_type="image/png")
    with pytest.raises(ApplicationError) as refused:
        work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[fake])
    assert refused.value.code == ErrorCode.BAD_FILE
    assert nothing_recorded(works)
    assert stored_files(media) == []


def test_photos_are_added_and_removed_with_a_change(
    works: Works, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    first = SimpleUploadedFile("before.png", PNG, content_type="image/png")
    work = work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[first])
    [before] = work.photos.all()
    second = SimpleUploadedFile("after.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        work_update(
            by=works.engineer,
            work=work,
            data=works.data(),
            photos_add=[second],
            photos_remove=[before.pk],
        )
    assert [p.name for p in WorkPhoto.objects.all()] == ["after.png"]
    assert len(stored_files(media)) == 1


def test_too_many_photos_are_refused(works: Works, settings: Any) -> None:
    settings.ATTACHMENTS_PER_UPLOAD = 2
    photos = [SimpleUploadedFile(f"p{n}.png", PNG, content_type="image/png") for n in range(3)]
    with pytest.raises(ApplicationError) as refused:
        work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=photos)
    assert refused.value.code == ErrorCode.TOO_MANY_FILES
    assert nothing_recorded(works)


# --- The timeline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "added", "changed", "deleted"),
    [
        ("en", "Work added: Repair, 2 h", "Repair, 2 h → Diagnostics, 3 h", "Diagnostics, 3 h"),
        (
            "ru",
            "Работа добавлена: Ремонт, 2 ч",
            "Ремонт, 2 ч → Диагностика, 3 ч",
            "Диагностика, 3 ч",
        ),
    ],
)
def test_the_timeline_tells_staff_of_each_change_in_their_language(
    works: Works, language: str, added: str, changed: str, deleted: str
) -> None:
    work = works.add()
    work = work_update(
        by=works.engineer,
        work=work,
        data=works.data(
            work_type=works.diagnostics, engineers=[EngineerLine(works.engineer, at(10), at(13))]
        ),
    )
    work_delete(by=works.engineer, work=work)
    events = TicketEvent.objects.filter(ticket=works.ticket).order_by("created_at", "id")
    with translation.override(language):
        rows = timeline_rows(works.ticket, events)
        shown = [
            f"{row['event'].get_kind_display()}: {row['old'] + ' → ' if row['old'] else ''}"
            f"{row['new']}"
            for row in rows
        ]
        kinds = [str(label) for label in (Kind.WORK_CHANGED.label, Kind.WORK_DELETED.label)]
    assert shown == [added, f"{kinds[0]}: {changed}", f"{kinds[1]}: {deleted}"]
    # And the customer's timeline shows none of them
    assert timeline_rows(works.ticket) == []
