"""ticket_create and friends (tickets/services/): every refusal leaves nothing behind, the
happy path stores exactly what was asked, following and viewing are idempotent."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets import events
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
from servicedesk.tickets.services import (
    TicketData,
    ticket_create,
    ticket_follow,
    ticket_unfollow,
    ticket_viewed,
)
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TICKET_NUMBER_MASK = "########"
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def data(w: World, **overrides: Any) -> TicketData:
    values: dict[str, Any] = {
        "subject": "Boiler is leaking",
        "ticket_type": TicketType.objects.order_by("sort_order").first(),
        "criticality": Criticality.objects.order_by("sort_order").first(),
        "company": w.companies["A"],
        "description": "Water on the floor.",
    }
    return TicketData(**(values | overrides))


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG)


def retired(place: Any) -> Any:
    """A site or piece of equipment taken out of service (the form no longer offers it)."""
    place.is_active = False
    place.save()
    return place


# Each refusal: (who files, for whom, what) → the field and code of the error.
Case = Callable[[World], dict[str, Any]]
REFUSALS: dict[str, tuple[Case, str | None, str]] = {
    "foreign company": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, company=w.companies["B"])},
        "company",
        "company",
    ),
    "foreign site": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, site=w.sites["b_wh"])},
        "site",
        "site",
    ),
    "foreign equipment": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, equipment=w.equipment["eq_b"])},
        "equipment",
        "equipment",
    ),
    "equipment outside the member's list": (
        lambda w: {"by": w.users["cust_eq"], "data": data(w, equipment=w.equipment["eq_a_hq"])},
        "equipment",
        "equipment",
    ),
    "site outside the member's list": (
        lambda w: {"by": w.users["cust_site"], "data": data(w, site=w.sites["a_shop"])},
        "site",
        "site",
    ),
    "equipment taken out of service": (
        lambda w: {
            "by": w.users["cust_a"],
            "data": data(w, equipment=retired(w.equipment["eq_a_hq"])),
        },
        "equipment",
        "equipment",
    ),
    "site taken out of service": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, site=retired(w.sites["a_shop"]))},
        "site",
        "site",
    ),
    "equipment not on the chosen site": (
        lambda w: {
            "by": w.users["cust_a"],
            "data": data(w, site=w.sites["a_shop"], equipment=w.equipment["eq_a_hq"]),
        },
        "equipment",
        "equipment_site",
    ),
    "foreign contract": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, contract=w.contracts["c_b"])},
        "contract",
        "contract",
    ),
    "contract not covering the equipment": (
        lambda w: {
            "by": w.users["cust_a"],
            "data": data(w, equipment=w.equipment["eq_a_hq"], contract=w.contracts["c_a_shop"]),
        },
        "contract",
        "contract_coverage",
    ),
    "contract not covering the site": (
        lambda w: {
            "by": w.users["cust_a"],
            "data": data(w, site=w.sites["a_shop"], contract=w.contracts["c_a_hq"]),
        },
        "contract",
        "contract_coverage",
    ),
    "staff filing for a contact of another company": (
        lambda w: {"by": w.users["dispatcher"], "contact": w.users["cust_b"], "data": data(w)},
        "company",
        "company",
    ),
    "staff filing without a contact": (
        lambda w: {"by": w.users["dispatcher"], "data": data(w)},
        "contact",
        "contact",
    ),
    "staff filing for a colleague": (
        lambda w: {"by": w.users["dispatcher"], "contact": w.users["engineer"], "data": data(w)},
        "contact",
        "contact",
    ),
    "customer filing for someone else": (
        lambda w: {"by": w.users["cust_a"], "contact": w.users["cust_ab"], "data": data(w)},
        None,
        "contact",
    ),
    "empty subject": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, subject="  \n ")},
        "subject",
        "subject",
    ),
    "description over 8192": (
        lambda w: {"by": w.users["cust_a"], "data": data(w, description="я" * 8193)},
        "description",
        "description",
    ),
    "a bad file among good ones": (
        lambda w: {
            "by": w.users["cust_a"],
            "data": data(w),
            "files": [png(), SimpleUploadedFile("fake.pdf", PNG)],
        },
        "attachments",
        "bad_file",
    ),
    "too many files": (
        lambda w: {"by": w.users["cust_a"], "data": data(w), "files": [png() for _ in range(11)]},
        "attachments",
        "too_many_files",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_refusals_save_nothing(world: World, media: Path, case: str) -> None:
    build, field, code = REFUSALS[case]
    kwargs = {"origin": Origin.PORTAL} | build(world)
    # When the ticket is filed, then it is refused on the right field
    with pytest.raises(ApplicationError) as error:
        ticket_create(**kwargs)
    assert (error.value.field, error.value.code) == (field, code)
    # And nothing was stored: no ticket, no number used, no event, no file
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    assert TicketSequence.objects.filter(last_value__gt=0).count() == 0
    assert stored_files(media) == []


def test_a_failure_after_storing_files_leaves_no_ticket_and_no_file(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a step after the first attachment is written that fails (its timeline event)
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(events, "attachment_added", broken)
    # When a ticket with a file is filed
    with pytest.raises(RuntimeError):
        ticket_create(by=world.users["cust_a"], data=data(world), origin="portal", files=[png()])
    # Then the ticket's transaction is rolled back and the file is gone; the number was taken
    # in the same transaction, so it rolled back too and is given to the next ticket
    assert Ticket.objects.count() == 0
    assert stored_files(media) == []
    assert not TicketSequence.objects.filter(last_value__gt=0).exists()
    monkeypatch.undo()
    ticket = ticket_create(by=world.users["cust_a"], data=data(world), origin="portal")
    assert ticket.number == "00000001"


@pytest.mark.parametrize(
    "change",
    ["membership removed", "site unlisted", "company deactivated", "site moved to another company"],
)
def test_a_choice_accepted_before_a_change_is_refused_after_it(
    world: World, media: Path, change: str
) -> None:
    # Given a site-scoped customer who has filed a ticket on their site (their memberships and
    # the places they may choose are now in the cache: accounts/scopes.py, ticket_places)
    user, hq = world.users["cust_site"], world.sites["a_hq"]
    ticket_create(by=user, data=data(world, site=hq), origin=Origin.PORTAL)
    # When what allowed it changes
    membership = user.memberships.get()
    if change == "membership removed":
        membership.delete()
    elif change == "site unlisted":
        membership.sites.remove(hq)
    elif change == "company deactivated":
        world.companies["A"].is_active = False
        world.companies["A"].save()
    else:
        hq.company = world.companies["B"]
        hq.save()
    # Then the same choice, by the same person (a new request: a fresh user object), is refused
    fresh = type(user).objects.get(pk=user.pk)
    with pytest.raises(ApplicationError) as error:
        ticket_create(by=fresh, data=data(world, site=hq), origin=Origin.PORTAL)
    assert error.value.code in {"company", "site"}
    assert Ticket.objects.count() == 1


def test_unknown_origin_is_refused(world: World, media: Path) -> None:
    with pytest.raises(ApplicationError) as error:
        ticket_create(by=world.users["cust_a"], data=data(world), origin="carrier-pigeon")
    assert error.value.code == "origin"
    assert Ticket.objects.count() == 0


@time_machine.travel("2026-10-14 11:34:00+00:00", tick=False)
def test_customer_files_a_ticket(world: World, media: Path, english: None) -> None:
    # Given a customer of A (a Kazakh company) and equipment standing on the floor
    a = world.companies["A"]
    a.country = "KZ"
    a.save()
    user = world.users["cust_a"]
    printer = world.equipment["eq_a_floor"]
    # When they file a ticket on the printer under the whole-company contract, with a photo
    ticket = ticket_create(
        by=user,
        data=data(
            world,
            subject="  Printer jams  ",
            description="д" * 8192,
            equipment=printer,
            contract=world.contracts["c_a_all"],
        ),
        origin=Origin.PORTAL,
        files=[png("Фото.png")],
    )
    # Then the ticket is stored exactly
    ticket.refresh_from_db()
    assert ticket.number == "00000001"
    assert ticket.subject == "Printer jams"
    assert ticket.description == "д" * 8192
    assert ticket.company == a
    assert ticket.contact == user
    assert ticket.created_by == user
    assert ticket.equipment == printer
    assert ticket.site == world.sites["a_floor"]  # implied by the equipment
    assert ticket.contract == world.contracts["c_a_all"]
    assert ticket.country == "KZ"  # the company's
    assert ticket.status == Status.NEW
    assert ticket.origin == "portal"
    assert ticket.assignee is None
    assert ticket.created_at.isoformat() == "2026-10-14T11:34:00+00:00"
    # With its timeline, its file and its contact following it
    events = list(ticket.events.values_list("kind", "actor_id", "new_value", "is_public"))
    assert events == [
        ("created", user.pk, "", True),
        ("attachment_added", user.pk, "Фото.png", True),
    ]
    attachment = ticket.attachments.get()
    assert (attachment.name, attachment.size, attachment.content_type, attachment.is_image) == (
        "Фото.png",
        len(PNG),
        "image/png",
        True,
    )
    assert attachment.file.name.startswith("tickets/2026/10/")
    assert "Фото" not in attachment.file.name
    assert attachment.file.read() == PNG
    assert len(stored_files(media)) == 1
    assert list(TicketFollower.objects.values_list("ticket_id", "user_id")) == [
        (ticket.pk, user.pk)
    ]
    assert TicketSequence.objects.get(key="########").last_value == 1


def test_country_given_wins_over_the_company_default(world: World, media: Path) -> None:
    ticket = ticket_create(
        by=world.users["cust_a"], data=data(world, country="BY"), origin=Origin.PORTAL
    )
    assert ticket.country == "BY"


def test_site_scoped_customer_files_on_equipment_beneath_their_site(
    world: World, media: Path
) -> None:
    room_server = world.equipment["eq_a_room"]
    ticket = ticket_create(
        by=world.users["cust_site"],
        data=data(world, site=world.sites["a_hq"], equipment=room_server),
        origin=Origin.PORTAL,
    )
    assert (ticket.site, ticket.equipment) == (world.sites["a_hq"], room_server)


def test_staff_file_on_behalf_of_a_customer(world: World, media: Path) -> None:
    # Given a dispatcher taking a phone call from a customer of B
    dispatcher, caller = world.users["dispatcher"], world.users["cust_b"]
    # When they file the ticket for the caller
    ticket = ticket_create(
        by=dispatcher,
        contact=caller,
        data=data(world, company=world.companies["B"], equipment=world.equipment["eq_b"]),
        origin=Origin.PHONE,
    )
    # Then the caller is the contact and follows it; the dispatcher is the author
    assert (ticket.contact, ticket.created_by, ticket.origin) == (caller, dispatcher, "phone")
    assert ticket.site == world.sites["b_wh"]
    assert list(ticket.followers.values_list("user_id", flat=True)) == [caller.pk]
    assert list(ticket.events.values_list("kind", "actor_id")) == [("created", dispatcher.pk)]


def test_inactive_contact_is_refused(world: World, media: Path) -> None:
    with pytest.raises(ApplicationError) as error:
        ticket_create(
            by=world.users["dispatcher"],
            contact=world.users["cust_inactive"],
            data=data(world),
            origin=Origin.PHONE,
        )
    assert error.value.field == "contact"
    assert Ticket.objects.count() == 0


def test_numbers_follow_each_other(world: World, media: Path) -> None:
    numbers = [
        ticket_create(by=world.users["cust_a"], data=data(world), origin="portal").number
        for _ in range(3)
    ]
    assert numbers == ["00000001", "00000002", "00000003"]


def test_follow_and_unfollow_are_idempotent(world: World, media: Path) -> None:
    ticket = ticket_create(by=world.users["cust_a"], data=data(world), origin="portal")
    other = world.users["cust_ab"]
    # When someone follows twice, then one follower row and one internal event
    ticket_follow(by=other, ticket=ticket)
    ticket_follow(by=other, ticket=ticket)
    assert set(ticket.followers.values_list("user_id", flat=True)) == {
        world.users["cust_a"].pk,
        other.pk,
    }
    # When they unfollow twice, then the row is gone and one event records it
    ticket_unfollow(by=other, ticket=ticket)
    ticket_unfollow(by=other, ticket=ticket)
    assert list(ticket.followers.values_list("user_id", flat=True)) == [world.users["cust_a"].pk]
    assert list(
        ticket.events.exclude(kind="created").values_list("kind", "actor_id", "is_public")
    ) == [("followed", other.pk, False), ("unfollowed", other.pk, False)]


def test_viewed_keeps_one_row_per_person_with_the_last_time(world: World, media: Path) -> None:
    ticket = ticket_create(by=world.users["cust_a"], data=data(world), origin="portal")
    viewer = UserFactory()
    MembershipFactory(user=viewer, company=world.companies["A"])
    with time_machine.travel("2026-10-14 09:00:00+00:00", tick=False):
        ticket_viewed(by=viewer, ticket=ticket)
    with time_machine.travel("2026-10-15 10:30:00+00:00", tick=False):
        ticket_viewed(by=viewer, ticket=ticket)
    rows = list(TicketView.objects.filter(user=viewer).values_list("ticket_id", "viewed_at"))
    assert len(rows) == 1
    assert rows[0][0] == ticket.pk
    assert rows[0][1].isoformat() == "2026-10-15T10:30:00+00:00"


@pytest.mark.parametrize("user_key", ["cust_site", "cust_eq"])
def test_a_person_limited_to_listed_places_must_choose_one(world: World, user_key: str) -> None:
    # Given a customer who sees only listed sites or equipment of company A
    user = world.users[user_key]
    # When they file a ticket about the whole company (no site, no equipment)
    with pytest.raises(ApplicationError) as refused:
        ticket_create(by=user, data=data(world), origin=Origin.PORTAL)
    # Then it is refused on the place, and nothing is written
    assert refused.value.field == "site"
    assert not Ticket.objects.exists()
    # while one of their places is accepted
    place = (
        {"site": world.sites["a_hq"]}
        if user_key == "cust_site"
        else {"equipment": world.equipment["eq_a_shop"]}
    )
    assert ticket_create(by=user, data=data(world, **place), origin=Origin.PORTAL).pk


def test_staff_filing_for_a_limited_person_must_choose_one_of_their_places(world: World) -> None:
    with pytest.raises(ApplicationError):
        ticket_create(
            by=world.users["dispatcher"],
            contact=world.users["cust_site"],
            data=data(world),
            origin=Origin.PHONE,
        )
    assert not Ticket.objects.exists()
