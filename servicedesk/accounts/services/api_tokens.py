"""Personal API tokens: made (the secret returned once, only its hash kept), revoked, and found
for a request (servicedesk/api/auth.py). Each creation and revocation records an AuditEvent."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import ApiToken, ApiTokenScope, AuditEvent, User
from servicedesk.accounts.services.audit import audit_record
from servicedesk.core.errors import ApplicationError, ErrorCode

SECRET_PREFIX = "sdt_"  # noqa: S105 (not a secret: names what follows, for secret scanners)
MAX_TOKENS_PER_USER = 50
# The last use is written at most this often per token: not a write per call.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once; never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str = ApiTokenScope.READ,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> NewToken:
    name = name.strip()
    if not name:
        raise ApplicationError(_("Name the token."), code=ErrorCode.EMPTY, field="name")
    if len(name) > 100:
        raise ApplicationError(
            _("The name is too long (100 characters at most)."),
            code=ErrorCode.TOO_LONG,
            field="name",
        )
    if scope not in ApiTokenScope.values:
        raise ApplicationError(_("Choose the token's access."), field="scope")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ApplicationError(
            _("The expiry date must be in the future."), code=ErrorCode.PERIOD, field="expires_at"
        )
    active_tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    # Names tell a person's tokens apart (which program uses which); the same name twice is
    # also what a reloaded form would make, since the page answers the form directly.
    if active_tokens.filter(name=name).exists():
        raise ApplicationError(
            _("You already have a token named «%(name)s»: revoke it or choose another name.")
            % {"name": name},
            code=ErrorCode.DUPLICATE_NAME,
            field="name",
        )
    active = active_tokens.count()
    if active >= MAX_TOKENS_PER_USER:
        raise ApplicationError(
            _("You have too many tokens; revoke one you no longer use."),
            code=ErrorCode.TOO_MANY_ROWS,
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: ApiToken.PREFIX_LENGTH],
        hash=token_hash(secret),
        scope=scope,
        expires_at=expires_at,
    )
    audit_record(
        kind=AuditEvent.Kind.API_TOKEN_CREATED,
        actor=user,
        user=user,
        request=request,
        token=token.prefix,
        scope=scope,
    )
    return NewToken(token, secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> None:
    """Revoked at once: the very next call with it is refused. Revoking twice changes nothing.
    Whether `actor` may revoke it (the owner, or an admin) is the caller's check."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        token.refresh_from_db(fields=["revoked_at"])
        audit_record(
            kind=AuditEvent.Kind.API_TOKEN_REVOKED,
            actor=actor,
            user=token.user,
            request=request,
            token=token.prefix,
        )


def api_token_authenticate(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token with this secret and its active owner (read afresh: a person
    deactivated, or a token revoked, is refused on the very next call), or None. Notes the
    use, at most once a minute per token."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(hash=token_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
