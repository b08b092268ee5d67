"""Everyone's API tokens, for administrators: who has which, their access, last use, and
revoking any of them (a leaked token, a person who left)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.models import ApiToken
from servicedesk.accounts.services import api_token_revoke as revoke_token
from servicedesk.backoffice.people.common import elided_range, people_view

PAGE_SIZE = 50


@people_view("accounts.manage_api_tokens")
def api_token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if request.GET.get("state") != "all":
        tokens = tokens.filter(revoked_at__isnull=True)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "section": "api_tokens",
        "page": page,
        "elided_range": elided_range(page),
        "show_all": request.GET.get("state") == "all",
        "now": timezone.now(),
    }
    return render(request, "backoffice/people/api_tokens.html", context)


@people_view("accounts.manage_api_tokens")
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None:
        raise Http404
    revoke_token(token=token, actor=request.user, request=request)
    messages.success(
        request,
        _("The token «%(name)s» of %(person)s is revoked.")
        % {"name": token.name, "person": token.user},
    )
    return redirect("backoffice:api_tokens")
