"""Reads for acts: «Наша компания», and the facts an act takes from its ticket."""

from __future__ import annotations

from servicedesk.acts.content import Requisites, TicketFacts
from servicedesk.acts.models import SINGLETON_ID, OurCompany
from servicedesk.customers.models import Company
from servicedesk.tickets.models import Ticket

# What `ticket_facts` reads besides the ticket: select_related() these to read it in one query.
TICKET_FACTS_RELATED = ("company", "site", "equipment", "contract")


def our_company() -> OurCompany:
    """The provider's requisites and act settings: the saved row, or a blank unsaved one (with
    the default settings) until an administrator saves the settings page. One query."""
    saved = OurCompany.objects.select_related("updated_by").filter(pk=SINGLETON_ID).first()
    return saved or OurCompany()


def company_requisites(company: Company) -> Requisites:
    return Requisites(
        name=company.name,
        legal_name=company.legal_name,
        inn=company.tax_id,
        kpp=company.kpp,
        address=company.address,
        phone=company.phone.as_international if company.phone else "",
        email=company.email,
    )


def ticket_facts(ticket: Ticket) -> TicketFacts:
    """What an act says of its ticket: the customer's requisites (customers.Company), the site
    with its address, the equipment and the contract. Reads the related rows named in
    TICKET_FACTS_RELATED (no query when they are select_related)."""
    site, equipment, contract = ticket.site, ticket.equipment, ticket.contract
    return TicketFacts(
        number=ticket.number,
        subject=ticket.subject,
        description=ticket.description,
        customer=company_requisites(ticket.company),
        site_name=site.name if site else "",
        site_address=site.address if site else "",
        equipment_name=equipment.name if equipment else "",
        equipment_model=equipment.model if equipment else "",
        equipment_serial=equipment.serial_number if equipment else "",
        contract_number=contract.number if contract else "",
        contract_name=contract.name if contract else "",
    )
