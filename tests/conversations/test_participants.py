"""Participant rows: who takes part in a conversation, unread counts across people and tickets,
read markers moved for one person only, internal notes never counted for customers, files with
messages (checked like the ticket's attachments), and the cached unread total."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from servicedesk.accounts.models import Membership
from servicedesk.conversations.models import Message, Participant
from servicedesk.conversations.selectors import (
    conversation_state,
    inbox,
    inbox_page,
    unread_total,
)
from servicedesk.conversations.services import (
    conversation_read,
    conversations_read_all,
    message_post,
)
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets import selectors as ticket_selectors
from servicedesk.tickets.access import access_attachment
from servicedesk.tickets.models import TicketAttachment, TicketEvent
from servicedesk.tickets.services import ticket_assign, ticket_follow
from tests.conftest import PNG, World
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def unread(ticket: Any, user: Any) -> int | None:
    row = Participant.objects.filter(ticket=ticket, user=user).first()
    return None if row is None else row.unread


def test_unread_counts_across_people_and_tickets(world: World) -> None:
    customer, colleague = world.users["cust_a"], world.users["cust_ab"]
    engineer, dispatcher = world.users["engineer"], world.users["dispatcher"]
    first = TicketFactory(company=world.companies["A"], contact=customer)
    second = TicketFactory(company=world.companies["A"], contact=customer)
    ticket_assign(by=dispatcher, ticket=first, assignee=engineer)

    # Given a public reply and an internal note on the first ticket, and the customer's own
    # message on the second
    message_post(by=engineer, ticket=first, body="We are coming at 10:00")
    message_post(by=engineer, ticket=first, body="Bring the spare pump", internal=True)
    message_post(by=customer, ticket=second, body="And the printer too")
    ticket_follow(by=colleague, ticket=first)
    message_post(by=engineer, ticket=first, body="On our way")

    # Then the customer counts the public messages only; the dispatcher who assigned counts
    # everything; the author counts nothing; the colleague what came after following
    assert unread(first, customer) == 2
    assert unread(first, dispatcher) == 3
    assert unread(first, engineer) == 0
    assert unread(first, colleague) == 1
    assert unread(second, customer) == 0  # their own
    assert (unread_total(customer), unread_total(dispatcher), unread_total(engineer)) == (2, 3, 0)
    # The customer's latest message is the public one; staff see the note as latest when it is
    row = Participant.objects.get(ticket=first, user=customer)
    assert row.last_message is not None and row.last_message.body == "On our way"


def test_internal_notes_never_reach_a_customer_row(world: World) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    public = message_post(by=engineer, ticket=ticket, body="Public")
    message_post(by=engineer, ticket=ticket, body="Secret", internal=True)
    row = Participant.objects.get(ticket=ticket, user=customer)
    assert (row.unread, row.last_message_id) == (1, public.pk)
    conversation_read(user=customer, ticket=ticket)
    row.refresh_from_db()
    assert (row.unread, row.last_read_id) == (0, public.pk)  # read up to the public one only
    page = inbox_page(customer)
    assert [r.excerpt for r in page.rows] == ["Public"]


def test_reading_moves_one_persons_marker_only(world: World) -> None:
    customer, colleague = world.users["cust_a"], world.users["cust_ab"]
    engineer = world.users["engineer"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    ticket_follow(by=colleague, ticket=ticket)
    message = message_post(by=engineer, ticket=ticket, body="Done?")
    assert (unread(ticket, customer), unread(ticket, colleague)) == (1, 1)

    assert conversation_read(user=customer, ticket=ticket) is True
    assert (unread(ticket, customer), unread(ticket, colleague)) == (0, 1)
    assert conversation_read(user=customer, ticket=ticket) is False  # nothing more to read
    # The engineer's message counts as read by the customers' side now
    assert conversation_state(ticket.number).read_customers == message.pk
    assert conversation_state(ticket.number).read_by_other_side(engineer) == message.pk
    assert conversation_state(ticket.number).read_by_other_side(customer) == message.pk


def test_opening_a_conversation_makes_a_row_read_so_far(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    message = message_post(by=world.users["engineer"], ticket=ticket, body="Hello")
    admin = world.users["admin"]
    assert unread(ticket, admin) is None
    conversation_read(user=admin, ticket=ticket)
    row = Participant.objects.get(ticket=ticket, user=admin)
    assert (row.unread, row.last_read_id, row.last_message_id) == (0, message.pk, message.pk)


def test_a_reader_who_saw_less_than_what_came_keeps_the_rest_unread(world: World) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    seen = message_post(by=engineer, ticket=ticket, body="One")
    message_post(by=engineer, ticket=ticket, body="Two")
    conversation_read(user=customer, ticket=ticket, newest_id=seen.pk)  # the page had one
    assert unread(ticket, customer) == 1


def test_read_all(world: World) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    tickets = [TicketFactory(company=world.companies["A"], contact=customer) for _ in range(3)]
    for ticket in tickets:
        message_post(by=engineer, ticket=ticket, body="News")
    assert unread_total(customer) == 3
    assert conversations_read_all(user=customer) == 3
    assert unread_total(customer) == 0
    assert conversations_read_all(user=customer) == 0
    newest = {p.ticket_id: p.last_read_id for p in Participant.objects.filter(user=customer)}
    assert newest == {t.pk: Message.objects.get(ticket=t).pk for t in tickets}


def test_assignment_brings_the_conversation_to_the_assignee_unread(world: World) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    dispatcher = world.users["dispatcher"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    message_post(by=customer, ticket=ticket, body="Help")
    message_post(by=customer, ticket=ticket, body="Please")
    ticket_assign(by=dispatcher, ticket=ticket, assignee=engineer)
    assert unread(ticket, engineer) == 2
    assert unread(ticket, dispatcher) == 0  # the dispatcher's row counts what comes next


def test_a_new_ticket_gets_its_contact_a_conversation_with_its_first_message(
    world: World,
) -> None:
    from servicedesk.customers.models import Criticality, TicketType
    from servicedesk.tickets.services import TicketData, ticket_create

    customer = world.users["cust_a"]
    ticket = ticket_create(
        by=customer,
        data=TicketData(
            subject="Pump",
            ticket_type=TicketType.objects.create(code="t", name_ru="t"),
            criticality=Criticality.objects.create(code="c", name_ru="c"),
            company=world.companies["A"],
        ),
        origin="portal",
    )
    # Filing writes no conversation row: nothing is in it yet, and the inbox would not list it.
    assert not Participant.objects.filter(ticket=ticket).exists()
    assert inbox(customer).count() == 0

    message_post(by=world.users["engineer"], ticket=ticket, body="On our way")
    assert unread(ticket, customer) == 1
    assert [row.ticket_id for row in inbox(customer)] == [ticket.pk]
    assert unread_total(customer) == 1


def test_a_customer_who_lost_the_company_no_longer_sees_its_conversations(world: World) -> None:
    customer = world.users["cust_ab"]
    ticket = TicketFactory(company=world.companies["B"], contact=world.users["cust_b"])
    ticket_follow(by=customer, ticket=ticket)
    message_post(by=world.users["engineer"], ticket=ticket, body="Beta news")
    assert unread_total(customer) == 1
    assert inbox(customer).count() == 1

    Membership.objects.filter(user=customer, company=world.companies["B"]).delete()
    customer = type(customer).objects.get(pk=customer.pk)  # scopes are read per user object
    assert inbox(customer).count() == 0
    assert inbox_page(customer).rows == []
    from django.core.cache import cache

    cache.clear()  # the total holds at most live.VALUE_SECONDS; here: at once
    assert unread_total(customer) == 0


def test_unread_total_is_cached_until_something_changes(
    world: World, django_assert_num_queries: Any
) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    message_post(by=engineer, ticket=ticket, body="One")
    assert unread_total(customer) == 1
    customer = type(customer).objects.get(pk=customer.pk)
    # the memberships, read afresh (the count is kept for them); not the count itself
    with django_assert_num_queries(1):
        assert unread_total(customer) == 1
    message_post(by=engineer, ticket=ticket, body="Two")
    assert unread_total(customer) == 2
    conversation_read(user=customer, ticket=ticket)
    assert unread_total(customer) == 0


# --- Files with messages --------------------------------------------------------------------


def test_files_come_with_the_message_and_an_internal_notes_stay_with_staff(
    world: World,
) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    public = message_post(
        by=engineer,
        ticket=ticket,
        body="The report",
        files=[SimpleUploadedFile("report.pdf", PDF), SimpleUploadedFile("photo.png", PNG)],
    )
    note = message_post(
        by=engineer,
        ticket=ticket,
        body="",  # files only
        internal=True,
        files=[SimpleUploadedFile("invoice.pdf", PDF)],
    )
    assert sorted(public.attachments.values_list("name", flat=True)) == ["photo.png", "report.pdf"]
    secret = note.attachments.get()
    # The customer's lists and the download skip the note's file; staff get it.
    assert [a.name for a in ticket_selectors.ticket_attachment_list(ticket, customer)] == [
        "report.pdf",
        "photo.png",
    ]
    assert len(ticket_selectors.ticket_attachment_list(ticket, engineer)) == 3
    with pytest.raises(Http404):
        access_attachment(customer, ticket.number, secret.pk)
    assert access_attachment(engineer, ticket.number, secret.pk) == secret
    # And the timeline's "file added" for it is internal.
    assert TicketEvent.objects.get(new_value="invoice.pdf").is_public is False
    assert TicketEvent.objects.get(new_value="report.pdf").is_public is True


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("virus.exe", b"MZ\x90\x00", "bad_file", ".exe are not accepted"),
        ("report.pdf", PNG, "bad_file", "the content is not a .pdf file"),  # lies about its type
        ("big.png", PNG + b"\x00" * 2048, "bad_file", "is larger than"),
    ],
)
def test_refused_files_refuse_the_message_and_store_nothing(
    world: World,
    settings: Any,
    media: Path,
    english: None,
    name: str,
    content: bytes,
    code: str,
    words: str,
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    ticket = TicketFactory(company=world.companies["A"], contact=customer)
    with pytest.raises(ApplicationError) as error:
        message_post(
            by=customer,
            ticket=ticket,
            body="See attached",
            files=[
                SimpleUploadedFile("fine.png", PNG),
                SimpleUploadedFile(name, content),
            ],
        )
    assert error.value.code == code
    assert words in str(error.value.message)
    assert not Message.objects.exists()
    assert not TicketAttachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
    assert not Participant.objects.filter(unread__gt=0).exists()
    assert engineer.pk not in Participant.objects.values_list("user", flat=True)


def test_too_many_files_are_refused(world: World, settings: Any) -> None:
    settings.ATTACHMENTS_PER_UPLOAD = 2
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    with pytest.raises(ApplicationError) as error:
        message_post(
            by=world.users["cust_a"],
            ticket=ticket,
            body="x",
            files=[SimpleUploadedFile(f"{n}.png", PNG) for n in range(3)],
        )
    assert error.value.code == "too_many_files"
    assert not Message.objects.exists()


def test_hostile_text_is_cleaned_or_refused(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    message = message_post(
        by=world.users["cust_a"], ticket=ticket, body="he\u200bllo\u202e <script>x</script>\x07"
    )
    assert message.body == "hello <script>x</script>"  # stored as typed, shown as text
    with pytest.raises(ApplicationError) as error:
        message_post(by=world.users["cust_a"], ticket=ticket, body="a" * 10_001)
    assert error.value.code == "too_long"
    with pytest.raises(ApplicationError) as error:
        message_post(by=world.users["cust_a"], ticket=ticket, body="\u200b\u2060 \x00")
    assert error.value.code == "empty"
