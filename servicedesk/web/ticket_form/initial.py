"""The ticket form's first values: copied from another ticket, or sent back by its dependent
pickers."""

from typing import Any

from servicedesk.web.ticket_form.places import EQUIPMENT_PREFIX, SITE_PREFIX


def clone_initial(ticket: Any) -> dict[str, Any]:
    """The create form prefilled from a ticket: what it says, not its files or history."""
    place = ""
    if ticket.equipment_id:
        place = f"{EQUIPMENT_PREFIX}{ticket.equipment_id}"
    elif ticket.site_id:
        place = f"{SITE_PREFIX}{ticket.site_id}"
    return {
        "ticket_type": ticket.ticket_type_id,
        "criticality": ticket.criticality_id,
        "subject": ticket.subject,
        "description": ticket.description,
        "company": ticket.company_id,
        "place": place,
        "work_type": ticket.work_type_id,
        "contract": ticket.contract_id,
        "product": ticket.product_id,
        "country": str(ticket.country or ""),
    }


def options_initial(params: Any) -> dict[str, Any]:
    """The form's state sent by the dependent pickers (company, place, contract, country)."""
    return {
        name: params.get(name)
        for name in ("company", "place", "contract", "country", "product")
        if params.get(name)
    }
