"""What an act takes from its ticket and from «Наша компания»."""

from datetime import date

import pytest

from servicedesk.acts.content import Requisites, TicketFacts
from servicedesk.acts.money import VatMode
from servicedesk.acts.rendering import render_act_html
from servicedesk.acts.selectors import TICKET_FACTS_RELATED, our_company, ticket_facts
from servicedesk.acts.services import our_company_save
from servicedesk.tickets.models import Ticket
from tests.acts.conftest import build
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_the_ticket_gives_the_customer_the_place_and_the_contract(world, django_assert_num_queries):
    company = world.companies["A"]
    company.legal_name = "Alphacorp LLC"
    company.tax_id = "7707083893"
    company.kpp = "773601001"
    company.address = "10 Tverskaya St., Moscow"
    company.phone = "+74951234567"
    company.save()
    equipment = world.equipment["eq_a_room"]
    equipment.model = "HPE DL380"
    equipment.serial_number = "SN-1"
    equipment.save()
    site = world.sites["a_room"]
    site.address = "Floor 3"
    site.save()
    contract = world.contracts["c_a_all"]
    ticket = TicketFactory(
        number="00004321",
        subject="Server is down",
        description="Since 9 am.",
        equipment=equipment,
        site=site,
        contract=contract,
    )
    loaded = Ticket.objects.select_related(*TICKET_FACTS_RELATED).get(pk=ticket.pk)
    with django_assert_num_queries(0):
        facts = ticket_facts(loaded)
    assert facts == TicketFacts(
        number="00004321",
        subject="Server is down",
        description="Since 9 am.",
        customer=Requisites(
            name=company.name,
            legal_name="Alphacorp LLC",
            inn="7707083893",
            kpp="773601001",
            address="10 Tverskaya St., Moscow",
            phone="+7 495 123-45-67",
        ),
        site_name=site.name,
        site_address="Floor 3",
        equipment_name=equipment.name,
        equipment_model="HPE DL380",
        equipment_serial="SN-1",
        contract_number=contract.number,
        contract_name=contract.name,
    )
    # and an act made of them shows them
    html = render_act_html(build(ticket=facts, language="en"))
    assert "Alphacorp LLC" in html and "S/N SN-1" in html and contract.name in html


def test_a_ticket_with_no_place_or_contract(world):
    facts = ticket_facts(TicketFactory(company=world.companies["B"]))
    assert (facts.site_name, facts.equipment_name, facts.contract_number) == ("", "", "")


def test_our_company_gives_the_provider_and_the_settings(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        blank = our_company()
    assert blank.requisites() == Requisites(name="")
    assert blank.act_settings().number_mask == "{ticket}"
    company = our_company()
    company.name = "Сервис-Про"
    company.inn = "7720123457"
    company.phone = "+74951234567"
    company.vat_mode = VatMode.INCLUDED
    company.act_number_mask = "{ticket}/{seq}"
    our_company_save(by=world.users["admin"], company=company)
    with django_assert_num_queries(1):
        saved = our_company()
    assert saved.requisites() == Requisites(
        name="Сервис-Про", inn="7720123457", phone="+7 495 123-45-67"
    )
    settings = saved.act_settings()
    assert (settings.vat_mode, settings.number_mask) == (VatMode.INCLUDED, "{ticket}/{seq}")
    act = build(provider=saved.requisites(), mask=settings.number_mask, seq=3)
    assert act.number == "00004321/3"
    assert act.date == date(2026, 3, 5)
