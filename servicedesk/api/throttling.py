"""Rate limits: per token (or signed-in person) and per address, in fixed windows counted in
the cache (core/limits.py: Redis when REDIS_URL is set, shared by every web process).
Over the limit: 429 with `Retry-After` (seconds to the window's end). The rates are settings,
read on each call (API_RATE_PER_TOKEN, API_RATE_PER_ADDRESS, e.g. "600/min"; empty: no limit).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from servicedesk.accounts.services import client_ip
from servicedesk.core import limits


class WindowThrottle(BaseThrottle):
    setting = ""
    scope = ""

    def __init__(self) -> None:
        self._local = threading.local()  # one instance serves every thread

    def ident(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        rate = limits.parse_rate(getattr(settings, self.setting, ""))
        ident = self.ident(request)
        self._local.wait = None
        if rate is None or ident is None:
            return True
        limit, period = rate
        if limits.hit(f"api-{self.scope}", ident, period) > limit:
            self._local.wait = limits.window_end(period)
            return False
        return True

    def wait(self) -> float | None:
        wait: float | None = getattr(self._local, "wait", None)
        return wait


class TokenThrottle(WindowThrottle):
    """Calls per token; a signed-in session counts as its person's."""

    setting = "API_RATE_PER_TOKEN"
    scope = "token"

    def ident(self, request: HttpRequest) -> str | None:
        token: Any = getattr(request, "api_token", None)
        if token is not None:
            return f"t{token.pk}"
        user = getattr(request, "user", None)
        return f"u{user.pk}" if user is not None and user.is_authenticated else None


class AddressThrottle(WindowThrottle):
    """Calls per client address, whoever calls (many tokens from one address)."""

    setting = "API_RATE_PER_ADDRESS"
    scope = "address"

    def ident(self, request: HttpRequest) -> str | None:
        # The address as the sign-in limits see it (allauth's adapter, which knows the proxies).
        return client_ip(request)


THROTTLES: list[BaseThrottle] = [TokenThrottle(), AddressThrottle()]
