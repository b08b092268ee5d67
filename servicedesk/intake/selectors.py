"""What the staff ticket page shows of a ticket filed without an account: who filed it (as they
typed it), from which form, and the state of their status links (intake/links.py decides when
a link works)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from phonenumber_field.phonenumber import to_python as phone_parse

from servicedesk.intake.links import LinkState, contact_link_state
from servicedesk.intake.models import GuestFiling, GuestLink
from servicedesk.tickets.models import Origin, Ticket, TicketFollower

# Filings are made through the web form and the passport's form only (intake/services.py):
# another ticket's page asks nothing.
GUEST_ORIGINS = frozenset({Origin.WEB_FORM, Origin.QR})
# The newest links shown; older ones (revoked long ago) are in the Django admin.
LINKS_SHOWN = 5


@dataclass(frozen=True)
class LinkRow:
    link: GuestLink
    state: LinkState

    @property
    def is_active(self) -> bool:
        return self.state == LinkState.ACTIVE


@dataclass(frozen=True)
class GuestCard:
    filing: GuestFiling
    links: list[LinkRow]
    # Whether a link of the contact's would work now (leaving revocation aside), and if not, why
    contact_state: LinkState

    @property
    def phone(self) -> Any:
        """The typed phone (stored in E.164) as a PhoneNumber, shown as the site formats
        numbers; None without one."""
        return phone_parse(self.filing.phone) if self.filing.phone else None

    @property
    def live(self) -> bool:
        """A link not revoked yet (working or not): there is something to revoke."""
        return any(row.link.revoked_at is None for row in self.links)

    @property
    def can_send(self) -> bool:
        """A new link could be mailed: an address, and a link would work."""
        return bool(self.filing.contact.email) and self.contact_state == LinkState.ACTIVE


def guest_card(ticket: Ticket) -> GuestCard | None:
    """The card's data, or None for a ticket not filed without an account. A fixed number of
    queries whatever the number of links: the filing with its contact, form and whether the
    contact follows the ticket; the contact's newest links; and, when the contact could still
    use a link, the scoping layer's answer for them (`contact_link_state`)."""
    if ticket.origin not in GUEST_ORIGINS:
        return None
    filing = (
        GuestFiling.objects.filter(ticket=ticket)
        .select_related("contact", "webform")
        .annotate(
            follows=Exists(
                TicketFollower.objects.filter(ticket=OuterRef("ticket"), user=OuterRef("contact"))
            )
        )
        .first()
    )
    if filing is None:
        return None
    links = list(
        GuestLink.objects.filter(ticket=ticket, contact_id=filing.contact_id)
        .select_related("revoked_by")
        .order_by("-created_at", "-pk")[:LINKS_SHOWN]
    )
    state = contact_link_state(filing.contact, ticket, follows=filing.follows)
    rows = [
        LinkRow(link, LinkState.REVOKED if link.revoked_at is not None else state) for link in links
    ]
    return GuestCard(filing=filing, links=rows, contact_state=state)
