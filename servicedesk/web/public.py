"""Pages for people who are not signed in: accepting an invitation, asking for a new link,
asking for access.

The invitation link's token is moved into the session at once (`invitation_open`), so that it
leaves the address bar, the browser history and the Referer header before the page with the
password form loads. Every way a link can be wrong leads to one page that never says why.
"""

import contextlib

from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from servicedesk.accounts import services
from servicedesk.accounts.forms import AccessRequestForm, IdentifierForm
from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError

SESSION_TOKEN = "invitation_token"  # noqa: S105 (a session key, not a secret)
AUTH_BACKEND = "servicedesk.accounts.backends.EmailBackend"


def _rate_limited(request: HttpRequest, template: str, form: forms.Form) -> HttpResponse:
    """The same page with the same input and a clear message, as HTTP 429."""
    form.add_error(
        None, _("Too many attempts from here. Nothing was sent; wait a while and try again.")
    )
    return render(request, template, {"form": form}, status=429)


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


def start_page(user: User) -> str:
    """Where a person lands after signing in: the back office for staff, else the portal."""
    if user.has_perm("backoffice.access"):
        return reverse("backoffice:dashboard")
    return reverse("portal:tickets")


@never_cache
def invitation_open(request: HttpRequest, token: str = "") -> HttpResponse:
    invitation = services.invitation_find(token)
    if invitation is None:
        request.session.pop(SESSION_TOKEN, None)
        return _no_referrer(redirect("access:invitation_invalid"))
    request.session[SESSION_TOKEN] = token
    return _no_referrer(redirect("access:invitation_accept"))


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request: HttpRequest) -> HttpResponse:
    # Checked again on every request: the link may have been used or replaced in between.
    invitation = services.invitation_find(request.session.get(SESSION_TOKEN, ""))
    if invitation is None:
        request.session.pop(SESSION_TOKEN, None)
        return redirect("access:invitation_invalid")
    person = invitation.user
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"], request=request
            )
        except ApplicationError:
            request.session.pop(SESSION_TOKEN, None)
            return redirect("access:invitation_invalid")
        request.session.pop(SESSION_TOKEN, None)
        login(request, user, backend=AUTH_BACKEND)
        with translation.override(user.language or translation.get_language()):
            messages.success(
                request,
                _("Welcome, %(name)s! Your password is set; from now on sign in with it.")
                % {"name": user.full_name},
            )
        return redirect(start_page(user))
    # Not "no-referrer" here: browsers then send "Origin: null" with the form, which fails
    # Django's CSRF check. The page's own address holds no token.
    return render(request, "accounts/invitation_accept.html", {"form": form, "person": person})


@never_cache
def invitation_invalid(request: HttpRequest) -> HttpResponse:
    """One page for every link that does not work, with a way to ask for a new one. The answer
    is the same whether or not the address belongs to someone invited."""
    form = IdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip()
        if not ratelimit.consume(request, action="invitation_renewal", key=identifier.lower()):
            return _rate_limited(request, "accounts/invitation_invalid.html", form)
        # The answer must not differ, whatever happened to the address.
        with contextlib.suppress(ApplicationError):
            services.invitation_renew_request(identifier=identifier, request=request)
        messages.info(
            request,
            _("If this address was invited, a new link is on its way. It works for %(days)s days.")
            % {"days": settings.INVITATION_TTL_DAYS},
        )
        return redirect("access:invitation_invalid")
    return render(request, "accounts/invitation_invalid.html", {"form": form})


def _current_language() -> str:
    language = translation.get_language() or ""
    return language if language in dict(settings.LANGUAGES) else ""


def access_request_new(request: HttpRequest) -> HttpResponse:
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="access_request"):
            return _rate_limited(request, "accounts/access_request_form.html", form)
        if form.is_robot():
            # A filled honeypot: the same answer as a real request, and nothing stored.
            return redirect("access:access_request_sent")
        try:
            person = form.person_data()
            services.access_request_create(
                full_name=person["full_name"],
                email=person["email"],
                phone=person["phone"],
                position=person["position"],
                comment=person["comment"],
                company_name=form.cleaned_data["company_name"],
                language=_current_language(),
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("access:access_request_sent")
    return render(request, "accounts/access_request_form.html", {"form": form})


def access_request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/access_request_sent.html")
