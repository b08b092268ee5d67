"""A ticket's act as a page and as a PDF, the same for the portal and the back office: the
issued act made from the ticket's works in the reader's language (acts/building.py); 404 when
the ticket is not the reader's or has no act."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation

from servicedesk.acts.building import act_content, issued_act
from servicedesk.acts.content import ActContent
from servicedesk.acts.rendering import render_act_html, render_act_pdf
from servicedesk.tickets.access import access_ticket


def _content(user: Any, number: str) -> ActContent:
    ticket = access_ticket(user, number)
    act = issued_act(ticket)
    content = act and act_content(
        act,
        ticket,
        language=translation.get_language() or "ru",
        time_zone=timezone.get_current_timezone_name(),
    )
    if not content:
        raise Http404
    return content


def act_page(request: HttpRequest, number: str, *, back_url: str, pdf_url: str) -> HttpResponse:
    content = _content(request.user, number)
    return HttpResponse(render_act_html(content, back_url=back_url, pdf_url=pdf_url))


def act_pdf(request: HttpRequest, number: str) -> HttpResponse:
    content = _content(request.user, number)
    response = HttpResponse(render_act_pdf(content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="act-{content.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
