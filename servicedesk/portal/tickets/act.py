"""The ticket's «Акт» in the portal: the act of completed work issued by the provider, as a
page to read, sign or dispute, and print, as a PDF, and its earlier versions
(web/acts.py does the work for both areas)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import portal_view
from servicedesk.web import acts


@portal_view
@require_GET
def ticket_act(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_page(request, number, area="portal")


@portal_view
@require_GET
def ticket_act_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_pdf(request, number)


@portal_view
@require_GET
def ticket_act_version(request: HttpRequest, number: str, version: int) -> HttpResponse:
    return acts.act_page(request, number, area="portal", version=version)


@portal_view
@require_GET
def ticket_act_version_pdf(request: HttpRequest, number: str, version: int) -> HttpResponse:
    return acts.act_pdf(request, number, version=version)


@portal_view
@require_POST
def ticket_act_sign(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_sign_submit(request, number, area="portal")


@portal_view
@require_POST
def ticket_act_dispute(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_dispute_submit(request, number)
