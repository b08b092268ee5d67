"""Posting messages: cleaning, limits, who may write internal notes, and the customer's reply
that brings a resolved ticket back to work."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.conversations.models import BODY_MAX_LENGTH, Message
from servicedesk.conversations.services import clean_body, message_post
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Status, TicketEvent
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_clean_body_drops_control_and_zero_width_characters() -> None:
    assert clean_body("  a\u200bb\x00c\r\nd\u202e  ") == "abc\nd"


def test_empty_huge_and_customer_internal_messages_are_refused(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"])
    customer = world.users["cust_a"]
    for body in ("", "   ", "\u200b\u200b"):
        with pytest.raises(ApplicationError) as error:
            message_post(by=customer, ticket=ticket, body=body)
        assert error.value.code == "empty"
    with pytest.raises(ApplicationError) as error:
        message_post(by=customer, ticket=ticket, body="x" * (BODY_MAX_LENGTH + 1))
    assert error.value.code == "too_long"
    with pytest.raises(ApplicationError) as error:
        message_post(by=customer, ticket=ticket, body="psst", internal=True)
    assert error.value.code == "internal"
    assert not Message.objects.exists()


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.WAITING])
def test_a_customer_reply_brings_the_ticket_back_to_work(world: World, status: str) -> None:
    ticket = TicketFactory(
        company=world.companies["A"], status=status, assignee=world.users["engineer"]
    )
    message_post(by=world.users["cust_a"], ticket=ticket, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.STATUS_CHANGED, new_value=Status.IN_PROGRESS
    ).exists()


def test_customer_replies_and_accepts_in_the_portal(world: World, client: Client) -> None:
    ticket = TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        status=Status.RESOLVED,
        assignee=world.users["engineer"],
        resolution="Replaced the seal.",
        resolved_at=timezone.now(),
    )
    login(client, world.users["cust_a"])
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "Replaced the seal." in page and 'data-testid="accept"' in page
    client.post(reverse("portal:ticket_accept", args=[ticket.number]))
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_another_companys_customer_cannot_post_or_accept(world: World, client: Client) -> None:
    ticket = TicketFactory(
        company=world.companies["A"], status=Status.RESOLVED, assignee=world.users["engineer"]
    )
    login(client, world.users["cust_b"])
    for name in ("portal:ticket_message", "portal:ticket_accept"):
        assert client.post(reverse(name, args=[ticket.number]), {"body": "hi"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert not Message.objects.exists()
