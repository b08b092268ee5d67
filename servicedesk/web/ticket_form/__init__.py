"""The ticket form, shared by the portal and the back office (`ticket`), its fields and widgets
(`fields`), its site/equipment picker (`places`) and its first values (`initial`)."""

from servicedesk.web.ticket_form.fields import ReferenceChoiceField, preload_reference_rows
from servicedesk.web.ticket_form.initial import clone_initial, options_initial
from servicedesk.web.ticket_form.places import EQUIPMENT_MARK, EQUIPMENT_PREFIX, SITE_PREFIX
from servicedesk.web.ticket_form.ticket import TicketForm

__all__ = [
    "EQUIPMENT_MARK",
    "EQUIPMENT_PREFIX",
    "SITE_PREFIX",
    "ReferenceChoiceField",
    "TicketForm",
    "clone_initial",
    "options_initial",
    "preload_reference_rows",
]
