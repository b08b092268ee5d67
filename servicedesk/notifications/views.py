"""A person's notification settings (under «me/»): which events reach them by email and in
the app, and whether message emails come one by one or as a digest. The same page for
customers and staff, with the events that concern each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicedesk.notifications.forms import NotificationSettingsForm
from servicedesk.notifications.preferences import preferences_save


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
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
