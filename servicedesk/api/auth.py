"""Who calls: a personal API token (`Authorization: Bearer sdt_…`) or, for the pages' own
calls, the signed-in session with Django's CSRF check on writes. Both end in the same
`request.user`, read afresh on every call with the person's memberships (no cache: a person
deactivated, a membership removed or a token revoked counts from the very next call,
docs/decisions/0012). A read-only token is refused on any write, here, once for all operations.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from servicedesk.accounts.services import api_token_authenticate, client_ip
from servicedesk.api.errors import ApiError
from servicedesk.core import limits

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


FAILURES_SCOPE = "api-token-failed"


class TokenAuth(HttpBearer):
    """A personal API token, sent as `Authorization: Bearer <token>`.

    Failed attempts are counted per client address (core/limits.py, the same address the
    sign-in limits see); over API_TOKEN_FAILURE_LIMIT (e.g. "20/10min") every bearer token from
    that address — a right one too — gets 429 with Retry-After until the window ends, before
    the token is even looked up. The call throttles (throttling.py) cannot do this: they run
    after authentication, which a wrong token never passes."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        rate = limits.parse_rate(settings.API_TOKEN_FAILURE_LIMIT)
        address = client_ip(request) or ""
        if rate is not None and limits.over(FAILURES_SCOPE, address, *rate):
            raise ApiError(
                429,
                "throttled",
                _("Too many attempts with a wrong API token from your address; try again later."),
                headers={"Retry-After": str(math.ceil(limits.window_end(rate[1])))},
            )
        found = api_token_authenticate(token.strip())
        if found is None:
            if rate is not None:
                limits.hit(FAILURES_SCOPE, address, rate[1])
            return None
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ApiError(
                403,
                "read_only_token",
                _("This token is read-only; make a read-and-write token to change things."),
            )
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionCsrfAuth(SessionAuth):
    """The signed-in session of the pages (their own fetch/htmx calls), with Django's CSRF check
    on writes (the `X-CSRFToken` header). Without a session cookie it does not apply at all (the
    caller is asked for a token: 401, not a CSRF refusal)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        # AuthenticationMiddleware read the person from the database on this request; an
        # inactive one is not let in (ModelBackend refuses them too).
        if not user.is_authenticated or not user.is_active:
            return None
        request.api_token = None  # type: ignore[attr-defined]
        return user


AUTH = [TokenAuth(), SessionCsrfAuth()]
