"""The satisfaction survey on the portal's ticket page: rating a resolved or closed ticket."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, portal_view
from servicedesk.conversations.survey_forms import survey_answers, survey_card
from servicedesk.conversations.survey_services import SurveyAnswersError, survey_submit
from servicedesk.core.errors import ApplicationError
from servicedesk.portal.tickets.detail import detail_context
from servicedesk.tickets.access import access_ticket
from servicedesk.web.tickets import timeline_rows


@portal_view
@require_POST
def ticket_survey(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The rating from the card (htmx: the card again, with the rating or the messages; a plain
    POST: back to the page, or the page with the messages and what was chosen, as 400)."""
    ticket = access_ticket(request.user, number)
    user = request.user
    scores, comment = survey_answers(request.POST)
    errors: dict[str, str] = {}
    error = ""
    rated = False
    try:
        survey_submit(ticket=ticket, respondent=user, scores=scores, comment=comment)
        rated = True
    except SurveyAnswersError as refused:
        errors = refused.errors
    except ApplicationError as refused:
        error = str(refused.message)
    card = survey_card(
        ticket,
        scores=scores,
        comment=comment,
        errors=errors,
        error=error,
        always=True,
    )
    if getattr(request, "htmx", False):
        response = render(
            request, "conversations/_survey_card.html", {"ticket": ticket, "survey": card}
        )
        if rated:  # the history gets its "rated" entry too (out of band)
            response.content += render_to_string(
                "portal/tickets/detail.html#timeline",
                {"timeline": timeline_rows(ticket), "timeline_oob": True},
                request,
            ).encode()
        return response
    if not rated:
        context = detail_context(request, ticket)
        context["survey"] = card
        return render(request, "portal/tickets/detail.html", context, status=400)
    messages.success(request, _("Thank you for your rating!"))
    return redirect(reverse("portal:ticket_detail", args=[ticket.number]) + "#survey")
