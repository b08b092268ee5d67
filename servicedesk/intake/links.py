"""Status links for people without an account: `/t/<token>/` follows one ticket.

The token is `django.core.signing.Signer` of the `GuestLink` row's id and random key, with this
module's own salt: it cannot be made or altered without SECRET_KEY, and the row makes it
revocable. A link works while all of these hold (`guest_link_resolve`):

- the row exists, its key matches and it is not revoked (staff revoke it; a new link is a new
  row with a new key);
- the person is active and still has no usable password: once they set one (an invitation, a
  password reset) they sign in to the portal instead, and every link of theirs is dead;
- the person is still the ticket's contact or one of its followers, and the ticket is visible
  to them through the one scoping layer (`Ticket.objects.visible_to`) — a ticket moved to
  another company is out of reach as it is in the portal.

Nothing else is reachable from a link: the page reads that one ticket by the row's ticket id.
"""

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from servicedesk.accounts.models import User
from servicedesk.intake.models import GuestLink
from servicedesk.tickets.models import Ticket, TicketFollower

_SALT = "servicedesk.intake.guest-link"


def guest_link_token(link: GuestLink) -> str:
    """The same token every time for the same row (no timestamp: the row decides how long it
    lives)."""
    return signing.Signer(salt=_SALT).sign_object([link.pk, link.key])


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def guest_link_url(link: GuestLink) -> str:
    return _absolute(reverse("guest_status", args=[guest_link_token(link)]))


def guest_link_get_or_create(ticket: Ticket, contact: User) -> GuestLink:
    """The person's live link to the ticket, made when there is none."""
    link = GuestLink.objects.filter(ticket=ticket, contact=contact, revoked_at__isnull=True).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return GuestLink.objects.create(ticket=ticket, contact=contact)
    except IntegrityError:  # made by a parallel request a moment before
        return GuestLink.objects.get(ticket=ticket, contact=contact, revoked_at__isnull=True)


def guest_status_url(ticket: Ticket, contact: User) -> str:
    """The absolute status link of `contact` for `ticket` (made once, then the same)."""
    return guest_link_url(guest_link_get_or_create(ticket, contact))


def guest_status_url_existing(ticket: Ticket, contact: User) -> str | None:
    """The live link, if the person has one and it works; never makes one (the notifications
    point a guest's emails to it)."""
    if contact.has_usable_password() or not contact.is_active:
        return None
    link = GuestLink.objects.filter(ticket=ticket, contact=contact, revoked_at__isnull=True).first()
    return None if link is None else guest_link_url(link)


def guest_link_resolve(token: str) -> GuestLink | None:
    """The live link a token stands for, with its ticket and contact loaded; None for any token
    that does not work (altered, revoked, the person has a password now, or has lost the
    ticket). One query."""
    try:
        pk, key = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(key, str):
        return None
    link = (
        GuestLink.objects.select_related(
            "contact", "ticket", "ticket__company", "ticket__ticket_type"
        )
        .filter(pk=pk, revoked_at__isnull=True)
        .annotate(
            follows=Exists(
                TicketFollower.objects.filter(ticket=OuterRef("ticket"), user=OuterRef("contact"))
            )
        )
        .first()
    )
    if link is None or not constant_time_compare(link.key, key):
        return None
    contact: Any = link.contact
    if not contact.is_active or contact.has_usable_password():
        return None
    if link.ticket.contact_id != contact.pk and not link.follows:
        return None
    if not Ticket.objects.visible_to(contact).filter(pk=link.ticket_id).exists():
        return None
    return link


def guest_link_touch(link: GuestLink) -> None:
    GuestLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


@transaction.atomic
def guest_links_revoke(*, ticket: Ticket, by: User | None, contact: User | None = None) -> int:
    """Staff cut the ticket's status links (all, or one person's); returns how many died. The
    rows keep who revoked them and when (no timeline entry: the timeline's kinds belong to the
    tickets app)."""
    links = GuestLink.objects.filter(ticket=ticket, revoked_at__isnull=True)
    if contact is not None:
        links = links.filter(contact=contact)
    return links.update(revoked_at=timezone.now(), revoked_by=by)
