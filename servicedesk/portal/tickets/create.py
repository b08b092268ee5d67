"""Filing a ticket in the portal: the form (also prefilled from a ticket: «Клонировать»), its
dependent pickers over htmx, the product type-ahead and the confirmation page."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from servicedesk.accounts.decorators import portal_view
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Origin, Ticket
from servicedesk.tickets.services import ticket_create
from servicedesk.web.ticket_form import TicketForm, clone_initial, options_initial
from servicedesk.web.tickets import form_context, product_search_response

FIELDS_TEMPLATE = "portal/tickets/_ticket_fields.html"


def _is_htmx(request: HttpRequest) -> bool:
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@portal_view
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    cloned: Ticket | None = None
    if request.method == "POST":
        # No status field: whatever "status" a hand-made POST carries is never read.
        form = TicketForm(request.POST, request.FILES, scope_user=user)
        ticket = _file(form, user) if form.is_valid() else None
        if ticket is not None:
            url = reverse("portal:ticket_created", args=[ticket.number])
            if _is_htmx(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    else:
        initial: dict[str, Any] = {}
        if number := request.GET.get("clone", "").strip():
            cloned = access_ticket(user, number)
            initial = clone_initial(cloned)
        form = TicketForm(initial=initial, scope_user=user)
    context = {
        **form_context(form, reverse("portal:ticket_form_options")),
        "cloned": cloned,
        "section": "tickets",
    }
    template = "portal/tickets/new.html"
    if request.method == "POST" and _is_htmx(request):
        template += "#form"
    return render(request, template, context)


def _file(form: TicketForm, user: Any) -> Ticket | None:
    """The valid form's ticket filed, or None with the service's refusal on the form."""
    try:
        return ticket_create(
            by=user, data=form.ticket_data(), origin=Origin.PORTAL, files=form.uploads()
        )
    except ApplicationError as error:
        form.add_application_error(error)
        return None


@portal_view
@require_GET
def ticket_form_options(request: HttpRequest) -> HttpResponse:
    """htmx: the pickers that depend on the company (`part=service`: site/equipment and
    contract) or on the site/equipment (`part=contract`), for the state the page sends."""
    form = TicketForm(initial=options_initial(request.GET), scope_user=request.user)
    part = "contract" if request.GET.get("part") == "contract" else "service"
    return render(
        request,
        f"{FIELDS_TEMPLATE}#{part}",
        form_context(form, reverse("portal:ticket_form_options")),
    )


@portal_view
@require_GET
def product_search(request: HttpRequest) -> HttpResponse:
    return product_search_response(request)


@portal_view
@require_GET
def ticket_created(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    return render(request, "portal/tickets/created.html", {"ticket": ticket, "section": "tickets"})
