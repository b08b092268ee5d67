"""The staff ticket page's card for a ticket filed without an account (its data:
intake/selectors.py): cut the guest's status link, or mail them a new one. Staff who may work
on the ticket only (intake/rules.py); anyone else gets the same 404 as for a missing ticket."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.core.errors import ApplicationError
from servicedesk.intake.links import guest_links_revoke
from servicedesk.intake.services import guest_link_resend
from servicedesk.tickets.access import access_ticket_light


def _back(number: str) -> HttpResponse:
    return redirect(reverse("backoffice:ticket_detail", args=[number]) + "#guest")


@backoffice_view
@require_POST
def ticket_guest_link_revoke(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket_light(request.user, number)
    try:
        count = guest_links_revoke(ticket=ticket, by=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    if count:
        messages.success(request, _("The status link is revoked: it no longer opens the ticket."))
    else:
        messages.info(request, _("The ticket has no status link to revoke."))
    return _back(number)


@backoffice_view
@require_POST
def ticket_guest_link_send(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket_light(request.user, number)
    try:
        link = guest_link_resend(ticket=ticket, by=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("A new status link is sent to %(address)s; the earlier one no longer works.")
            % {"address": link.contact.email},
        )
    return _back(number)
