"""A ticket's act in the back office: issue it (its number and date are fixed then), read and
print it and its versions, download their PDFs, collect the customer's signature on staff's
own device, open a new version of a signed act to change its works, and send a corrected act
for signature again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.acts.services import act_issue, act_reopen, act_submit
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.access import access_ticket
from servicedesk.web import acts


def _act_change(
    request: AuthenticatedHttpRequest, number: str, change: Callable[..., Any], done: str
) -> HttpResponse:
    """Run an act's change for the ticket; its refusal or `done` as the works page's message."""
    ticket = access_ticket(request.user, number)
    try:
        change(ticket)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("backoffice:ticket_works", number)


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
@require_POST
def ticket_act_reopen(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act_change(
        request,
        number,
        lambda ticket: act_reopen(by=request.user, ticket=ticket, reason=reason),
        _("A new version of the act is open: change the works, then send it for signature."),
    )


@backoffice_view
@require_POST
def ticket_act_submit(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _act_change(
        request,
        number,
        lambda ticket: act_submit(by=request.user, ticket=ticket),
        _("The act is sent for signature: the customer is told."),
    )


@backoffice_view
@require_GET
def ticket_act(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_page(request, number, area="backoffice")


@backoffice_view
@require_GET
def ticket_act_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_pdf(request, number)


@backoffice_view
@require_GET
def ticket_act_version(request: HttpRequest, number: str, version: int) -> HttpResponse:
    return acts.act_page(request, number, area="backoffice", version=version)


@backoffice_view
@require_GET
def ticket_act_version_pdf(request: HttpRequest, number: str, version: int) -> HttpResponse:
    return acts.act_pdf(request, number, version=version)


@backoffice_view
@require_http_methods(["GET", "POST"])
def ticket_act_sign(request: HttpRequest, number: str) -> HttpResponse:
    """The customer signs on staff's device: GET the act with the signing form, POST it."""
    if request.method == "POST":
        return acts.act_sign_submit(request, number, area="backoffice")
    return acts.act_device_page(request, number)
