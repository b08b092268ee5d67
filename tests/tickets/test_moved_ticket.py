"""A ticket that changes company leaves the old company's lists and counts at once (issue 21),
and the Django admin does not move tickets between companies."""

from typing import Any

import pytest
from django.test import Client

from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _company_list(client: Client) -> tuple[str, Any]:
    response = client.get("/portal/", {"view": "company"}, headers={"accept-language": "en"})
    return response.content.decode(), response.context["list"].views


def test_the_old_companys_people_stop_seeing_and_counting_it_at_once(world: World) -> None:
    # Given two tickets of company A, whose customer has seen the company's list
    moved = TicketFactory(company=world.companies["A"], subject="Moved boiler")
    TicketFactory(company=world.companies["A"], subject="Staying printer")
    customer_a = login(Client(), world.users["cust_a"])
    html, views = _company_list(customer_a)
    assert "Moved boiler" in html
    before = {view.key: view.count for view in views}
    # When staff move one to company B
    moved.refresh_from_db()
    moved.company = world.companies["B"]
    moved.save()
    # Then A's next list neither shows nor counts it, and B's shows it
    html, views = _company_list(customer_a)
    assert "Moved boiler" not in html and "Staying printer" in html
    after = {view.key: view.count for view in views}
    assert after["company"] == before["company"] - 1
    html, _views = _company_list(login(Client(), world.users["cust_b"]))
    assert "Moved boiler" in html


def test_the_admin_does_not_move_a_ticket_to_another_company(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"])
    admin = login(Client(), world.users["admin"])
    page = admin.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert 'name="company"' not in page and 'name="contact"' not in page


def _move(client: Client, ticket: Any, **fields: str) -> Any:
    data = {"version": str(ticket.version), **fields}
    return client.post(f"/backoffice/tickets/{ticket.number}/move/", data, follow=True)


def test_a_dispatcher_moves_a_ticket_with_a_reason(world: World) -> None:
    from servicedesk.tickets.models import TicketEvent

    ticket = TicketFactory(
        company=world.companies["A"], contact=world.users["cust_a"], site=world.sites["a_hq"]
    )
    customer_a, customer_b = world.users["cust_a"], world.users["cust_b"]
    client = login(Client(headers={"accept-language": "en"}), world.users["dispatcher"])
    response = _move(
        client,
        ticket,
        company=world.companies["B"].code.upper(),
        contact=customer_b.email,
        reason="Filed by phone for the wrong company",
    )
    assert "Moved to Betaworks." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.company, ticket.contact, ticket.site) == (
        world.companies["B"],
        customer_b,
        None,
    )
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.MOVED)
    assert not event.is_public
    assert event.old_value == "Alphacorp"
    assert event.new_value == "Betaworks (Filed by phone for the wrong company)"
    # The old company's customer gets the 404 of a missing ticket; the new one sees it
    assert login(Client(), customer_a).get(f"/portal/tickets/{ticket.number}/").status_code == 404
    page = login(Client(), customer_b).get(f"/portal/tickets/{ticket.number}/")
    assert page.status_code == 200 and "Alphacorp" not in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"company": "betaworks", "contact": "", "reason": "x"}, "No person has this email."),
        ({"company": "nope", "contact": "a@b.test", "reason": "x"}, "No company has this"),
        ({"company": "betaworks", "reason": ""}, "Give the reason for the move."),
        ({"company": "alphacorp", "reason": "x"}, "already belongs to this company"),
        ({"company": "betaworks", "reason": "x", "contact": "A"}, "a person of the new company"),
    ],
)
def test_a_move_that_does_not_fit_changes_nothing(world: World, fields: dict, message: str) -> None:
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    fields = {"contact": world.users["cust_b"].email, **fields}
    if fields["contact"] == "A":
        fields["contact"] = world.users["cust_a"].email  # a person of the old company only
    client = login(Client(headers={"accept-language": "en"}), world.users["dispatcher"])
    response = _move(client, ticket, **fields)
    assert message in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.company == world.companies["A"]


def test_an_engineer_cannot_move_a_ticket(world: World) -> None:
    ticket = TicketFactory(company=world.companies["A"], assignee=world.users["engineer"])
    client = login(Client(headers={"accept-language": "en"}), world.users["engineer"])
    response = _move(
        client, ticket, company="betaworks", contact=world.users["cust_b"].email, reason="x"
    )
    assert "Only a dispatcher or an administrator moves tickets." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.company == world.companies["A"]
