"""Who manages the web forms and the guests' status links: administrators (as for mailboxes)."""

import rules

from servicedesk.accounts.rules import is_admin, is_dispatcher, is_engineer, is_ticket_assignee

rules.add_perm("intake.manage_webforms", is_admin)
# Staff who may work on the ticket (tickets.work_on_ticket) may cut a guest's status link (a
# forwarded or leaked email) and send a new one; asked with the ticket.
rules.add_perm(
    "intake.revoke_guest_link", is_admin | is_dispatcher | (is_engineer & is_ticket_assignee)
)
