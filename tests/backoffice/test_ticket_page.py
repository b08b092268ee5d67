"""The staff ticket page: assignment with workloads, only the allowed transitions as buttons,
resolution, messages and internal notes, editing with conflict detection, the full timeline."""

import re
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicedesk.backoffice.tickets.detail import _edit_form
from servicedesk.conversations.models import Message
from servicedesk.core.forms import QuickSelect
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"backoffice:{name}", args=[ticket.number])


@pytest.fixture
def ticket(world: World) -> Ticket:
    return TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])


def test_dispatcher_assigns_and_sees_the_workload(
    world: World, client: Client, ticket: Ticket
) -> None:
    engineer = world.users["engineer"]
    TicketFactory(company=world.companies["B"], assignee=engineer, status=Status.IN_PROGRESS)
    login(client, world.users["dispatcher"])
    page = client.get(url("ticket_detail", ticket), headers=EN).content.decode()
    assert f"{engineer.full_name} — 1 open" in page
    assert 'data-testid="transition-start"' not in page  # no assignee yet: nothing to start
    assert 'data-testid="edit"' in page
    other = login(Client(), engineer)  # not their ticket: no buttons, no edit form
    page = other.get(url("ticket_detail", ticket), headers=EN).content.decode()
    assert 'data-testid="edit"' not in page and 'data-testid="transition-' not in page
    response = client.post(
        url("ticket_assign", ticket), {"assignee": engineer.pk, "version": ticket.version}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == engineer and ticket.status == Status.ASSIGNED


def test_the_engineer_works_the_ticket_through_to_resolved(
    world: World, client: Client, ticket: Ticket
) -> None:
    engineer = world.users["engineer"]
    ticket.assignee, ticket.status = engineer, Status.ASSIGNED
    ticket.save()
    login(client, engineer)
    page = client.get(url("ticket_detail", ticket), headers=EN).content.decode()
    assert 'data-testid="transition-start"' in page
    assert 'data-testid="transition-cancel"' not in page  # dispatchers only
    client.post(url("ticket_transition", ticket), {"code": "start", "version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    # Resolving without a text is refused with a message, and changes nothing.
    response = client.post(
        url("ticket_transition", ticket),
        {"code": "resolve", "resolution": "  ", "version": ticket.version},
        headers=EN,
        follow=True,
    )
    assert "Describe the solution." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    client.post(
        url("ticket_transition", ticket),
        {"code": "resolve", "resolution": "Replaced the pump seal.", "version": ticket.version},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution == "Replaced the pump seal."


def test_a_stale_page_cannot_overwrite_a_newer_change(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["dispatcher"])
    stale = ticket.version
    client.post(
        url("ticket_assign", ticket), {"assignee": world.users["engineer"].pk, "version": stale}
    )
    response = client.post(
        url("ticket_assign", ticket),
        {"assignee": world.users["dispatcher"].pk, "version": stale},
        headers=EN,
        follow=True,
    )
    assert "Someone changed this ticket meanwhile" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == world.users["engineer"]


def test_edit_records_old_and_new_and_a_hand_set_deadline(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["dispatcher"])
    response = client.post(
        url("ticket_edit", ticket),
        {
            "subject": "Pump leaks (corrected)",
            "description": ticket.description,
            "ticket_type": ticket.ticket_type_id,
            "criticality": ticket.criticality_id,
            "work_type": "",
            "due_at": "2030-01-02T10:30",
            "version": ticket.version,
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.subject == "Pump leaks (corrected)"
    assert ticket.due_at_manual and ticket.due_at is not None
    assert TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.FIELD_CHANGED, new_value="Pump leaks (corrected)"
    ).exists()


def test_changed_types_and_countries_are_named_in_each_readers_language(
    world: World, ticket: Ticket
) -> None:
    from servicedesk.customers.models import TicketType

    # Given a dispatcher reading Russian who changes the ticket's type and country
    repair = TicketType.objects.get(code="repair")  # «Заявка на ремонт», "Repair request"
    dispatcher, customer = world.users["dispatcher"], world.users["cust_a"]
    dispatcher.language, customer.language = "ru", "en"
    dispatcher.save()
    customer.save()
    post = {
        "subject": ticket.subject,
        "description": ticket.description,
        "ticket_type": repair.pk,
        "criticality": ticket.criticality_id,
        "work_type": "",
        "country": "DE",
        "version": ticket.version,
    }
    assert login(Client(), dispatcher).post(url("ticket_edit", ticket), post).status_code == 302

    # Then the customer reading English reads the change in English
    portal = reverse("portal:ticket_detail", args=[ticket.number])
    page = login(Client(), customer).get(portal).content.decode()
    timeline = page.split('data-testid="timeline"')[1]
    assert "Repair request" in timeline and "Germany" in timeline
    assert "Заявка на ремонт" not in timeline and "Германия" not in timeline
    # and the dispatcher in Russian
    staff = login(Client(), dispatcher).get(url("ticket_detail", ticket)).content.decode()
    timeline = staff.split('data-testid="timeline"')[1]
    assert "Заявка на ремонт" in timeline and "Германия" in timeline


def test_an_older_event_that_kept_a_name_shows_it_as_written(
    world: World, client: Client, ticket: Ticket
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.FIELD_CHANGED,
        field="ticket_type",
        old_value="Задача",
        new_value="Гарантийный ремонт",
    )
    login(client, world.users["dispatcher"])
    html = client.get(url("ticket_detail", ticket), headers=EN).content.decode()
    assert "Гарантийный ремонт" in html.split('data-testid="timeline"')[1]


def test_internal_notes_stay_with_staff(world: World, client: Client, ticket: Ticket) -> None:
    login(client, world.users["engineer"])
    client.post(
        url("ticket_message", ticket), {"body": "Secret: check the invoice", "internal": "1"}
    )
    client.post(url("ticket_message", ticket), {"body": "We are on our way", "internal": "0"})
    assert Message.objects.filter(ticket=ticket).count() == 2
    staff_page = client.get(url("ticket_detail", ticket)).content.decode()
    assert "Secret: check the invoice" in staff_page and "We are on our way" in staff_page
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None  # the public message was the first response
    customer = login(Client(), world.users["cust_a"])
    portal_page = customer.get(reverse("portal:ticket_detail", args=[ticket.number]))
    html = portal_page.content.decode()
    assert "We are on our way" in html
    assert "Secret" not in html
    for path in ("portal:ticket_print", "portal:ticket_pdf"):
        assert b"Secret" not in customer.get(reverse(path, args=[ticket.number])).content


def test_customers_do_not_reach_the_staff_page_or_its_actions(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_a"])
    assert client.get(url("ticket_detail", ticket)).status_code == 404
    for name in ("ticket_assign", "ticket_transition", "ticket_message", "ticket_edit"):
        assert client.post(url(name, ticket), {"code": "close", "body": "x"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert not Message.objects.exists()


def test_a_missing_ticket_is_a_404(world: World, client: Client) -> None:
    login(client, world.users["dispatcher"])
    assert client.get(reverse("backoffice:ticket_detail", args=["99999999"])).status_code == 404


def test_html_in_messages_is_shown_as_text(world: World, client: Client, ticket: Any) -> None:
    login(client, world.users["dispatcher"])
    client.post(
        url("ticket_message", ticket), {"body": "<script>alert(1)</script>", "internal": "0"}
    )
    page = client.get(url("ticket_detail", ticket)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_staff_move_a_ticket_to_equipment_and_a_contract(world: World, client: Client) -> None:
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    login(client, world.users["dispatcher"])
    shop_till = world.equipment["eq_a_shop"]
    contract = world.contracts["c_a_shop"]

    def post(**changes: Any) -> Any:
        data = {
            "subject": ticket.subject,
            "description": ticket.description,
            "ticket_type": ticket.ticket_type_id,
            "criticality": ticket.criticality_id,
            "work_type": "",
            "due_at": "",
            "place": "",
            "contract": "",
            "version": Ticket.objects.get(pk=ticket.pk).version,
        }
        return client.post(url("ticket_edit", ticket), {**data, **changes}, headers=EN)

    response = post(place=f"e{shop_till.pk}", contract=contract.pk)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.equipment, ticket.site, ticket.contract) == (
        shop_till,
        shop_till.site,
        contract,
    )
    # A contract that does not cover the place is refused with the reason, nothing saved.
    other = world.contracts["c_a_hq"]
    response = post(place=f"e{shop_till.pk}", contract=other.pk)
    assert response.status_code == 400
    assert "does not cover" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.contract == contract
    # Another company's equipment is not on offer: a hand-made value is refused as invalid.
    response = post(place=f"e{world.equipment['eq_b'].pk}", contract=contract.pk)
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.equipment == shop_till


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_edit_forms_selects_say_what_djangos_select_says(world: World, language: str) -> None:
    """The edit form's selects are QuickSelects (no template per option): the same options,
    attributes and choice as Django's Select would render (whitespace between tags aside)."""
    ticket = TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        equipment=world.equipment["eq_a_shop"],
        site=world.equipment["eq_a_shop"].site,
        contract=world.contracts["c_a_shop"],
    )
    with translation.override(language):
        form = _edit_form(ticket, world.users["dispatcher"])
        names = ["ticket_type", "criticality", "work_type", "place", "contract"]
        for name in names:
            bound = form[name]
            assert isinstance(bound.field.widget, QuickSelect)
            django_select = forms.Select(attrs=bound.field.widget.attrs)
            django_select.choices = bound.field.widget.choices
            expected = bound.as_widget(widget=django_select)
            assert re.sub(r">\s+<", "><", str(bound)) == re.sub(r">\s+<", "><", expected)
        assert "selected>" in str(form["place"]) and "selected>" in str(form["contract"])


def test_cancelling_is_named_for_what_it_does_in_both_languages(world: World) -> None:
    from tests.factories import TicketFactory

    ticket = TicketFactory(company=world.companies["A"])
    for language, label in (("en", "Cancel the ticket"), ("ru", "Отменить заявку")):
        client = login(Client(headers={"accept-language": language}), world.users["dispatcher"])
        world.users["dispatcher"].language = ""
        world.users["dispatcher"].save()
        html = client.get(f"/backoffice/tickets/{ticket.number}/").content.decode()
        button = html.split('data-testid="transition-cancel"')[1].split("</button>")[0]
        assert label in button


def test_staff_see_the_product_and_country_the_customer_chose(world: World) -> None:
    from servicedesk.customers.models import Product
    from tests.factories import TicketFactory

    product = Product.objects.create(name_ru="Касса", name_en="Till", code="till-1")
    ticket = TicketFactory(company=world.companies["A"], product=product, country="KZ")
    client = login(Client(headers={"accept-language": "en"}), world.users["dispatcher"])
    html = client.get(f"/backoffice/tickets/{ticket.number}/").content.decode()
    assert '<dd data-testid="ticket-product">Till</dd>' in html
    assert '<dd data-testid="ticket-country">Kazakhstan</dd>' in html


def test_staff_edit_the_product_and_country(world: World) -> None:
    from servicedesk.customers.models import Product
    from tests.factories import TicketFactory

    till = Product.objects.create(name_ru="Касса", name_en="Till", code="till-2")
    ticket = TicketFactory(company=world.companies["A"])
    client = login(Client(headers={"accept-language": "en"}), world.users["dispatcher"])
    page = client.get(f"/backoffice/tickets/{ticket.number}/").content.decode()
    assert 'name="product"' in page and 'name="country"' in page
    response = client.post(
        url("ticket_edit", ticket),
        {
            "subject": ticket.subject,
            "description": ticket.description,
            "ticket_type": ticket.ticket_type_id,
            "criticality": ticket.criticality_id,
            "product": till.pk,
            "country": "KZ",
            "version": ticket.version,
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.product, str(ticket.country)) == (till, "KZ")
    assert TicketEvent.objects.filter(ticket=ticket, field="product").exists()


def test_the_assignee_picker_chooses_nobody_and_empty_choices_are_quiet(world: World) -> None:
    from tests.factories import TicketFactory

    ticket = TicketFactory(company=world.companies["A"])
    client = login(Client(headers={"accept-language": "en"}), world.users["dispatcher"])
    html = client.get(f"/backoffice/tickets/{ticket.number}/").content.decode()
    picker = html.split('data-testid="assignee-select"')[1].split("</select>")[0]
    assert '<option value="" selected>Choose whom to assign…</option>' in picker
    assert picker.count("selected") == 1
    assert "---------" not in html
