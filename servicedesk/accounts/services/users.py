"""People and their company memberships: creation, details, roles, conversion between employee
and customer, deactivation."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import STAFF_ROLES, AuditEvent, Membership, Role, User
from servicedesk.accounts.services.audit import audit_record
from servicedesk.accounts.services.invitations import invitation_send
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Company, Equipment, Site


@dataclass(frozen=True)
class MembershipData:
    company: Company
    scope: str = Membership.Scope.COMPANY
    sites: Sequence[Site] = field(default_factory=tuple)
    equipment: Sequence[Equipment] = field(default_factory=tuple)
    sees_all_tickets: bool = True
    analytics: bool | None = None  # None: as the scope says (Membership.sees_analytics)


def _memberships_replace(user: User, memberships: Sequence[MembershipData]) -> None:
    companies = [m.company.pk for m in memberships]
    if len(set(companies)) != len(companies):
        raise ApplicationError(
            _("Each company can be given only once."), code=ErrorCode.DUPLICATE_COMPANY
        )
    for data in memberships:
        foreign = [s for s in data.sites if s.company_id != data.company.pk] + [
            e for e in data.equipment if e.company_id != data.company.pk
        ]
        if foreign:
            raise ApplicationError(
                _("%(object)s does not belong to %(company)s.")
                % {"object": foreign[0], "company": data.company},
                code=ErrorCode.FOREIGN_SCOPE,
            )
        if data.scope == Membership.Scope.LISTED and not (data.sites or data.equipment):
            raise ApplicationError(
                _("Choose at least one site or piece of equipment for %(company)s.")
                % {"company": data.company},
                code=ErrorCode.EMPTY_SCOPE,
            )
    user.memberships.exclude(company_id__in=companies).delete()
    for data in memberships:
        membership, _created = Membership.objects.update_or_create(
            user=user,
            company=data.company,
            defaults={
                "scope": data.scope,
                "sees_all_tickets": data.sees_all_tickets,
                "analytics": data.analytics,
            },
        )
        listed = data.scope == Membership.Scope.LISTED
        membership.sites.set(data.sites if listed else [])
        membership.equipment.set(data.equipment if listed else [])


def full_clean_or_error(instance: Any, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        # One message a person can act on; forms validate field by field before this.
        raise ApplicationError(" ".join(error.messages), code=ErrorCode.INVALID) from error


@transaction.atomic
def user_create(
    *,
    by: User | None,
    full_name: str,
    role: str,
    email: str | None = None,
    phone: str = "",
    position: str = "",
    language: str = "",
    time_zone: str = "",
    memberships: Sequence[MembershipData] = (),
    send_invitation: bool = True,
    request: HttpRequest | None = None,
) -> User:
    """Create a person; they get no password, only an invitation to set one."""
    if role == Role.CUSTOMER and not memberships:
        raise ApplicationError(
            _("A customer must belong to at least one company."), code=ErrorCode.NO_COMPANY
        )
    user = User(
        email=(email or "").strip().lower() or None,
        phone=phone,
        full_name=full_name.strip(),
        role=role,
        position=position,
        language=language,
        time_zone=time_zone,
    )
    user.set_unusable_password()
    full_clean_or_error(user, exclude=["password"])
    user.save()
    if role == Role.CUSTOMER:
        _memberships_replace(user, memberships)
    audit_record(kind=AuditEvent.Kind.USER_CREATED, actor=by, user=user, request=request)
    if send_invitation:
        invitation_send(user=user, by=by, request=request)
    return user


USER_EDITABLE_FIELDS = ("email", "phone", "full_name", "position", "language", "time_zone")


@transaction.atomic
def user_update(
    *,
    by: User,
    user: User,
    memberships: Sequence[MembershipData] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> User:
    """Change a person's details (not their role: see user_convert and user_role_set)."""
    unknown = set(fields) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    before = {name: str(getattr(user, name) or "") for name in fields}
    for name, value in fields.items():
        setattr(user, name, value)
    if "email" in fields:
        user.email = (user.email or "").strip().lower() or None
    full_clean_or_error(user, exclude=["password"])
    user.save()
    if memberships is not None and user.is_customer:
        if not memberships:
            raise ApplicationError(
                _("A customer must belong to at least one company."), code=ErrorCode.NO_COMPANY
            )
        _memberships_replace(user, memberships)
    changed = sorted(n for n in fields if before[n] != str(getattr(user, n) or ""))
    audit_record(
        kind=AuditEvent.Kind.USER_UPDATED, actor=by, user=user, request=request, fields=changed
    )
    return user


