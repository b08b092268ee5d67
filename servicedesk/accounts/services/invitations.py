"""Invitations: the link a new person sets their password with, sent by email or SMS."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from servicedesk.accounts.models import AuditEvent, Invitation, User
from servicedesk.accounts.services.audit import audit_record
from servicedesk.accounts.tokens import invitation_token_parse
from servicedesk.core.errors import ApplicationError, ErrorCode


@transaction.atomic
def invitation_send(
    *, user: User, by: User | None, request: HttpRequest | None = None
) -> Invitation:
    """Send (or send again) an invitation: by email, or by SMS when there is only a phone.
    Earlier open invitations stop working."""
    from servicedesk.accounts import tasks

    if not user.is_active:
        raise ApplicationError(_("The user is deactivated."), code=ErrorCode.INACTIVE)
    if user.is_activated:
        raise ApplicationError(
            _("This person has already set a password; they can use “Forgot your password?”."),
            code=ErrorCode.ALREADY_ACTIVATED,
        )
    if not user.email and not user.phone:
        raise ApplicationError(
            _("Give an email address or a phone number."), code=ErrorCode.NO_ADDRESS
        )
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
        raise ApplicationError(_("This link is not valid."), code=ErrorCode.INVALID_LINK)
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
