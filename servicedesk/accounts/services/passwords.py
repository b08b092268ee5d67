"""Passwords: a temporary one told by phone, and the one a person sets themselves."""

import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import AuditEvent, User
from servicedesk.accounts.services.audit import audit_record
from servicedesk.accounts.services.users import end_sessions
from servicedesk.core.errors import ApplicationError, ErrorCode


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
        raise ApplicationError(_("The user is deactivated."), code=ErrorCode.INACTIVE)
    password = _readable_password()
    user.password = make_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password", "updated_at"])
    end_sessions(user)
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
