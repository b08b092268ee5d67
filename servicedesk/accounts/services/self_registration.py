"""People who register themselves from a piece of equipment's passport (QR), and the scope a
signed-in person adds from one. Decision record «passport»: the new account is a customer of
the equipment's company who sees exactly that one piece (a LISTED membership); an address or
phone that already has an account is never attached to or taken over here — its owner signs
in and confirms (`passport_scope_add`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import AuditEvent, Membership, Role, User
from servicedesk.accounts.services.audit import audit_record
from servicedesk.accounts.services.users import MembershipData, user_create
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Equipment


def existing_account(*, email: str | None, phone: str) -> User | None:
    """The account that already uses the address or the phone number, active or not."""
    if email:
        found = User.objects.filter(email__iexact=email.strip()).first()
        if found is not None:
            return found
    if phone:
        return User.objects.filter(phone=phone).first()
    return None


@transaction.atomic
def passport_register(
    *,
    equipment: Equipment,
    full_name: str,
    email: str | None = None,
    phone: str = "",
    language: str = "",
    request: HttpRequest | None = None,
) -> User:
    """A new customer person, confirmed by a one-time code the caller checked: a member of the
    equipment's company who sees that one piece of equipment (and its tickets), no analytics.
    Refused if the address or phone already has an account (nothing is changed on it)."""
    if existing_account(email=email, phone=phone) is not None:
        raise ApplicationError(
            _("This address already has an account: sign in to add the equipment to it."),
            code=ErrorCode.CONFLICT,
        )
    try:
        with transaction.atomic():
            user = user_create(
                by=None,
                full_name=full_name.strip()[:200] or (email or phone).partition("@")[0],
                role=Role.CUSTOMER,
                email=email or None,
                phone=phone,
                language=language,
                memberships=[
                    MembershipData(
                        company=equipment.company,
                        scope=Membership.Scope.LISTED,
                        equipment=[equipment],
                        analytics=False,
                    )
                ],
                send_invitation=False,
                request=request,
            )
    except IntegrityError:  # the same address registered a moment ago by another request
        raise ApplicationError(
            _("This address already has an account: sign in to add the equipment to it."),
            code=ErrorCode.CONFLICT,
        ) from None
    # The one-time code proved the address and signed them in: they are active from now on
    # (People showed them as «Приглашён» for good, with no invitation to accept).
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(registered_from=equipment, activated_at=now)
    user.registered_from, user.activated_at = equipment, now
    audit_record(
        kind=AuditEvent.Kind.USER_CREATED,
        user=user,
        request=request,
        passport_equipment=equipment.pk,
    )
    return user


@transaction.atomic
def passport_scope_add(
    *, user: User, equipment: Equipment, request: HttpRequest | None = None
) -> bool:
    """A signed-in customer confirmed they want to see the equipment they scanned: it is added
    to their membership of its company (a new LISTED membership if they have none). A member of
    the whole company already sees it. Returns whether anything changed. Staff see every piece
    and get nothing added."""
    if not user.is_customer or not user.is_active:
        return False
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, company_id=equipment.company_id)
        .first()
    )
    if membership is None:
        membership = Membership.objects.create(
            user=user,
            company=equipment.company,
            scope=Membership.Scope.LISTED,
            analytics=False,
        )
    elif membership.scope == Membership.Scope.COMPANY:
        return False
    if membership.equipment.filter(pk=equipment.pk).exists():
        return False
    membership.equipment.add(equipment)
    user.__dict__.pop("_ticket_scopes", None)  # read afresh (accounts/scopes.py)
    audit_record(
        kind=AuditEvent.Kind.USER_UPDATED,
        actor=user,
        user=user,
        request=request,
        passport_equipment_added=equipment.pk,
    )
    return True
