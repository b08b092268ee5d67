"""A signed-in person's own pages (under «me/»): the start page redirect, the profile, the
language, a required password change, and which notifications reach them — the same pages for
customers and staff."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from servicedesk.accounts.forms import ProfileForm, TemporaryPasswordChangeForm
from servicedesk.accounts.models import User
from servicedesk.accounts.services import user_password_set
from servicedesk.notifications.forms import NotificationSettingsForm
from servicedesk.notifications.preferences import preferences_save


def home(request: HttpRequest) -> HttpResponse:
    """The site root: each audience to its own start page."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.user.has_perm("backoffice.access"):
        return redirect("backoffice:dashboard")
    return redirect("portal:tickets")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.language:
            translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the interface language; for a signed-in user it is saved in the profile too,
    so that emails and the next login use it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language", "updated_at"])
    return response


@login_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def password_required(request: HttpRequest) -> HttpResponse:
    """After a temporary password: the person chooses their own before anything else
    (AccountGateMiddleware sends them here). They stay signed in."""
    user = request.user
    if not isinstance(user, User) or not user.must_change_password:
        return redirect("home")
    form = TemporaryPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_password_set(user=user, password=form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your new password is set."))
        return redirect("home")
    return render(request, "accounts/password_required.html", {"form": form})


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which events reach the person by email and in the app, and whether message emails come
    one by one or as a digest (with the events that concern customers or staff)."""
    form = NotificationSettingsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        preferences_save(
            user=request.user, choices=form.choices(), digest=form.cleaned_data["digest"]
        )
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("accounts:notification_settings")
    return render(
        request, "notifications/settings.html", {"form": form, "section": "notification_settings"}
    )
