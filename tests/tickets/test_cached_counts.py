"""Counts, filter choices, form lists and reference lists come from the cache — and every
change they depend on shows on the next page, never a stale number or name."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Membership
from servicedesk.customers.models import Site, TicketType
from servicedesk.customers.services import site_save
from servicedesk.tickets.models import Ticket
from tests.conftest import World, login
from tests.factories import MembershipFactory, TicketFactory

pytestmark = pytest.mark.django_db
LIST = reverse("portal:tickets")
NEW = reverse("portal:ticket_new")


def view_counts(client: Client) -> dict[str, int]:
    html = client.get(LIST + "?view=company").content.decode()
    return {
        view: int(count)
        for view, count in re.findall(
            r'data-view="(\w+)">\s*[^<]+<span[^>]*data-testid="view-count">(\d+)<', html
        )
    }


def test_counts_follow_new_tickets_visits_and_follows(world: World, client: Client) -> None:
    user = world.users["cust_a"]
    login(client, user)
    assert view_counts(client) == {"company": 0, "mine": 0, "recent": 0}
    # A colleague's ticket appears in the company count, not in mine.
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_ab"])
    assert view_counts(client) == {"company": 1, "mine": 0, "recent": 0}
    # Opening it puts it in "recently viewed".
    client.get(reverse("portal:ticket_detail", args=[ticket.number]))
    assert view_counts(client) == {"company": 1, "mine": 0, "recent": 1}
    # My own ticket, filed through the service.
    TicketFactory(company=world.companies["A"], contact=user)
    assert view_counts(client) == {"company": 2, "mine": 1, "recent": 1}
    # Deleting a ticket takes it out again.
    ticket.delete()
    assert view_counts(client) == {"company": 1, "mine": 1, "recent": 0}


def test_a_new_membership_changes_counts_and_choices_at_once(world: World, client: Client) -> None:
    user = world.users["cust_a"]
    login(client, user)
    TicketFactory(company=world.companies["B"], contact=world.users["cust_b"])
    assert view_counts(client)["company"] == 0
    html = client.get(LIST).content.decode()
    assert world.companies["B"].name not in html
    MembershipFactory(user=user, company=world.companies["B"])
    assert view_counts(client)["company"] == 1
    assert (
        world.companies["B"].name
        in client.get(LIST + "?view=company&panel=filters").content.decode()
    )
    assert world.companies["B"].name in client.get(NEW).content.decode()
    # And losing it takes both away again.
    Membership.objects.filter(user=user, company=world.companies["B"]).delete()
    assert view_counts(client)["company"] == 0
    assert world.companies["B"].name not in client.get(NEW).content.decode()


def test_a_new_site_shows_in_the_filters_and_the_create_form(world: World, client: Client) -> None:
    login(client, world.users["cust_a"])
    assert (
        "Brand-new boiler house"
        not in client.get(LIST + "?view=company&panel=filters").content.decode()
    )
    assert "Brand-new boiler house" not in client.get(NEW).content.decode()
    site_save(Site(company=world.companies["A"], name="Brand-new boiler house"))
    assert (
        "Brand-new boiler house"
        in client.get(LIST + "?view=company&panel=filters").content.decode()
    )
    assert "Brand-new boiler house" in client.get(NEW).content.decode()


def test_renamed_and_retired_reference_rows_show_at_once(world: World, client: Client) -> None:
    login(client, world.users["cust_a"])
    kind = TicketType.objects.filter(is_active=True).first()
    assert kind is not None
    client.get(NEW)  # fills the cache
    kind.name_ru = kind.name_en = "Freshly renamed type"
    kind.save()
    assert "Freshly renamed type" in client.get(NEW).content.decode()
    assert (
        "Freshly renamed type" in client.get(LIST + "?view=company&panel=filters").content.decode()
    )
    kind.is_active = False
    kind.save()
    assert "Freshly renamed type" not in client.get(NEW).content.decode()
    # A retired type can no longer be chosen, even by a hand-made POST.
    response = client.post(
        NEW, {"ticket_type": kind.pk, "subject": "x", "company": world.companies["A"].pk}
    )
    assert response.status_code == 200
    assert Ticket.objects.count() == 0


def test_a_ticket_page_shows_its_retired_type(world: World, client: Client) -> None:
    login(client, world.users["cust_a"])
    kind = TicketType.objects.create(code="retired", name_ru="Старый тип", name_en="Old type")
    ticket = TicketFactory(company=world.companies["A"], ticket_type=kind)
    url = reverse("portal:ticket_detail", args=[ticket.number])
    client.get(url)
    kind.is_active = False
    kind.save()
    html = client.get(url).content.decode()
    assert "Старый тип" in html  # the page is in Russian by default
