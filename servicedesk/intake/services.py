"""Filing a ticket for a person without an account (the web form, the equipment passport's
form), and telling them its number and status link.

`guest_ticket_create` never attaches to or takes over an account (decision record on intake):

- no address typed, or one nobody has: a new *guest contact* — a customer person of the given
  company with no usable password and no invitation, who sees only the tickets they file or
  follow (`sees_all_tickets` off, no analytics), as an unknown email sender becomes one
  (mail/inbound.py). A phone number already someone's is not put on the guest (it stays on the
  filing, and no SMS goes to it);
- an address that is an active customer's of that same company: the ticket is filed under that
  person (their scope decides, as in the portal), and the status link goes to that address
  only — the page never shows it (`GuestFiling.existing`, `show_link` False);
- an address of anybody else (staff, another company's customer, an inactive person, or a
  customer of the company limited to listed sites or equipment): refused with a clear message
  and nothing stored; they sign in and file in the portal.

The ticket goes through `tickets.services.ticket_create`: the same checks (files by
`attachments_check`), the same timeline, SLA and notifications. Everything is one transaction:
a refused ticket leaves no guest contact behind.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from phonenumber_field.phonenumber import to_python as phone_parse

from servicedesk.accounts.models import Membership, Role, User
from servicedesk.accounts.scopes import membership_scopes
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Company, Equipment
from servicedesk.intake.links import (
    REVOKE,
    LinkState,
    contact_link_state,
    guest_link_get_or_create,
    guest_link_url,
    guest_links_revoke,
)
from servicedesk.intake.models import GuestFiling, GuestLink, WebForm
from servicedesk.tickets import events
from servicedesk.tickets.models import Origin, Ticket, TicketFollower
from servicedesk.tickets.services import TicketData, attachments_check, ticket_create

CONFIRM_EMAIL = "email"
CONFIRM_SMS = "sms"
_CONTROL = re.compile(r"[\x00-\x1f\x7f<>\"]+")


def clean_line(value: str, limit: int) -> str:
    """One line of text a visitor typed: no control characters or angle brackets, trimmed."""
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", value or "")).strip()[:limit]


def email_clean(value: str) -> str:
    value = (value or "").strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError as error:
        raise ApplicationError(
            _("Enter a valid email address."), code=ErrorCode.EMAIL, field="email"
        ) from error
    return value


def phone_clean(value: str) -> str:
    """The number in E.164, or "" when none was typed; a number that cannot be one is refused."""
    value = (value or "").strip()
    if not value:
        return ""
    number = phone_parse(value)
    if number is None or not getattr(number, "is_valid", lambda: False)():
        raise ApplicationError(
            _("Enter a valid phone number, e.g. +7 912 345-67-89."),
            code=ErrorCode.PHONE,
            field="phone",
        )
    return str(number.as_e164)


def _refused_existing() -> ApplicationError:
    return ApplicationError(
        _(
            "This email address belongs to an account that cannot file through this form. "
            "Sign in to the customer portal to file the ticket, or give another address."
        ),
        code=ErrorCode.EXISTING_ACCOUNT,
        field="email",
    )


def _existing_may_file(person: User, company: Company) -> bool:
    """An active customer of the company who may file about the whole company (a person
    limited to listed sites or equipment would have to choose one: they sign in instead)."""
    if not (person.is_active and person.role == Role.CUSTOMER):
        return False
    return any(s.company_id == company.pk and s.whole_company for s in membership_scopes(person))


def _guest_contact(
    company: Company, *, name: str, email: str, phone: str, equipment: Equipment | None
) -> User:
    """A customer person without a password who sees only the tickets they file or follow —
    and, when `equipment` is given (filed from its passport), that one piece of equipment
    only: were they ever to set a password (password reset reaches any address), they would
    see no more of the company than the label they scanned."""
    from servicedesk.accounts.services.users import MembershipData, user_create

    phone_free = bool(phone) and not User.objects.filter(phone=phone).exists()
    full_name = name or email.partition("@")[0] or phone or _("Visitor")
    membership = MembershipData(company=company, sees_all_tickets=False, analytics=False)
    if equipment is not None:
        membership = replace(membership, scope=Membership.Scope.LISTED, equipment=[equipment])
    return user_create(
        by=None,
        full_name=full_name[:200],
        role=Role.CUSTOMER,
        email=email or None,
        phone=phone if phone_free else "",
        memberships=[membership],
        send_invitation=False,
    )


def guest_ticket_create(
    *,
    company: Company,
    data: TicketData,
    name: str,
    email: str,
    phone: str,
    origin: str,
    files: Sequence[UploadedFile[bytes]] = (),
    webform: WebForm | None = None,
    company_name: str = "",
    equipment_model: str = "",
    confirm_by: Collection[str] = (CONFIRM_EMAIL,),
    only_equipment: Equipment | None = None,
) -> GuestFiling:
    """File `data` in `company` for a person without an account (module docstring). Returns
    the filing with `status_url` (the link) and `show_link` (whether the page may show it) set.
    Confirmations (`confirm_by`: "email", "sms") are sent after the commit; a ticket filed under
    an existing person always sends the link to their address, and only there. A new person
    is scoped to `only_equipment` when it is given (filing from a passport)."""
    if origin not in Origin.values:
        raise ApplicationError(_("Unknown origin."), code=ErrorCode.ORIGIN)
    name = clean_line(name, 200)
    email = email_clean(email)
    phone = phone_clean(phone)
    files = list(files)
    attachments_check(files)  # a refused file refuses the filing before anyone is made
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first() if email else None
        if existing is not None:
            if not _existing_may_file(existing, company):
                raise _refused_existing()
            contact = existing
        else:
            contact = _guest_contact(
                company, name=name, email=email, phone=phone, equipment=only_equipment
            )
        try:
            ticket = ticket_create(
                by=contact, data=replace(data, company=company), origin=origin, files=files
            )
        except ApplicationError as error:
            if existing is not None and error.field in ("company", "site", "equipment"):
                raise _refused_existing() from error
            raise
        filing = GuestFiling.objects.create(
            ticket=ticket,
            contact=contact,
            webform=webform,
            origin=origin,
            name=name,
            email=email,
            phone=phone,
            company_name=clean_line(company_name, 200),
            equipment_model=clean_line(equipment_model, 200),
            existing=existing is not None,
        )
        link = guest_link_get_or_create(ticket, contact)
        filing.status_url = guest_link_url(link)  # type: ignore[attr-defined]
        filing.show_link = existing is None  # type: ignore[attr-defined]
        _confirm(filing, contact, confirm_by)
    return filing


def _confirm(filing: GuestFiling, contact: User, confirm_by: Collection[str]) -> None:
    from servicedesk.intake import tasks

    pk = filing.pk
    if filing.existing:
        if contact.email:
            transaction.on_commit(lambda: tasks.guest_confirmation_email(pk))
        return
    if CONFIRM_EMAIL in confirm_by and contact.email:
        transaction.on_commit(lambda: tasks.guest_confirmation_email(pk))
    if CONFIRM_SMS in confirm_by and contact.phone:
        transaction.on_commit(lambda: tasks.guest_confirmation_sms(pk))


def confirmation_link(filing: GuestFiling) -> str:
    """Where the confirmation points: the status link for a person without a password, the
    portal's ticket page for one who has an account."""
    contact = filing.contact
    if contact.has_usable_password():
        try:
            path = reverse("portal:ticket_detail", args=[filing.ticket.number])
        except NoReverseMatch:  # pragma: no cover
            path = "/"
        return str(settings.SITE_URL).rstrip("/") + path
    return guest_link_url(guest_link_get_or_create(filing.ticket, contact))


