import contextlib
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _


class UserPreferencesMiddleware:
    """Activates the signed-in user's language and time zone.

    Runs after LocaleMiddleware (which picked the cookie's or the browser's language) and after
    authentication: a language saved in the profile overrides both.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The active zone is thread-local and a thread serves many people: start every request
        # from the provider's zone, or an anonymous visitor inherits the previous user's.
        timezone.deactivate()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        response = self.get_response(request)
        return response


class AccountGateMiddleware:
    """Things a signed-in person must do before anything else.

    - After a temporary password: choose their own (accounts:password_required).
    - Administrators, when settings.MFA_REQUIRED_FOR_ADMINS is on: set up two-factor
      authentication (allauth's MFA pages).
    Signing out, the language switch and static files stay reachable.
    """

    ALWAYS_ALLOWED = ("/accounts/logout/", "/me/language/", "/static/", "/healthz")
    # Setting up TOTP asks for the password again first (allauth's reauthentication).
    MFA_SETUP_PATHS = ("/accounts/2fa/", "/accounts/reauthenticate/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._allowed(request.path):
            if user.must_change_password:
                target = reverse("accounts:password_required")
                if request.path != target:
                    return redirect(target)
            elif self._needs_mfa(request, user):
                target = reverse("mfa_activate_totp")
                if not request.path.startswith(self.MFA_SETUP_PATHS):
                    messages.warning(request, _("Set up two-factor authentication to continue."))
                    return redirect(target)
        return self.get_response(request)

    def _allowed(self, path: str) -> bool:
        return path.startswith(self.ALWAYS_ALLOWED)

    def _needs_mfa(self, request: HttpRequest, user: Any) -> bool:
        if not settings.MFA_REQUIRED_FOR_ADMINS or not user.has_perm("accounts.use_django_admin"):
            return False
        if request.session.get("mfa_ok"):
            return False
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user).exists():
            request.session["mfa_ok"] = True
            return False
        return True
