"""A ticket filed by staff on a customer's behalf: the form (company → person → the ticket), its
htmx pickers, and a confirmation with the number and a link to the ticket's page."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import User
from servicedesk.backoffice.tickets.forms import OnBehalfForm
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from servicedesk.web.ticket_form import options_initial
from servicedesk.web.tickets import form_context, product_search_response

TEMPLATE = "backoffice/tickets/new.html"


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_provider_staff:
        raise Http404
    return user


def _is_htmx(request: HttpRequest) -> bool:
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _context(form: OnBehalfForm) -> dict[str, Any]:
    return {
        **form_context(
            form,
            reverse("backoffice:ticket_form_options"),
            reverse("backoffice:product_search"),
        ),
        "section": "ticket_new",
    }


@backoffice_view
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if request.method == "POST":
        form = OnBehalfForm(request.POST, request.FILES, staff=staff)
        if form.is_valid():
            try:
                ticket = ticket_create(
                    by=staff,
                    contact=form.cleaned_data["contact"],
                    origin=form.cleaned_data["origin"],
                    data=form.ticket_data(),
                    files=form.uploads(),
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                url = reverse("backoffice:ticket_created", args=[ticket.number])
                return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)
    else:
        form = OnBehalfForm(staff=staff)
    template = TEMPLATE + ("#form" if request.method == "POST" and _is_htmx(request) else "")
    return render(request, template, _context(form))


@backoffice_view
@require_GET
def ticket_form_options(request: HttpRequest) -> HttpResponse:
    """htmx: after the company or the person changed, the person list and (out of band) the
    sites/equipment and contracts as that person may use them; after the site/equipment
    changed (`part=contract`), the contracts."""
    staff = _staff(request)
    initial = options_initial(request.GET)
    if request.GET.get("contact"):
        initial["contact"] = request.GET["contact"]
    form = OnBehalfForm(initial=initial, staff=staff)
    if request.GET.get("part") == "contract":
        template = "portal/tickets/_ticket_fields.html#contract"
    else:
        template = TEMPLATE + "#behalf"
    return render(request, template, {**_context(form), "oob": True})


@backoffice_view
@require_GET
def product_search(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return product_search_response(request)


@backoffice_view
@require_GET
def ticket_created(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    ticket = (
        Ticket.objects.visible_to(staff)
        .select_related("company", "contact")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return render(
        request,
        "backoffice/tickets/created.html",
        {"ticket": ticket, "section": "ticket_new"},
    )