def confirmation_email_queue(filing: GuestFiling) -> int | None:
    """Queue the confirmation email in the outbound log (once per filing); its row id."""
    from servicedesk.core.mail import render_mail
    from servicedesk.mail.services import outbound_queue

    contact = filing.contact
    if not contact.email or not contact.is_active:
        return None
    context: dict[str, Any] = {
        "ticket": filing.ticket,
        "link": confirmation_link(filing),
        "contact": contact,
        "account": contact.has_usable_password(),
    }
    message = render_mail(
        "intake/email/guest_confirmation",
        context,
        to=[contact.email],
        language=contact.language or None,
    )
    row = outbound_queue(
        message,
        kind="guest_confirmation",
        key=f"guest_confirmation:{filing.pk}",
        ticket=filing.ticket,
        user=contact,
    )
    return None if row is None else row.pk


def confirmation_sms_text(filing: GuestFiling) -> str:
    with override(filing.contact.language or settings.LANGUAGE_CODE):
        return _("Ticket %(number)s is registered. Its status: %(link)s") % {
            "number": filing.ticket.number,
            "link": confirmation_link(filing),
        }


@transaction.atomic
def guest_link_resend(*, ticket: Ticket, by: User) -> GuestLink:
    """Staff who may work on the ticket send the guest who filed it a new status link, by
    email to the contact's address (never to another one): the live link, if any, dies (it may
    be the one that leaked), a new one is made and mailed after the commit through the outbound
    log, and the timeline says so (staff only). Refused when the contact has no address or a
    new link would not work (a password now, deactivated, no longer following, the ticket out
    of their reach)."""
    if not by.has_perm(REVOKE, ticket):
        raise PermissionDenied
    filing = GuestFiling.objects.select_related("contact").filter(ticket=ticket).first()
    if filing is None:
        raise ApplicationError(
            _("The ticket was not filed without an account: it has no status link."),
            code=ErrorCode.INVALID_LINK,
        )
    contact = filing.contact
    if not contact.email:
        raise ApplicationError(
            _("The person left no email address: tell them the link another way."),
            code=ErrorCode.NO_ADDRESS,
        )
    follows = TicketFollower.objects.filter(ticket=ticket, user=contact).exists()
    state = contact_link_state(contact, ticket, follows=follows)
    if state != LinkState.ACTIVE:
        raise ApplicationError(
            _("A new link would not work either. %(reason)s") % {"reason": state.label},
            code=ErrorCode.INVALID_LINK,
        )
    guest_links_revoke(ticket=ticket, by=by, contact=contact)
    link = GuestLink.objects.create(ticket=ticket, contact=contact)
    events.guest_link_sent(ticket, by, contact.email)
    from servicedesk.intake import tasks

    pk = link.pk
    transaction.on_commit(lambda: tasks.guest_link_email(pk))
    return link


def guest_link_email_queue(link: GuestLink) -> int | None:
    """Queue the email with a new status link in the outbound log (once per link); its row
    id, or None when there is nothing to send."""
    from servicedesk.core.mail import render_mail
    from servicedesk.mail.services import outbound_queue

    contact = link.contact
    if not contact.email or not contact.is_active or link.revoked_at is not None:
        return None
    message = render_mail(
        "intake/email/guest_link",
        {"ticket": link.ticket, "link": guest_link_url(link), "contact": contact},
        to=[contact.email],
        language=contact.language or None,
    )
    row = outbound_queue(
        message, kind="guest_link", key=f"guest_link:{link.pk}", ticket=link.ticket, user=contact
    )
    return None if row is None else row.pk
