"""Every change to people and their access: creation, invitations, passwords, deactivation,
conversion between employee and customer, access requests. Each records an AuditEvent.

Views, the import and management commands call these; permission checks ("may this staff
member manage that user") are the caller's, through `user.has_perm("accounts.manage_user", u)`.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from servicedesk.accounts.models import (
    STAFF_ROLES,
    AccessRequest,
    AuditEvent,
    Invitation,
    Membership,
    Role,
    User,
)
from servicedesk.accounts.tokens import invitation_token_parse
from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import Company, Equipment, Site

# --- Audit ---------------------------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        ip: str | None = get_adapter().get_client_ip(request)
    except PermissionDenied:  # no usable address (e.g. a request built in code)
        return None
    return ip


def audit_record(
    *,
    kind: str,
    actor: User | None = None,
    user: User | None = None,
    request: HttpRequest | None = None,
    identifier: str = "",
    **details: Any,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        user=user,
        identifier=identifier[:254],
        ip=client_ip(request),
        user_agent=(request.headers.get("user-agent", "")[:300] if request else ""),
        details=details,
    )


# --- Users and memberships ---------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipData:
    company: Company
    scope: str = Membership.Scope.COMPANY
    sites: Sequence[Site] = field(default_factory=tuple)
    equipment: Sequence[Equipment] = field(default_factory=tuple)
    sees_all_tickets: bool = True


def _memberships_replace(user: User, memberships: Sequence[MembershipData]) -> None:
    companies = [m.company.pk for m in memberships]
    if len(set(companies)) != len(companies):
        raise ApplicationError(_("Each company can be given only once."), code="duplicate_company")
    for data in memberships:
        foreign = [s for s in data.sites if s.company_id != data.company.pk] + [
            e for e in data.equipment if e.company_id != data.company.pk
        ]
        if foreign:
            raise ApplicationError(
                _("%(object)s does not belong to %(company)s.")
                % {"object": foreign[0], "company": data.company},
                code="foreign_scope",
            )
        if data.scope == Membership.Scope.LISTED and not (data.sites or data.equipment):
            raise ApplicationError(
                _("Choose at least one site or piece of equipment for %(company)s.")
                % {"company": data.company},
                code="empty_scope",
            )
    user.memberships.exclude(company_id__in=companies).delete()
    for data in memberships:
        membership, _created = Membership.objects.update_or_create(
            user=user,
            company=data.company,
            defaults={"scope": data.scope, "sees_all_tickets": data.sees_all_tickets},
        )
        listed = data.scope == Membership.Scope.LISTED
        membership.sites.set(data.sites if listed else [])
        membership.equipment.set(data.equipment if listed else [])


def _validate(instance: Any, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        # One message a person can act on; forms validate field by field before this.
        raise ApplicationError(" ".join(error.messages), code="invalid") from error


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
            _("A customer must belong to at least one company."), code="no_company"
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
    _validate(user, exclude=["password"])
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
    _validate(user, exclude=["password"])
    user.save()
    if memberships is not None and user.is_customer:
        if not memberships:
            raise ApplicationError(
                _("A customer must belong to at least one company."), code="no_company"
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
            code="not_a_staff_role",
        )
    if user.pk == by.pk:
        raise ApplicationError(_("You cannot change your own role."), code="self")
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
        raise ApplicationError(_("You cannot convert yourself."), code="self")
    to_customer = role == Role.CUSTOMER
    if to_customer == user.is_customer or (not to_customer and role not in STAFF_ROLES):
        raise ApplicationError(_("Choose the other kind of role."), code="same_kind")
    if to_customer:
        if memberships:
            _memberships_replace(user, memberships)
        elif not user.memberships.exists():
            raise ApplicationError(
                _("Choose the company the customer belongs to."), code="no_company"
            )
    old = user.role
    user.role = role
    user.save(update_fields=["role", "updated_at"])
    audit_record(
        kind=AuditEvent.Kind.CONVERTED, actor=by, user=user, request=request, old=old, new=role
    )
    return user


def _end_sessions(user: User) -> None:
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
        raise ApplicationError(_("You cannot deactivate yourself."), code="self")
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    user.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _end_sessions(user)
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


# --- Passwords -----------------------------------------------------------------------------------


def _readable_password() -> str:
    # 4 groups of 4 from an alphabet without look-alikes (0/O, 1/l/I): ~80 bits, easy to dictate.
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@transaction.atomic
def user_temporary_password_issue(
    *, by: User, user: User, request: HttpRequest | None = None
) -> str:
    """Give the person a password to be told by phone; it works once, for the next sign-in,
    which then asks for a new one before anything else. Returned here and stored nowhere."""
    if not user.is_active:
        raise ApplicationError(_("The user is deactivated."), code="inactive")
    password = _readable_password()
    user.password = make_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password", "updated_at"])
    _end_sessions(user)
    audit_record(kind=AuditEvent.Kind.TEMPORARY_PASSWORD, actor=by, user=user, request=request)
    return password


@transaction.atomic
def user_password_set(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """The person sets their own password (validators are the form's job)."""
    user.set_password(password)
    user.must_change_password = False
    if user.activated_at is None:
        user.activated_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "activated_at", "updated_at"])
    audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGED, actor=user, user=user, request=request)
    return user


# --- Invitations ---------------------------------------------------------------------------------


