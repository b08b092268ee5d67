"""The scoping layer for tickets: which tickets a person may see, decided here only.

- The provider's staff see every ticket.
- A customer sees tickets of the companies they are a member of:
  - with a whole-company membership that "sees all company tickets": all of that company's;
  - with a listed membership that sees all tickets: those on the listed equipment, or on a
    listed site or anything beneath it (directly, or through the equipment's site);
  - in every member company: the tickets they are the contact of, created, or follow.
- Anyone else sees nothing.

Memberships are read first (one small query, remembered on the user object for the request) and
turned into literal ids and path prefixes, so that the ticket query itself is a plain
`company_id IN (...)` the database can serve from the (company, created_at) index — the common
case of a whole-company customer touches no other table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Q

from servicedesk.accounts.scopes import membership_scopes

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket  # noqa: F401 (string in the base class)


def customer_ticket_filter(user: Any) -> Q:
    scopes = membership_scopes(user)
    everything = [s.company_id for s in scopes if s.whole_company and s.sees_all_tickets]
    condition = Q(company_id__in=everything) if everything else Q(pk__in=[])
    partial = [s for s in scopes if s.company_id not in everything]
    if not partial:
        return condition
    follower = apps.get_model("tickets", "TicketFollower")
    personal = (
        Q(contact=user)
        | Q(created_by=user)
        | Q(pk__in=follower.objects.filter(user=user).values("ticket_id"))
    )
    branch = personal
    for scope in partial:
        if not scope.sees_all_tickets or scope.whole_company:
            continue
        listed = Q(equipment_id__in=scope.equipment_ids) if scope.equipment_ids else Q(pk__in=[])
        for path in scope.site_paths:
            listed |= Q(site__path__startswith=path) | Q(equipment__site__path__startswith=path)
        branch |= Q(company_id=scope.company_id) & listed
    return condition | (Q(company_id__in=[s.company_id for s in partial]) & branch)


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: Any) -> Self:
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        if user.is_provider_staff:
            return self
        return self.filter(customer_ticket_filter(user))

    def open(self) -> Self:
        from servicedesk.tickets.models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)
