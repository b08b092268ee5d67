"""Every change to a ticket, one module per concern:

- create.py — filing a ticket (numbering, TicketData and its checks) and its attachments;
- follow.py — following, unfollowing, "recently viewed";
- transitions.py — status changes through the workflow (tickets/workflow.py), the customer
  accepting a solution or replying, closing resolved tickets nobody answered;
- assign.py — assignment; edit.py — staff editing fields; bulk.py — one change for many tickets;
- common.py — what the staff's services share: the row lock, the save, the SLA hook.

Each records a TicketEvent (tickets/events.py) where the timeline should show it; notifications
go out after the commit. Callers import from here: `from servicedesk.tickets.services import
ticket_create`."""

from servicedesk.tickets.services.assign import ticket_assign
from servicedesk.tickets.services.bulk import BULK_ACTIONS, BULK_MAX, BulkResult, ticket_bulk
from servicedesk.tickets.services.common import CONFLICT_MESSAGE
from servicedesk.tickets.services.create import (
    DESCRIPTION_MAX_LENGTH,
    TicketData,
    attachments_check,
    attachments_store,
    ticket_attachments_add,
    ticket_create,
    ticket_number_next,
)
from servicedesk.tickets.services.edit import EDITABLE_FIELDS, ticket_update
from servicedesk.tickets.services.follow import ticket_follow, ticket_unfollow, ticket_viewed
from servicedesk.tickets.services.move import ticket_move_company
from servicedesk.tickets.services.transitions import (
    ticket_accept_resolution,
    ticket_back_to_work,
    ticket_customer_replied,
    ticket_transition,
    tickets_close_resolved,
)

__all__ = [
    "BULK_ACTIONS",
    "BULK_MAX",
    "CONFLICT_MESSAGE",
    "DESCRIPTION_MAX_LENGTH",
    "EDITABLE_FIELDS",
    "BulkResult",
    "TicketData",
    "attachments_check",
    "attachments_store",
    "ticket_accept_resolution",
    "ticket_assign",
    "ticket_attachments_add",
    "ticket_back_to_work",
    "ticket_bulk",
    "ticket_create",
    "ticket_customer_replied",
    "ticket_follow",
    "ticket_move_company",
    "ticket_number_next",
    "ticket_transition",
    "ticket_unfollow",
    "ticket_update",
    "ticket_viewed",
    "tickets_close_resolved",
]
