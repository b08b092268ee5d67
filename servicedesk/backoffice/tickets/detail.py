"""The ticket page for the provider's staff: everything the customer sees, plus assignment,
the workflow's buttons (only the transitions allowed for this person and stage), editing,
the conversation with internal notes, the full timeline and the SLA panel. Its second tab, the
completed works («Выполнение»), is backoffice/works/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.accounts.models import User
from servicedesk.backoffice.tickets.queue import open_ticket_counts, staff_choices
from servicedesk.conversations.survey_forms import survey_staff_panel
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.core.forms import QuickSelect, pk_or_none
from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.intake.links import REVOKE as REVOKE_GUEST_LINK
from servicedesk.intake.selectors import guest_card
from servicedesk.tickets import selectors, services, workflow
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Ticket, TicketEvent
from servicedesk.web import chat
from servicedesk.web.ticket_form import (
    EQUIPMENT_MARK,
    EQUIPMENT_PREFIX,
    SITE_PREFIX,
    ReferenceChoiceField,
    preload_reference_rows,
)
from servicedesk.web.ticket_form.fields import CountryChoiceField, country_choices
from servicedesk.web.tickets import timeline_rows
from servicedesk.works.selectors import work_count


class TicketEditForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=255)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Offered and checked from the cached reference lists (no query per list); the selects
    # are QuickSelects (Django's Select's HTML, one template loop for all the options).
    # Required, and a ticket always has them: no empty option
    ticket_type = ReferenceChoiceField(
        TicketType, label=gettext_lazy("Type"), widget=QuickSelect, empty_label=None
    )
    criticality = ReferenceChoiceField(
        Criticality, label=gettext_lazy("Criticality"), widget=QuickSelect, empty_label=None
    )
    work_type = ReferenceChoiceField(
        WorkType,
        label=gettext_lazy("Work type"),
        required=False,
        widget=QuickSelect,
        empty_label="—",
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Deadline (set by hand)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty to let the SLA rules set it."),
    )
    place = forms.ChoiceField(
        label=gettext_lazy("Site or equipment"), required=False, widget=QuickSelect
    )
    contract = forms.TypedChoiceField(
        label=gettext_lazy("Contract"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=QuickSelect,
    )
    # What the customer may set is editable by staff too (issue 22).
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label="—",
    )
    country = CountryChoiceField(label=gettext_lazy("Country"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ticket: Ticket, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preload_reference_rows(self)
        # The ticket's company's places and contracts the person may see (the service checks
        # that they fit).
        company = ticket.company_id
        self.sites = {s.pk: s for s in Site.objects.visible_to(user).filter(company_id=company)}
        self.equipment = {
            e.pk: e for e in Equipment.objects.visible_to(user).filter(company_id=company)
        }
        self.contracts = {
            c.pk: c for c in Contract.objects.visible_to(user).filter(company_id=company)
        }
        fields: Any = self.fields
        fields["place"].choices = [
            ("", "—"),
            *((f"{SITE_PREFIX}{pk}", site.name) for pk, site in self.sites.items()),
            *(
                (f"{EQUIPMENT_PREFIX}{pk}", f"{EQUIPMENT_MARK}{item.name}")
                for pk, item in self.equipment.items()
            ),
        ]
        fields["contract"].choices = [
            ("", "—"),
            *((pk, f"{c.number} — {c.name}") for pk, c in self.contracts.items()),
        ]
        fields["country"].choices = country_choices()
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"id_edit_{name}")


def _edit_form(ticket: Ticket, user: Any, data: Any = None) -> TicketEditForm:
    due = timezone.localtime(ticket.due_at) if ticket.due_at and ticket.due_at_manual else None
    if ticket.equipment_id:
        place = f"{EQUIPMENT_PREFIX}{ticket.equipment_id}"
    elif ticket.site_id:
        place = f"{SITE_PREFIX}{ticket.site_id}"
    else:
        place = ""
    return TicketEditForm(
        data,
        ticket=ticket,
        user=user,
        initial={
            "place": place,
            "contract": ticket.contract_id,
            "subject": ticket.subject,
            "description": ticket.description,
            "ticket_type": ticket.ticket_type_id,
            "criticality": ticket.criticality_id,
            "work_type": ticket.work_type_id,
            "due_at": due,
            "product": ticket.product_id,
            "country": str(ticket.country or ""),
            "version": ticket.version,
        },
    )


def _all_events(ticket: Ticket) -> list[dict[str, Any]]:
    """Every event, internal ones included (staff see the whole timeline)."""
    events = (
        TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return timeline_rows(ticket, events)


@backoffice_view
@require_GET
def ticket_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    user = request.user
    ticket = access_ticket(user, number)
    return render(request, "backoffice/tickets/detail.html", page_context(request, ticket))


def page_context(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    edit_form: TicketEditForm | None = None,
    composer: chat.Composer | None = None,
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    workload = open_ticket_counts(user)
    staff = staff_choices()
    attachments = list(selectors.ticket_attachment_list(ticket, user))
    return {
        "section": "tickets",
        "ticket": ticket,
        "now": now,
        "overdue": ticket.is_overdue(now),
        "customer_status": workflow.customer_status_label(ticket.status),
        "transitions": workflow.transitions_for(user, ticket),
        "staff": [(pk, name, workload.get(pk, 0)) for pk, name in staff],
        "can_assign": user.has_perm(workflow.DISPATCH),
        "can_edit": user.has_perm(workflow.WORK_ON_TICKET, ticket),
        "chat": chat.chat_context(request, ticket, chat.BACKOFFICE, composer, files=attachments),
        "timeline": _all_events(ticket),
        "attachments": attachments,
        "edit_form": edit_form or _edit_form(ticket, user),
        "rating": survey_staff_panel(ticket),
        "guest": guest_card(ticket),
        "can_manage_guest_link": user.has_perm(REVOKE_GUEST_LINK, ticket),
        "tab": "ticket",
        "works_count": work_count(ticket),
    }


def _back(ticket: Ticket, anchor: str = "") -> HttpResponse:
    return redirect(reverse("backoffice:ticket_detail", args=[ticket.number]) + anchor)


def _version(request: AuthenticatedHttpRequest) -> int | None:
    return pk_or_none(request.POST.get("version"))


@backoffice_view
@require_POST
def ticket_assign(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    user = request.user
    ticket = access_ticket(user, number)
    assignee = User.objects.filter(pk=pk_or_none(request.POST.get("assignee")) or 0).first()
    try:
        if assignee is None:
            raise ApplicationError(_("Choose whom to assign."), code=ErrorCode.ASSIGNEE)
        services.ticket_assign(
            by=user, ticket=ticket, assignee=assignee, expected_version=_version(request)
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.full_name})
    return _back(ticket)


@backoffice_view
@require_POST
def ticket_move(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Move the ticket to another company: the company by its code or exact name, the new
    contact by email, and the reason (services.ticket_move_company checks the rest)."""
    user = request.user
    ticket = access_ticket(user, number)
    wanted = request.POST.get("company", "").strip()[:200]
    company = (
        Company.objects.filter(Q(code__iexact=wanted) | Q(name__iexact=wanted)).first()
        if wanted
        else None
    )
    email = request.POST.get("contact", "").strip()[:254]
    contact = User.objects.filter(email__iexact=email).first() if email else None
    try:
        if company is None:
            raise ApplicationError(_("No company has this code or name."), code=ErrorCode.COMPANY)
        if contact is None:
            raise ApplicationError(_("No person has this email."), code=ErrorCode.CONTACT)
        services.ticket_move_company(
            by=user,
            ticket=ticket,
            company=company,
            contact=contact,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Moved to %(company)s.") % {"company": company.name})
    return _back(ticket)


@backoffice_view
@require_POST
def ticket_transition(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    user = request.user
    ticket = access_ticket(user, number)
    try:
        ticket = services.ticket_transition(
            by=user,
            ticket=ticket,
            code=request.POST.get("code", ""),
            resolution=request.POST.get("resolution", ""),
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The ticket is now “%(status)s”.") % {"status": ticket.get_status_display()}
        )
    return _back(ticket)


@backoffice_view
@require_POST
def ticket_edit(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    user = request.user
    ticket = access_ticket(user, number)
    form = _edit_form(ticket, user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {
            name: data[name]
            for name in ("subject", "description", "ticket_type", "criticality", "work_type")
            if data[name] != getattr(ticket, name)
        }
        if data["product"] != ticket.product:
            changes["product"] = data["product"]
        if data["country"] != str(ticket.country or ""):
            changes["country"] = data["country"]
        place = data.get("place") or ""
        pk = pk_or_none(place[1:])
        equipment = form.equipment.get(pk or 0) if place.startswith(EQUIPMENT_PREFIX) else None
        site = form.sites.get(pk or 0) if place.startswith(SITE_PREFIX) else None
        if equipment is not None:
            site = form.sites.get(equipment.site_id or 0)  # the equipment's own site
        if (equipment and equipment.pk) != ticket.equipment_id:
            changes["equipment"] = equipment
        if (site and site.pk) != ticket.site_id:
            changes["site"] = site
        contract = form.contracts.get(data["contract"]) if data.get("contract") else None
        if (contract and contract.pk) != ticket.contract_id:
            changes["contract"] = contract
        if data["due_at"] is not None and data["due_at"] != ticket.due_at:
            changes["due_at"] = data["due_at"]
        elif data["due_at"] is None and ticket.due_at_manual:
            changes["due_at"] = None
        if not changes:
            messages.info(request, _("Nothing changed."))
            return _back(ticket)
        try:
            services.ticket_update(
                by=user, ticket=ticket, changes=changes, expected_version=data["version"]
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return _back(ticket)
    response = render(
        request, "backoffice/tickets/detail.html", page_context(request, ticket, edit_form=form)
    )
    response.status_code = 400
    return response
