"""Which role may do what: the one place that maps roles to permissions.

Views, templates and the API ask `user.has_perm("portal.access")` and friends; nothing else
looks at `user.role`. Object-level access (which company's data) is the scoping layer's job:
`<Model>.objects.visible_to(user)` and the `access_*` functions.
"""

from typing import Any

import rules

from servicedesk.accounts.models import Role
from servicedesk.accounts.scopes import membership_scopes


@rules.predicate
def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _has_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_role_{'_or_'.join(roles)}")
    def predicate(user: Any) -> bool:
        return getattr(user, "role", None) in roles

    return is_active_user & predicate


is_admin = _has_role(Role.ADMIN)
is_dispatcher = _has_role(Role.DISPATCHER)
is_engineer = _has_role(Role.ENGINEER)
is_customer = _has_role(Role.CUSTOMER)
is_provider_staff = _has_role(Role.ADMIN, Role.DISPATCHER, Role.ENGINEER)

rules.add_perm("portal.access", is_customer)
rules.add_perm("backoffice.access", is_provider_staff)
rules.add_perm("accounts.use_django_admin", is_admin)
# The equipment passport: print QR labels, replace a label's token, set the equipment's photo.
rules.add_perm("customers.manage_passport", is_admin | is_dispatcher)


@rules.predicate
def target_is_customer(user: Any, target: Any) -> bool:
    return bool(target is not None and getattr(target, "role", None) == Role.CUSTOMER)


# People: administrators manage everyone; dispatchers manage customers (and see the lists).
rules.add_perm("accounts.view_people", is_admin | is_dispatcher)
rules.add_perm("accounts.manage_user", is_admin | (is_dispatcher & target_is_customer))
rules.add_perm("accounts.manage_staff", is_admin)
rules.add_perm("accounts.decide_access_requests", is_admin | is_dispatcher)
rules.add_perm("accounts.view_audit_log", is_admin)
rules.add_perm("accounts.manage_api_tokens", is_admin)  # everyone's (one's own: the profile)
rules.add_perm("accounts.import_people", is_admin | is_dispatcher)
rules.add_perm("portal.request_colleague_access", is_customer)


@rules.predicate
def reads_analytics(user: Any) -> bool:
    """A membership of theirs has the analytics on (Membership.sees_analytics), read with the
    memberships every page reads anyway (accounts/scopes.py: once per request, never cached
    longer)."""
    return any(scope.analytics for scope in membership_scopes(user))


# «Аналитика → Отчет для клиента» in the portal (reports/client.py decides which companies).
rules.add_perm("reports.view_client", is_customer & reads_analytics)
# «Отчеты» in the back office: the provider's reports over every customer (reports/provider.py).
rules.add_perm("reports.view_provider", is_admin | is_dispatcher)
# Service levels: business calendars, holidays and SLA rules (the back office's SLA pages).
rules.add_perm("sla.manage", is_admin)
# The outbound mail log (the back office's «Outgoing mail» page): what was sent, what failed.
rules.add_perm("mail.view_outbound", is_admin)
# Incoming mail (issue 17): mailboxes, allowed senders, the mail health page, held messages.
rules.add_perm("mail.manage_mailboxes", is_admin)
# Outgoing webhooks (issue 20): register receivers, see their deliveries, re-send, resume.
rules.add_perm("webhooks.manage", is_admin)
# «Наша компания»: the provider's requisites and the acts' numbering and VAT (a settings page).
rules.add_perm("acts.manage_settings", is_admin)
# The batch acts («Сервисный акт», «Бухгалтерский акт» per customer and period): what a
# customer's works cost over many tickets, for those who bill them — not engineers.
rules.add_perm("acts.print_batch", is_admin | is_dispatcher)

# The knowledge base in the back office: every member of staff reads (internal articles too);
# administrators and dispatchers write, publish and see its report.
rules.add_perm("knowledge.read", is_provider_staff)
rules.add_perm("knowledge.edit", is_admin | is_dispatcher)
rules.add_perm("knowledge.view_report", is_admin | is_dispatcher)


# Tickets (issue 5). Which status changes each permission allows is tickets/workflow.py's table.
@rules.predicate
def is_ticket_assignee(user: Any, ticket: Any) -> bool:
    return bool(ticket is not None and getattr(ticket, "assignee_id", None) == user.pk)


@rules.predicate
def sees_ticket(user: Any, ticket: Any) -> bool:
    """The scoping layer's answer (Ticket.objects.visible_to), asked for this one ticket."""
    if ticket is None or ticket.pk is None:
        return False
    from servicedesk.tickets.models import Ticket

    return Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()


# The back office's ticket work in general: the queue, editing, status changes.
rules.add_perm("tickets.work", is_provider_staff)
# Deciding who works on what and the promises to the customer: assigning, cancelling, closing,
# criticality, contract and deadlines; bulk changes are made of these.
rules.add_perm("tickets.dispatch", is_admin | is_dispatcher)
# Working on one ticket: dispatchers and admins on any, an engineer on those assigned to them.
rules.add_perm(
    "tickets.work_on_ticket", is_admin | is_dispatcher | (is_engineer & is_ticket_assignee)
)
# Completed works (the «Выполнение» tab): recorded, changed and deleted by the same people, while
# the ticket is not closed or cancelled and the act does not freeze them (works/services.py).
# Every member of staff reads them; customers never do (works/querysets.py).
rules.add_perm("works.change", is_admin | is_dispatcher | (is_engineer & is_ticket_assignee))
# A customer who sees the ticket (its contact, or a member whose scope shows it) accepts the
# proposed solution.
rules.add_perm("tickets.accept_resolution", is_customer & sees_ticket)
# The act of completed work: signed or disputed by the customer's people who see the ticket
# (on staff's device, by whoever may record its works: "works.change").
rules.add_perm("acts.sign", is_customer & sees_ticket)
# The same people rate a resolved or closed ticket (the satisfaction survey; one rating per
# ticket, whoever gives it first).
rules.add_perm("conversations.rate_ticket", is_customer & sees_ticket)

# Who can be made a ticket's assignee: a rule about the person, not a permission they hold
# (an administrator holds every permission but does not take tickets). Ask
# `rules.test_rule("tickets.can_be_assigned", person)`.
ASSIGNEE_ROLES = (Role.DISPATCHER, Role.ENGINEER)
rules.add_rule("tickets.can_be_assigned", _has_role(*ASSIGNEE_ROLES))
