"""Who manages the web forms and the guests' status links: administrators (as for mailboxes)."""

import rules

from servicedesk.accounts.rules import is_admin, is_dispatcher

rules.add_perm("intake.manage_webforms", is_admin)
# Staff who handle tickets may cut a guest's status link (a forwarded or leaked email).
rules.add_perm("intake.revoke_guest_link", is_admin | is_dispatcher)
