"""The customer portal's pages. Sections whose capability has not landed yet say so plainly."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from servicedesk.accounts.decorators import portal_view
from servicedesk.customers.selectors import company_list_for_user


@portal_view
def tickets(request: HttpRequest) -> HttpResponse:
    companies = company_list_for_user(request.user)
    return render(
        request,
        "portal/tickets.html",
        {"companies": companies, "today": timezone.localdate(), "section": "tickets"},
    )


def _coming(
    request: HttpRequest, section: str, title: StrOrPromise, text: StrOrPromise
) -> HttpResponse:
    return render(
        request,
        "portal/coming_soon.html",
        {"section": section, "title": title, "text": text},
    )


@portal_view
def messages_inbox(request: HttpRequest) -> HttpResponse:
    return _coming(
        request,
        "messages",
        _("Messages"),
        _(
            "Every conversation with the service team about your tickets will be here, "
            "with unread messages marked."
        ),
    )


@portal_view
def analytics(request: HttpRequest) -> HttpResponse:
    return _coming(
        request,
        "analytics",
        _("Analytics"),
        _(
            "Reports about your tickets and equipment: how many, how fast they were "
            "resolved, what breaks most often."
        ),
    )


@portal_view
def knowledge(request: HttpRequest) -> HttpResponse:
    return _coming(
        request,
        "knowledge",
        _("Knowledge base"),
        _("Articles and instructions from the service team, with search."),
    )


@portal_view
def colleague_access_request(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # being written; replaced before this lands
