"""A ticket's act in the back office: issue it (its number and date are fixed then), read and
print it, download its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.acts.services import act_issue
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.access import access_ticket
from servicedesk.web import acts


@backoffice_view
@require_POST
def ticket_act_issue(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    try:
        act = act_issue(by=request.user, ticket=ticket)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Act %(number)s is issued: the customer sees it.") % {"number": act.number}
        )
    return redirect("backoffice:ticket_works", number)


@backoffice_view
@require_GET
def ticket_act(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_page(
        request,
        number,
        back_url=reverse("backoffice:ticket_works", args=[number]),
        pdf_url=reverse("backoffice:ticket_act_pdf", args=[number]),
    )


@backoffice_view
@require_GET
def ticket_act_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_pdf(request, number)
