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