@transaction.atomic
def user_role_set(*, by: User, user: User, role: str, request: HttpRequest | None = None) -> User:
    """Move a member of staff between staff roles (admin, dispatcher, engineer)."""
    if role not in STAFF_ROLES or not user.is_provider_staff:
        raise ApplicationError(
            _("Use conversion to move a person between employees and customers."),
            code=ErrorCode.NOT_A_STAFF_ROLE,
        )
    if user.pk == by.pk:
        raise ApplicationError(_("You cannot change your own role."), code=ErrorCode.SELF)
    old = user.role
    if old != role:
        user.role = role
        user.save(update_fields=["role", "updated_at"])
        audit_record(
            kind=AuditEvent.Kind.ROLE_CHANGED, actor=by, user=user, request=request,
            old=old, new=role,
        )  # fmt: skip
    return user


@transaction.atomic
def user_hourly_rate_set(
    *, by: User, user: User, hourly_rate: Decimal | None, request: HttpRequest | None = None
) -> User:
    """An employee's hourly rate, offered on the completed works they do (None: not set).
    Administrators set it (the caller asks for "accounts.manage_staff")."""
    if not user.is_provider_staff:
        raise ApplicationError(
            _("Only employees have an hourly rate."), code=ErrorCode.NOT_A_STAFF_ROLE
        )
    old = user.hourly_rate
    user.hourly_rate = hourly_rate
    try:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name != "hourly_rate"])
    except ValidationError as error:
        user.hourly_rate = old
        raise ApplicationError(
            " ".join(error.messages), code=ErrorCode.RATE, field="hourly_rate"
        ) from error
    if old != hourly_rate:
        user.save(update_fields=["hourly_rate", "updated_at"])
        audit_record(
            kind=AuditEvent.Kind.USER_UPDATED, actor=by, user=user, request=request,
            fields=["hourly_rate"],
        )  # fmt: skip
    return user


@transaction.atomic
def user_convert(
    *,
    by: User,
    user: User,
    role: str,
    memberships: Sequence[MembershipData] = (),
    request: HttpRequest | None = None,
) -> User:
    """Make an employee a customer or a customer an employee.

    The person, their history and everything they authored stay; only the role changes, and
    with it what they may see from their next request on. A customer's company memberships are
    kept while they are an employee (they grant nothing then), so converting back restores them;
    converting to a customer needs at least one company, given or kept.
    """
    if user.pk == by.pk:
        raise ApplicationError(_("You cannot convert yourself."), code=ErrorCode.SELF)
    to_customer = role == Role.CUSTOMER
    if to_customer == user.is_customer or (not to_customer and role not in STAFF_ROLES):
        raise ApplicationError(_("Choose the other kind of role."), code=ErrorCode.SAME_KIND)
    if to_customer:
        if memberships:
            _memberships_replace(user, memberships)
        elif not user.memberships.exists():
            raise ApplicationError(
                _("Choose the company the customer belongs to."), code=ErrorCode.NO_COMPANY
            )
    old = user.role
    user.role = role
    user.save(update_fields=["role", "updated_at"])
    audit_record(
        kind=AuditEvent.Kind.CONVERTED, actor=by, user=user, request=request, old=old, new=role
    )
    return user


def end_sessions(user: User) -> None:
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()


@transaction.atomic
def user_deactivate(*, by: User, user: User, request: HttpRequest | None = None) -> User:
    """Sign the person out everywhere and stop them signing in; their history stays.

    Sessions that allauth did not record are refused as well: the authentication backend
    does not load inactive users.
    """
    if user.pk == by.pk:
        raise ApplicationError(_("You cannot deactivate yourself."), code=ErrorCode.SELF)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    user.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    end_sessions(user)
    audit_record(kind=AuditEvent.Kind.DEACTIVATED, actor=by, user=user, request=request)
    return user


@transaction.atomic
def user_reactivate(*, by: User, user: User, request: HttpRequest | None = None) -> User:
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
    audit_record(kind=AuditEvent.Kind.REACTIVATED, actor=by, user=user, request=request)
    return user
