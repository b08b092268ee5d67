"""Audit records for security events that Django and allauth announce only through signals
(sign-in, failed sign-in, sign-out, password reset and change, two-factor changes). Everything
the product itself does is recorded by its services instead."""

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from servicedesk.accounts.models import AuditEvent
from servicedesk.accounts.services import audit_record


@receiver(auth_signals.user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditEvent.Kind.LOGIN, actor=user, user=user, request=request)


@receiver(auth_signals.user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(kind=AuditEvent.Kind.LOGOUT, actor=user, user=user, request=request)


@receiver(auth_signals.user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from servicedesk.accounts.login import phone_credential
    from servicedesk.accounts.models import User

    phone = str(credentials.get("phone") or "")
    identifier = str(credentials.get("email") or credentials.get("username") or phone)
    user = None
    if phone and phone_credential(phone) == phone:
        user = User.objects.filter(phone=phone).first()
    elif identifier and not phone:
        user = User.objects.filter(email__iexact=identifier).first()
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED, user=user, request=request, identifier=identifier
    )


@receiver(account_signals.password_reset)
def _password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from django.utils import timezone

    # A reset proves the address: the person is in, whatever a temporary password said.
    user.must_change_password = False
    if user.activated_at is None:
        user.activated_at = timezone.now()
    user.save(update_fields=["must_change_password", "activated_at", "updated_at"])
    audit_record(kind=AuditEvent.Kind.PASSWORD_RESET, actor=user, user=user, request=request)


@receiver(account_signals.password_changed)
def _password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGED, actor=user, user=user, request=request)


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditEvent.Kind.MFA_ENABLED, actor=user, user=user, request=request)


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditEvent.Kind.MFA_DISABLED, actor=user, user=user, request=request)
