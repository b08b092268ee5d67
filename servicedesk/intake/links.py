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
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.accounts.models import User
from servicedesk.intake.models import GuestLink
from servicedesk.tickets import events
from servicedesk.tickets.models import Ticket, TicketFollower

# Who may cut a ticket's status links and send a new one (intake/rules.py).
REVOKE = "intake.revoke_guest_link"


class LinkState(models.TextChoices):
    """Whether a status link works now, and if not, why (the staff ticket page's card)."""

    ACTIVE = "active", pgettext_lazy("status link", "Active")
    REVOKED = "revoked", pgettext_lazy("status link", "Revoked")
    ACCOUNT = "account", _("Not valid: the person has a password now and signs in")
    INACTIVE = "inactive", _("Not valid: the person is deactivated")
    NOT_FOLLOWING = "not_following", _("Not valid: the person no longer follows the ticket")
    OUT_OF_REACH = "out_of_reach", _("Not valid: the ticket is out of the person's reach")


def contact_link_state(contact: Any, ticket: Ticket, *, follows: bool) -> LinkState:
    """Whether a link of `contact`'s to `ticket` works, leaving the row (revocation, key) aside:
    the rules of the module's docstring, the cheap ones first; the scoping layer (a query or
    two) only when they pass. `follows`: the contact follows the ticket."""
    if not contact.is_active:
        return LinkState.INACTIVE
    if contact.has_usable_password():
        return LinkState.ACCOUNT
    if ticket.contact_id != contact.pk and not follows:
        return LinkState.NOT_FOLLOWING
    if not Ticket.objects.visible_to(contact).filter(pk=ticket.pk).exists():
        return LinkState.OUT_OF_REACH
    return LinkState.ACTIVE


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
    state = contact_link_state(link.contact, link.ticket, follows=link.follows)
    return link if state == LinkState.ACTIVE else None


def guest_link_touch(link: GuestLink) -> None:
    GuestLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


def _may_manage(by: User, ticket: Ticket) -> None:
    if not by.has_perm(REVOKE, ticket):
        raise PermissionDenied


@transaction.atomic
def guest_links_revoke(*, ticket: Ticket, by: User, contact: User | None = None) -> int:
    """Staff who may work on the ticket cut its status links (all, or one person's; a
    forwarded or leaked email); returns how many died. The rows keep who revoked them and when,
    and the ticket's timeline says so (for staff only) for each person whose link died."""
    _may_manage(by, ticket)
    links = GuestLink.objects.select_for_update(of=("self",)).filter(
        ticket=ticket, revoked_at__isnull=True
    )
    if contact is not None:
        links = links.filter(contact=contact)
    revoked = list(links.select_related("contact").order_by("pk"))
    if not revoked:
        return 0
    GuestLink.objects.filter(pk__in=[link.pk for link in revoked]).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    for link in revoked:
        events.guest_link_revoked(ticket, by, _person(link.contact))
    return len(revoked)


def guest_links_revoke_selected(*, ids: list[int], by: User | None) -> int:
    """Staff cut the chosen links (Django admin's «Revoke», administrators only); returns how
    many died now. Each ticket's timeline says so, as for `guest_links_revoke`."""
    with transaction.atomic():
        revoked = list(
            GuestLink.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, revoked_at__isnull=True)
            .select_related("contact")
            .order_by("pk")
        )
        GuestLink.objects.filter(pk__in=[link.pk for link in revoked]).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        for link in revoked:
            events.guest_link_revoked(link.ticket_id, by, _person(link.contact))
    return len(revoked)


def _person(contact: Any) -> str:
    return str(contact.full_name or contact.email or contact.pk)
