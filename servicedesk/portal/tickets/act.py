"""The ticket's «Акт» in the portal: the act of completed work, issued by the provider, as a
page to read and print and as a PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from servicedesk.accounts.decorators import portal_view
from servicedesk.web import acts


@portal_view
@require_GET
def ticket_act(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_page(
        request,
        number,
        back_url=reverse("portal:ticket_detail", args=[number]),
        pdf_url=reverse("portal:ticket_act_pdf", args=[number]),
    )


@portal_view
@require_GET
def ticket_act_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return acts.act_pdf(request, number)
