"""Staff file a ticket for a customer's person from the back office (after a phone call): only a
member of the chosen company can be that person, the lists follow the person's scope, and the
person gets the email. Customers never reach the page."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets.models import Origin, Status, Ticket, TicketEvent
from tests.conftest import World, login
from tests.factories import MembershipFactory, UserFactory
from tests.portal.test_ticket_create import parse, values

pytestmark = pytest.mark.django_db

NEW = "/backoffice/tickets/new/"
OPTIONS = "/backoffice/tickets/new/options/"
EN = {"accept-language": "en"}


def post_data(world: World, contact: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "company": world.companies["A"].pk,
        "contact": contact.pk,
        "origin": Origin.PHONE,
        "ticket_type": TicketType.objects.filter(is_active=True).first().pk,
        "criticality": Criticality.objects.filter(is_active=True).first().pk,
        "subject": "Called: boiler is cold",
        "description": "Said on the phone.",
        "place": f"e{world.equipment['eq_a_hq'].pk}",
        "contract": world.contracts["c_a_hq"].pk,
        "country": "RU",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("staff_key", ["dispatcher", "admin"])
def test_staff_file_a_ticket_for_a_customers_person(
    world, staff_key, django_capture_on_commit_callbacks
):
    staff = world.users[staff_key]
    contact = world.users["cust_a"]
    contact.language = "en"
    contact.save()
    client = login(Client(), staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, post_data(world, contact))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/tickets/{ticket.number}/created/"
    assert re.fullmatch(r"\d{8}", ticket.number)
    assert (ticket.contact, ticket.created_by) == (contact, staff)
    assert (ticket.origin, ticket.status) == (Origin.PHONE, Status.NEW)
    assert ticket.company == world.companies["A"]
    assert (ticket.equipment, ticket.site) == (world.equipment["eq_a_hq"], world.sites["a_hq"])
    assert ticket.contract == world.contracts["c_a_hq"]
    assert list(ticket.events.values_list("kind", "actor")) == [
        (TicketEvent.Kind.CREATED, staff.pk)
    ]
    # The contact gets the receipt; the other holder of the dispatch permission hears of a new
    # ticket; the person who filed it is not told of their own action.
    other = world.users["admin" if staff_key == "dispatcher" else "dispatcher"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([contact.email, other.email])
    receipt = next(m for m in mail.outbox if m.to == [contact.email])
    assert receipt.subject.startswith(f"[#{ticket.number}] Your ticket is registered")

    page = client.get(response["Location"], headers=EN).content.decode()
    assert ticket.number in page
    assert f'href="/backoffice/tickets/{ticket.number}/"' in page  # the staff ticket page


def test_the_origin_can_be_email_or_web_form(world):
    client = login(Client(), world.users["dispatcher"])

    client.post(NEW, post_data(world, world.users["cust_a"], origin=Origin.EMAIL))
    refused = client.post(NEW, post_data(world, world.users["cust_a"], origin=Origin.API))

    assert list(Ticket.objects.values_list("origin", flat=True)) == [Origin.EMAIL]
    assert "origin" in refused.context["form"].errors


@pytest.mark.parametrize("contact_key", ["cust_b", "dispatcher", "cust_inactive", "cust_none"])
def test_a_person_who_is_not_an_active_member_of_the_company_is_refused(
    world, contact_key, django_capture_on_commit_callbacks
):
    client = login(Client(), world.users["dispatcher"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, post_data(world, world.users[contact_key]), headers=EN)

    assert response.status_code == 200
    assert "contact" in response.context["form"].errors
    assert Ticket.objects.count() == 0
    assert mail.outbox == []


def test_the_lists_follow_the_chosen_persons_scope(world):
    client = login(Client(), world.users["dispatcher"])
    company = world.companies["A"].pk

    everyone = client.get(OPTIONS, {"company": company}, headers={"HX-Request": "true"})
    till_person = client.get(
        OPTIONS,
        {"company": company, "contact": world.users["cust_eq"].pk},
        headers={"HX-Request": "true"},
    )

    # The company's members, nobody else's
    members = {str(world.users[k].pk) for k in ("cust_a", "cust_ab", "cust_eq", "cust_site")}
    assert values(everyone.content.decode(), "contact") == members
    # A person who sees only the till: the till and its shop; the service block is out of band
    html = till_person.content.decode()
    assert 'hx-swap-oob="outerHTML"' in html
    assert values(html, "place") == {
        f"s{world.sites['a_shop'].pk}",
        f"e{world.equipment['eq_a_shop'].pk}",
    }


def test_a_place_outside_the_persons_scope_is_refused(world):
    client = login(Client(), world.users["dispatcher"])

    response = client.post(
        NEW,
        post_data(world, world.users["cust_eq"], contract=""),  # HQ boiler: not the till
        headers=EN,
    )

    assert "place" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_the_form_lists_every_active_company_and_the_origins(world):
    client = login(Client(), world.users["dispatcher"])

    html = client.get(NEW, headers=EN).content.decode()

    assert values(html, "company") == {str(c.pk) for c in world.companies.values()}
    assert [v for v, _t, _s in parse(html).selects["origin"]] == ["phone", "email", "web_form"]
    assert 'href="/backoffice/tickets/new/"' in html  # the menu item


@pytest.mark.parametrize("url", [NEW, OPTIONS, "/backoffice/tickets/products/?q=abc"])
def test_customers_get_404(world, url):
    response = login(Client(), world.users["cust_a"]).get(url)
    posted = login(Client(), world.users["cust_a"]).post(
        NEW, post_data(world, world.users["cust_a"])
    )

    assert response.status_code == 404
    assert posted.status_code == 404
    assert Ticket.objects.count() == 0


def test_a_customer_member_of_two_companies_is_listed_for_both(world):
    person = UserFactory(full_name="Zoe Twofold")
    MembershipFactory(user=person, company=world.companies["A"])
    MembershipFactory(user=person, company=world.companies["B"])
    client = login(Client(), world.users["dispatcher"])

    for company in world.companies.values():
        html = client.get(
            OPTIONS, {"company": company.pk}, headers={"HX-Request": "true"}
        ).content.decode()
        assert str(person.pk) in values(html, "contact")