@transaction.atomic
def invitation_send(
    *, user: User, by: User | None, request: HttpRequest | None = None
) -> Invitation:
    """Send (or send again) an invitation: by email, or by SMS when there is only a phone.
    Earlier open invitations stop working."""
    from servicedesk.accounts import tasks

    if not user.is_active:
        raise ApplicationError(_("The user is deactivated."), code="inactive")
    if user.is_activated:
        raise ApplicationError(
            _("This person has already set a password; they can use “Forgot your password?”."),
            code="already_activated",
        )
    if not user.email and not user.phone:
        raise ApplicationError(_("Give an email address or a phone number."), code="no_address")
    now = timezone.now()
    user.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    invitation = Invitation.objects.create(
        user=user,
        channel=Invitation.Channel.EMAIL if user.email else Invitation.Channel.SMS,
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
        sent_by=by,
    )
    audit_record(
        kind=AuditEvent.Kind.INVITATION_SENT, actor=by, user=user, request=request,
        channel=invitation.channel,
    )  # fmt: skip
    transaction.on_commit(lambda: tasks.invitation_deliver(invitation.pk))
    return invitation


def invitation_find(token: str) -> Invitation | None:
    """The invitation a link stands for, if it can still be used; else None, whatever the
    reason (altered, truncated, expired, used, revoked, user deactivated or already in)."""
    parsed = invitation_token_parse(token)
    if parsed is None:
        return None
    invitation_id, nonce = parsed
    invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
    if invitation is None or not constant_time_compare(invitation.nonce, nonce):
        return None
    user = invitation.user
    if not invitation.is_usable(timezone.now()) or not user.is_active or user.is_activated:
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, request: HttpRequest | None = None
) -> User:
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    user = locked.user
    if not locked.is_usable(timezone.now()) or not user.is_active or user.is_activated:
        raise ApplicationError(_("This link is not valid."), code="invalid_link")
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at", "updated_at"])
    user.set_password(password)
    user.activated_at = locked.used_at
    user.must_change_password = False
    user.save(update_fields=["password", "activated_at", "must_change_password", "updated_at"])
    audit_record(kind=AuditEvent.Kind.INVITATION_ACCEPTED, actor=user, user=user, request=request)
    return user


def invitation_renew_request(*, identifier: str, request: HttpRequest | None = None) -> None:
    """Someone whose link no longer works asks for a new one by email or phone. If that is an
    invited person who is not in yet, a new link goes to their stored address; otherwise
    nothing happens. The caller answers the same either way."""
    identifier = identifier.strip()
    if not identifier:
        return
    candidates = User.objects.filter(is_active=True, activated_at__isnull=True)
    user = candidates.filter(email__iexact=identifier).first()
    if user is None:
        from phonenumber_field.phonenumber import to_python

        phone = to_python(identifier, region=settings.PHONENUMBER_DEFAULT_REGION)
        if phone is not None and phone.is_valid():
            user = candidates.filter(phone=phone).first()
    if user is not None:
        invitation_send(user=user, by=None, request=request)


# --- Access requests ---------------------------------------------------------------------------


@transaction.atomic
def access_request_create(
    *,
    full_name: str,
    company_name: str,
    email: str = "",
    phone: str = "",
    position: str = "",
    comment: str = "",
    language: str = "",
    requested_by: User | None = None,
    company: Company | None = None,
    request: HttpRequest | None = None,
) -> AccessRequest:
    access_request = AccessRequest(
        full_name=full_name.strip(),
        email=email.strip().lower(),
        phone=phone,
        company_name=company_name.strip(),
        position=position,
        comment=comment,
        language=language,
        requested_by=requested_by,
        company=company,
        ip=client_ip(request),
    )
    _validate(access_request)
    access_request.save()
    audit_record(
        kind=AuditEvent.Kind.ACCESS_REQUESTED, actor=requested_by, request=request,
        identifier=access_request.email or str(access_request.phone),
        access_request=access_request.pk,
    )  # fmt: skip
    return access_request


def _pending(access_request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != AccessRequest.Status.PENDING:
        raise ApplicationError(_("This request has already been decided."), code="decided")
    return locked


@transaction.atomic
def access_request_approve(
    *,
    by: User,
    access_request: AccessRequest,
    membership: MembershipData,
    request: HttpRequest | None = None,
) -> User:
    """Create the customer with the chosen company and scope, and invite them."""
    locked = _pending(access_request)
    user = user_create(
        by=by,
        full_name=locked.full_name,
        role=Role.CUSTOMER,
        email=locked.email or None,
        phone=str(locked.phone or ""),
        position=locked.position,
        language=locked.language,
        memberships=[membership],
        request=request,
    )
    locked.status = AccessRequest.Status.APPROVED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.user = user
    locked.save()
    audit_record(
        kind=AuditEvent.Kind.ACCESS_APPROVED, actor=by, user=user, request=request,
        access_request=locked.pk,
    )  # fmt: skip
    return user


@transaction.atomic
def access_request_reject(
    *, by: User, access_request: AccessRequest, reason: str, request: HttpRequest | None = None
) -> AccessRequest:
    """Refuse with a reason; the person is told by email when they gave an address."""
    from servicedesk.accounts import tasks

    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the rejection."), code="no_reason")
    locked = _pending(access_request)
    locked.status = AccessRequest.Status.REJECTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.rejection_reason = reason
    locked.save()
    audit_record(
        kind=AuditEvent.Kind.ACCESS_REJECTED, actor=by, request=request,
        identifier=locked.email or str(locked.phone), access_request=locked.pk,
    )  # fmt: skip
    if locked.email:
        transaction.on_commit(lambda: tasks.access_request_rejection_send(locked.pk))
    return locked
