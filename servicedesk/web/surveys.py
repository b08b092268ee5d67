"""The satisfaction survey from the email link: no sign-in needed (surveys.py signs the link).

The page shows the ticket's number and subject only: the link may have been forwarded. Every
way a link can be wrong — altered, expired, already used, the ticket reopened since, its
contact changed or no longer active — leads to one page that never says why (as invitations
do, web/public.py), at its own address so that the token leaves the address bar.
"""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from servicedesk.accounts.models import User
from servicedesk.conversations.models import SurveyResponse
from servicedesk.conversations.survey_forms import survey_answers, survey_form
from servicedesk.conversations.survey_selectors import survey_criteria
from servicedesk.conversations.survey_services import (
    RATABLE_STATUSES,
    SurveyAnswersError,
    survey_submit,
)
from servicedesk.conversations.surveys import survey_token_ticket
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets.models import Ticket


def _ticket(request: HttpRequest, token: str) -> Ticket | None:
    """The ticket the link rates, or None when the link does not work (for any reason)."""
    if getattr(request.user, "is_provider_staff", False):
        return None  # the service team does not rate in the customer's name
    ticket = survey_token_ticket(token)
    if (
        ticket is None
        or ticket.status not in RATABLE_STATUSES
        or not ticket.contact.is_active
        or SurveyResponse.objects.filter(ticket_id=ticket.pk).exists()
    ):
        return None
    return ticket


def _respondent(request: HttpRequest, ticket: Ticket) -> User | None:
    """The signed-in customer, when they are someone who may rate the ticket; else None (a
    rating "through the email link")."""
    user: Any = request.user
    if user.is_authenticated and user.has_perm("conversations.rate_ticket", ticket):
        return user  # type: ignore[no-any-return]
    return None


def _secure(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never sent to another site, never indexed.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str = "") -> HttpResponse:
    ticket = _ticket(request, token)
    if ticket is None:
        return redirect("survey_invalid")
    criteria = survey_criteria()
    scores: dict[int, int] = {}
    comment = ""
    errors: dict[str, str] = {}
    error = ""
    status = 200
    if request.method == "POST":
        scores, comment = survey_answers(request.POST)
        if not ratelimit.consume(request, action="survey"):
            error = _("Too many attempts from here. Nothing was saved; wait a while and try again.")
            status = 429
        else:
            try:
                survey_submit(
                    ticket=ticket,
                    respondent=_respondent(request, ticket),
                    scores=scores,
                    comment=comment,
                )
            except SurveyAnswersError as refused:
                errors = refused.errors
                status = 400
            except ApplicationError as refused:
                if refused.code in (ErrorCode.STAGE, ErrorCode.RATED, ErrorCode.FORBIDDEN):
                    return redirect("survey_invalid")  # changed since the link was checked
                error = str(refused.message)
                status = 400
                criteria = survey_criteria()
            else:
                return redirect("survey_thanks")
    context = {
        "ticket": ticket,
        "survey": survey_form(criteria, scores=scores, comment=comment, errors=errors, error=error),
    }
    return _secure(render(request, "conversations/survey_public.html", context, status=status))


@never_cache
@require_GET
def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "conversations/survey_thanks.html")


@never_cache
@require_GET
def survey_invalid(request: HttpRequest) -> HttpResponse:
    """The one answer for every survey link that does not work: 404, the same page."""
    return render(request, "conversations/survey_invalid.html", status=404)
