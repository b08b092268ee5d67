"""The staff ticket page's card for a ticket filed without an account: who filed it and how to
reach them, from which form or passport, the status link's state; revoking the link and mailing
a new one (staff who may work on the ticket only), each recorded on the timeline; a fixed number
of queries; customers never see it, and nobody else changes anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from servicedesk.conversations.models import Message
from servicedesk.customers.models import Criticality, TicketType
from servicedesk.intake.links import LinkState, guest_link_url
from servicedesk.intake.models import GuestFiling, GuestLink, WebForm
from servicedesk.intake.selectors import guest_card
from servicedesk.intake.services import guest_ticket_create
from servicedesk.mail.models import OutboundMessage
from servicedesk.tickets.models import Origin, Ticket, TicketEvent
from servicedesk.tickets.services import TicketData, ticket_assign
from tests.conftest import World, login
from tests.factories import CompanyFactory, TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
EN = {"accept-language": "en"}


@pytest.fixture
def filing(world: World) -> GuestFiling:
    inbox = CompanyFactory(name="Заявки с сайта", code="web-inbox")
    ticket_type = TicketType.objects.filter(is_active=True).first() or TicketType.objects.create(
        code="web-request", name_ru="Запрос", name_en="Request"
    )
    criticality = Criticality.objects.filter(is_active=True).first() or Criticality.objects.create(
        code="web-normal", name_ru="Обычная", name_en="Normal"
    )
    webform = WebForm.objects.create(
        name="Форма на сайте", company=inbox, ticket_type=ticket_type, criticality=criticality
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        return guest_ticket_create(
            company=inbox,
            data=TicketData(
                subject="Не греет котёл",
                description="Котёл не держит температуру.",
                ticket_type=ticket_type,
                criticality=criticality,
                company=inbox,
            ),
            name="Пётр Гостев",
            email="petr@example.test",
            phone="+7 912 345-67-89",
            origin=Origin.WEB_FORM,
            webform=webform,
            company_name="ООО Котельная",
            equipment_model="Vitodens 200",
            confirm_by=(),
        )


def _url(name: str, ticket: Ticket) -> str:
    return reverse(f"backoffice:{name}", args=[ticket.number])


def _status_path(link: GuestLink) -> str:
    url = guest_link_url(link)
    return url[url.index("/t/") :]


def _card(client: Client, ticket: Ticket) -> str:
    response = client.get(_url("ticket_detail", ticket), headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    if 'data-testid="guest-card"' not in html:
        return ""
    card = html[html.index('data-testid="guest-card"') :]
    return card[: card.index("</section>")]


def _live(filing: GuestFiling) -> GuestLink:
    return GuestLink.objects.get(ticket=filing.ticket, revoked_at__isnull=True)


def test_staff_see_who_filed_from_where_and_the_links_state(
    world: World, client: Client, filing: GuestFiling
) -> None:
    link = _live(filing)
    Client().get(_status_path(link))  # the guest opened it
    link.refresh_from_db()
    assert link.last_used_at is not None

    login(client, world.users["dispatcher"])
    card = _card(client, filing.ticket)

    assert "Filed without an account" in card
    assert "Пётр Гостев" in card and "ООО Котельная" in card
    assert 'href="mailto:petr@example.test"' in card
    assert 'href="tel:+79123456789" data-testid="guest-phone">+7 912 345-67-89<' in card
    assert "web form “Форма на сайте”" in card
    assert "Vitodens 200" in card
    assert card.count('data-testid="guest-link"') == 1
    assert 'data-state="active"' in card
    assert "last opened" in card and "never opened" not in card
    assert 'data-testid="guest-link-revoke-confirm"' in card
    assert 'data-testid="guest-link-send-confirm"' in card
    assert 'name="csrfmiddlewaretoken"' in card


def test_a_ticket_not_filed_by_a_guest_has_no_card_and_asks_nothing(
    world: World, client: Client, django_assert_num_queries: Any
) -> None:
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    with django_assert_num_queries(0):
        assert guest_card(ticket) is None
    login(client, world.users["dispatcher"])
    assert _card(client, ticket) == ""


@pytest.mark.parametrize("revoked", [0, 4])
def test_the_card_reads_a_fixed_number_of_queries(
    filing: GuestFiling, django_assert_num_queries: Any, revoked: int
) -> None:
    for _ in range(revoked):
        GuestLink.objects.filter(ticket=filing.ticket).update(revoked_at=timezone.now())
        GuestLink.objects.create(ticket=filing.ticket, contact=filing.contact)
    ticket = Ticket.objects.get(pk=filing.ticket.pk)
    # The filing (with its form and contact), the links, the contact's memberships and the
    # scoping layer's answer for the ticket.
    with django_assert_num_queries(4):
        card = guest_card(ticket)
    assert card is not None
    assert len(card.links) == 1 + revoked
    assert [row.state for row in card.links] == [LinkState.ACTIVE] + [LinkState.REVOKED] * revoked


@pytest.mark.parametrize("revoked", [0, 4])
def test_the_page_runs_the_same_queries_whatever_the_number_of_links(
    world: World, client: Client, filing: GuestFiling, revoked: int
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.users["dispatcher"])
    client.get(_url("ticket_detail", filing.ticket), headers=EN)  # warm the caches
    with CaptureQueriesContext(connection) as before:
        client.get(_url("ticket_detail", filing.ticket), headers=EN)
    for _ in range(revoked):
        GuestLink.objects.filter(ticket=filing.ticket).update(revoked_at=timezone.now())
        GuestLink.objects.create(ticket=filing.ticket, contact=filing.contact)
    with CaptureQueriesContext(connection) as after:
        card = _card(client, filing.ticket)
    assert card.count('data-testid="guest-link"') == 1 + revoked
    assert len(after.captured_queries) == len(before.captured_queries)


def test_revoking_kills_the_link_and_says_so_on_the_timeline(
    world: World, client: Client, filing: GuestFiling
) -> None:
    path = _status_path(_live(filing))
    assert Client().get(path).status_code == 200
    dispatcher = world.users["dispatcher"]
    login(client, dispatcher)

    response = client.post(_url("ticket_guest_link_revoke", filing.ticket), headers=EN)

    assert response.status_code == 302
    assert response["Location"].endswith("#guest")
    link = GuestLink.objects.get(ticket=filing.ticket)
    assert link.revoked_at is not None and link.revoked_by == dispatcher
    dead = Client().get(path)
    assert dead.status_code == 404
    assert filing.ticket.number not in dead.content.decode()
    event = TicketEvent.objects.get(ticket=filing.ticket, kind="guest_link_revoked")
    assert (event.actor, event.new_value, event.is_public) == (dispatcher, "Пётр Гостев", False)
    card = _card(client, filing.ticket)
    assert 'data-state="revoked"' in card
    assert 'data-testid="guest-link-revoke-confirm"' not in card  # nothing left to revoke
    assert 'data-testid="guest-link-send-confirm"' in card
    # Once more: nothing to revoke, nothing recorded twice.
    client.post(_url("ticket_guest_link_revoke", filing.ticket))
    assert TicketEvent.objects.filter(kind="guest_link_revoked").count() == 1


def test_a_new_link_is_mailed_to_the_contact_and_the_old_one_dies(
    world: World, client: Client, filing: GuestFiling
) -> None:
    old_path = _status_path(_live(filing))
    mail.outbox.clear()
    login(client, world.users["admin"])

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(_url("ticket_guest_link_send", filing.ticket), headers=EN)

    assert response.status_code == 302
    new = _live(filing)
    assert _status_path(new) != old_path
    assert Client().get(old_path).status_code == 404
    (sent,) = mail.outbox
    assert sent.to == ["petr@example.test"]
    assert filing.ticket.number in sent.subject
    assert _status_path(new) in str(sent.body)
    assert Client().get(_status_path(new)).status_code == 200
    assert OutboundMessage.objects.filter(key=f"guest_link:{new.pk}", kind="guest_link").exists()
    kinds = list(
        TicketEvent.objects.filter(ticket=filing.ticket, kind__startswith="guest_link")
        .order_by("id")
        .values_list("kind", "new_value", "is_public")
    )
    assert kinds == [
        ("guest_link_revoked", "Пётр Гостев", False),
        ("guest_link_sent", "petr@example.test", False),
    ]


def test_a_link_dead_because_the_ticket_moved_says_why_and_is_not_resent(
    world: World, client: Client, filing: GuestFiling
) -> None:
    Ticket.objects.filter(pk=filing.ticket.pk).update(company=world.companies["B"])
    login(client, world.users["dispatcher"])
    card = _card(client, filing.ticket)
    assert 'data-state="out_of_reach"' in card
    assert "the ticket is out of the person" in card
    assert 'data-testid="guest-link-send-confirm"' not in card
    assert 'data-testid="guest-link-revoke-confirm"' in card  # it may come back: cut it

    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            _url("ticket_guest_link_send", filing.ticket), headers=EN, follow=True
        )
    assert "A new link would not work either." in response.content.decode()
    assert GuestLink.objects.filter(ticket=filing.ticket).count() == 1
    assert _live(filing).revoked_at is None
    assert mail.outbox == []


def test_a_link_dies_once_the_guest_has_a_password(
    world: World, client: Client, filing: GuestFiling
) -> None:
    filing.contact.set_password("a-real-password-now")
    filing.contact.save()
    login(client, world.users["dispatcher"])
    card = _card(client, filing.ticket)
    assert 'data-state="account"' in card
    assert 'data-testid="guest-link-send-confirm"' not in card


def test_staff_who_may_not_work_on_the_ticket_see_no_buttons_and_change_nothing(
    world: World, client: Client, filing: GuestFiling
) -> None:
    login(client, world.users["engineer"])  # an engineer, not its assignee
    card = _card(client, filing.ticket)
    assert "Пётр Гостев" in card  # they read it
    assert "guest-link-revoke" not in card and "guest-link-send" not in card
    mail.outbox.clear()
    for name in ("ticket_guest_link_revoke", "ticket_guest_link_send"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client.post(_url(name, filing.ticket)).status_code == 404
    assert _live(filing).pk == GuestLink.objects.get(ticket=filing.ticket).pk
    assert not TicketEvent.objects.filter(kind__startswith="guest_link").exists()
    assert mail.outbox == []

    # Once it is theirs, they may.
    ticket_assign(
        by=world.users["dispatcher"], ticket=filing.ticket, assignee=world.users["engineer"]
    )
    assert 'data-testid="guest-link-revoke-confirm"' in _card(client, filing.ticket)
    assert client.post(_url("ticket_guest_link_revoke", filing.ticket)).status_code == 302
    assert not GuestLink.objects.filter(ticket=filing.ticket, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("who", ["guest", "cust_a", "inbox_member", "anonymous"])
def test_customers_never_see_the_card_nor_reach_its_actions(
    world: World, client: Client, filing: GuestFiling, who: str
) -> None:
    from tests.factories import MembershipFactory

    if who == "guest":
        filing.contact.set_password("now-with-an-account")
        filing.contact.save()
        login(client, filing.contact)
    elif who == "inbox_member":  # sees every ticket of the catch-all company in the portal
        login(client, MembershipFactory(company=filing.ticket.company).user)
    elif who != "anonymous":
        login(client, world.users[who])
    if who == "inbox_member":
        portal = client.get(reverse("portal:ticket_detail", args=[filing.ticket.number]))
        assert portal.status_code == 200
        assert "guest-card" not in portal.content.decode()
    staff_page = client.get(_url("ticket_detail", filing.ticket))
    assert staff_page.status_code in (302, 404)
    assert b"guest-card" not in staff_page.content
    for name in ("ticket_guest_link_revoke", "ticket_guest_link_send"):
        response = client.post(_url(name, filing.ticket))
        assert response.status_code in (302, 404)
        if response.status_code == 302:  # anonymous: to the sign-in page
            assert response["Location"].startswith(reverse("account_login"))
    assert GuestLink.objects.get(ticket=filing.ticket).revoked_at is None
    assert not TicketEvent.objects.filter(kind__startswith="guest_link").exists()
    assert not Message.objects.exists()


def test_a_missing_ticket_is_a_404_for_the_actions(world: World, client: Client) -> None:
    login(client, world.users["admin"])
    for name in ("ticket_guest_link_revoke", "ticket_guest_link_send"):
        assert client.post(reverse(f"backoffice:{name}", args=["99999999"])).status_code == 404


def test_the_actions_take_post_only(world: World, client: Client, filing: GuestFiling) -> None:
    login(client, world.users["admin"])
    for name in ("ticket_guest_link_revoke", "ticket_guest_link_send"):
        assert client.get(_url(name, filing.ticket)).status_code == 405
    assert _live(filing).revoked_at is None


def test_the_actions_need_the_csrf_token(world: World, filing: GuestFiling) -> None:
    client = login(Client(enforce_csrf_checks=True), world.users["admin"])
    assert client.post(_url("ticket_guest_link_revoke", filing.ticket)).status_code == 403
    assert _live(filing).revoked_at is None


def test_a_passport_filing_names_the_equipment(world: World, client: Client) -> None:
    equipment = world.equipment["eq_a_hq"]
    ticket_type = TicketType.objects.filter(is_active=True).first() or TicketType.objects.create(
        code="web-request", name_ru="Запрос", name_en="Request"
    )
    criticality = Criticality.objects.filter(is_active=True).first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        filed = guest_ticket_create(
            company=equipment.company,
            data=TicketData(
                subject="Течёт",
                description="",
                ticket_type=ticket_type,
                criticality=criticality,
                company=equipment.company,
                equipment=equipment,
            ),
            name="",
            email="",
            phone="+7 912 000-11-22",
            origin=Origin.QR,
            confirm_by=(),
            only_equipment=equipment,
        )
    login(client, world.users["dispatcher"])
    card = _card(client, filed.ticket)
    assert "the equipment’s QR passport" in card
    assert reverse("backoffice:equipment_detail", args=[equipment.pk]) in card
    assert 'href="tel:+79120001122"' in card
    assert "mailto:" not in card
    assert 'data-testid="guest-link-send-confirm"' not in card  # no address to mail to
