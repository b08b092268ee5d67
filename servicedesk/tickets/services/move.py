"""Moving a ticket to another company (it was filed for the wrong one, e.g. by phone)."""

from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.accounts.scopes import company_ids
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Company
from servicedesk.tickets import events, hooks, workflow
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.common import _ticket_lock, _ticket_save

REASON_MAX_LENGTH = 500


@transaction.atomic
def ticket_move_company(
    *,
    by: User,
    ticket: Ticket,
    company: Company,
    contact: User,
    reason: str,
    expected_version: int | None = None,
) -> Ticket:
    """Give the ticket to `company`, with `contact` (a member of it) as its contact, for a
    reason. Its site, equipment and contract belonged to the old company: they are cleared.
    The old company's people stop seeing it, the new one's start, on their next request
    (both companies' counts move: tickets/receivers.py). Staff-only event."""
    ticket = _ticket_lock(ticket, expected_version)
    if not by.has_perm(workflow.DISPATCH):
        raise ApplicationError(
            _("Only a dispatcher or an administrator moves tickets."), code=ErrorCode.FORBIDDEN
        )
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the move."), code=ErrorCode.REASON, field="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(_("The reason is too long."), code=ErrorCode.REASON, field="reason")
    if company.pk == ticket.company_id:
        raise ApplicationError(
            _("The ticket already belongs to this company."),
            code=ErrorCode.COMPANY,
            field="company",
        )
    if not company.is_active:
        raise ApplicationError(
            _("Choose an active company."), code=ErrorCode.COMPANY, field="company"
        )
    if not (contact.is_active and contact.is_customer and company.pk in company_ids(contact)):
        raise ApplicationError(
            _("Choose a person of the new company."), code=ErrorCode.CONTACT, field="contact"
        )
    old_company = ticket.company.name
    events.moved(ticket, by, old_company, company.name, reason)
    ticket.company = company
    ticket.contact = contact
    ticket.site = ticket.equipment = ticket.contract = None
    fields = {"company", "contact", "site", "equipment", "contract"}
    hooks.updated(ticket=ticket, by=by, fields=sorted(fields))  # webhooks, after the commit
    return _ticket_save(ticket, fields)
