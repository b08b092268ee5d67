"""A person's own API tokens (under «me/»): made (the secret shown once, on the answer to the
form), listed with their last use, and revoked. The same page for customers and staff."""

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from servicedesk.accounts.forms import ApiTokenForm
from servicedesk.accounts.models import ApiToken, User
from servicedesk.accounts.services import api_token_create, api_token_revoke
from servicedesk.core.errors import ApplicationError


@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
            if expires_on
            else None
        )
        try:
            new = api_token_create(
                user=cast(User, request.user),
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=expires_at,
                request=request,
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            # Shown on this answer only: never stored, never put in a redirect or the session.
            secret = new.secret
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=cast(User, request.user)).order_by("-created_at", "-id")[
        :100
    ]
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "secret": secret, "now": timezone.now()},
    )


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = cast(User, request.user)
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise Http404
    api_token_revoke(token=token, actor=user, request=request)
    messages.success(request, _("The token «%(name)s» is revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
