"""The ticket's «Выполнение» (Works) tab: the completed works with their engineers, materials
and amounts, the total, and recording, changing and deleting a work. Plain pages and forms
(they work without JavaScript; static/js/works.js adds rows in place and fills rates and
prices from the lists). Staff only, as every back-office page; the services decide who may
change what."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.acts.building import act_versions, issued_act
from servicedesk.acts.models import Act
from servicedesk.backoffice.works.forms import (
    ENGINEERS_PREFIX,
    MATERIALS_PREFIX,
    Choices,
    EngineerFormSet,
    MaterialFormSet,
    WorkForm,
    mark_invalid,
    work_data,
)
from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import pk_or_none
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Ticket
from servicedesk.web.tickets import attachment_response
from servicedesk.works import selectors, services
from servicedesk.works.access import access_photo, access_work
from servicedesk.works.amounts import works_total
from servicedesk.works.models import CompletedWork

TEMPLATE_LIST = "backoffice/works/work_list.html"
TEMPLATE_FORM = "backoffice/works/work_form.html"


def _can_change(user: Any, ticket: Ticket, act: Act | None) -> bool:
    """Whether to offer the buttons: the services decide again when they are pressed."""
    return bool(
        user.has_perm("works.change", ticket)
        and ticket.status not in services.FINAL_STATUSES
        and not (act is not None and act.state == Act.State.SIGNED)
    )


def _tab_context(ticket: Ticket, count: int) -> dict[str, Any]:
    return {"section": "tickets", "ticket": ticket, "tab": "works", "works_count": count}


@backoffice_view
@require_GET
def work_list(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    user = request.user
    ticket = access_ticket(user, number)
    works = selectors.work_list_for_ticket(ticket, user)
    act = issued_act(ticket)
    return render(
        request,
        TEMPLATE_LIST,
        {
            **_tab_context(ticket, len(works)),
            "works": works,
            "total": works_total(works),
            "can_change": _can_change(user, ticket, act),
            "place": selectors.place_text(ticket.site, ticket.equipment),
            "closed": ticket.status in services.FINAL_STATUSES,
            "act": act,
            "act_versions": act_versions(act) if act else [],
            "manages_act": user.has_perm("works.change", ticket),
            "locked": act is not None and act.state == act.State.SIGNED,
        },
    )


def _back(ticket: Ticket, work: CompletedWork | None = None) -> HttpResponse:
    anchor = f"#work-{work.pk}" if work is not None else ""
    return redirect(reverse("backoffice:ticket_works", args=[ticket.number]) + anchor)


def _forms(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    work: CompletedWork | None,
) -> tuple[WorkForm, Any, Any]:
    """The work's form and its two formsets: bound to what was posted, or filled from the work
    (a new one: the ticket's work type, and the person recording it as its engineer, when they
    can be one)."""
    choices = Choices.load(work)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    if work is not None:
        initial: dict[str, Any] = {
            "work_type": work.work_type_id,
            "comment": work.comment,
            "internal_note": work.internal_note,
            "version": work.version,
        }
        engineers = [
            {
                "engineer": line.engineer_id,
                "hourly_rate": line.hourly_rate,
                "started_at": timezone.localtime(line.started_at),
                "finished_at": timezone.localtime(line.finished_at),
            }
            for line in work.engineers.all()
        ]
        materials: list[dict[str, Any]] = [
            {
                "material": line.material_id,
                "name": line.display_name,
                "quantity": format(line.quantity.normalize(), "f"),  # 2.5, not 2.500
                "unit": line.unit,
                "price": line.price,
            }
            for line in work.materials.all()
        ]
    else:
        initial = {"work_type": ticket.work_type_id}
        engineers = [_first_engineer(request.user, ticket, choices)]
        materials = []
    if data is not None and request.POST.get("add_row"):
        data = _with_one_more_row(data, request.POST["add_row"])
    form = WorkForm(data, files, choices=choices, work=work, initial=initial)
    engineer_set = EngineerFormSet(
        data, prefix=ENGINEERS_PREFIX, initial=engineers, choices=choices
    )
    material_set = MaterialFormSet(
        data, prefix=MATERIALS_PREFIX, initial=[*materials, {}], choices=choices
    )
    return form, engineer_set, material_set


def _first_engineer(user: Any, ticket: Ticket, choices: Choices) -> dict[str, Any]:
    """A new work's first engineer: the ticket's assignee (an engineer records works on the
    tickets assigned to them), else the person recording it, if they can be one."""
    for person in (ticket.assignee, user):
        if person is not None and person.pk in choices.engineers:
            rate = choices.engineers[person.pk].hourly_rate
            return {"engineer": person.pk, "hourly_rate": rate}
    return {}


def _with_one_more_row(data: Any, prefix: str) -> Any:
    """«Add a row» without JavaScript: the form comes back with one more empty row."""
    if prefix not in (ENGINEERS_PREFIX, MATERIALS_PREFIX):
        return data
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    total = pk_or_none(data.get(key)) or 0
    data[key] = str(min(total + 1, 100))
    return data


def _show_error(form: WorkForm, engineers: Any, materials: Any, error: ApplicationError) -> None:
    """A service's refusal beside the value at fault: a row's field (`engineers-0-rate`), the
    work's field, or at the top of the form."""
    field = error.field or ""
    for formset in (engineers, materials):
        index, _dash, name = field.removeprefix(f"{formset.prefix}-").partition("-")
        if field.startswith(f"{formset.prefix}-") and index.isdigit():
            rows = formset.rows()
            if int(index) < len(rows) and name in rows[int(index)].fields:
                rows[int(index)].add_error(name, str(error.message))
                return
    form.add_error(field if field in form.fields else None, str(error.message))


def _form_page(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    work: CompletedWork | None,
    forms: tuple[WorkForm, Any, Any],
    *,
    status: int = 200,
    show_errors: bool = True,
) -> HttpResponse:
    form, engineers, materials = forms
    if show_errors and form.is_bound:
        mark_invalid(*engineers.forms, *materials.forms)
    count = selectors.work_count(ticket)
    context = {
        **_tab_context(ticket, count),
        "work": work,
        "form": form,
        "engineers": engineers,
        "materials": materials,
        "place": selectors.place_text(ticket.site, ticket.equipment),
        "show_errors": show_errors,
    }
    return render(request, TEMPLATE_FORM, context, status=status)


def _save(
    request: AuthenticatedHttpRequest, ticket: Ticket, work: CompletedWork | None
) -> HttpResponse:
    forms = _forms(request, ticket, work)
    form, engineers, materials = forms
    if request.method != "POST":
        return _form_page(request, ticket, work, forms)
    if request.POST.get("add_row"):
        return _form_page(request, ticket, work, forms, show_errors=False)
    if form.is_valid() and engineers.is_valid() and materials.is_valid():
        data = work_data(form, engineers.lines(), materials.lines())
        try:
            if work is None:
                saved = services.work_add(
                    by=request.user, ticket=ticket, data=data, photos=form.cleaned_data["photos"]
                )
                messages.success(request, _("The work has been recorded."))
            else:
                saved = services.work_update(
                    by=request.user,
                    work=work,
                    data=data,
                    photos_add=form.cleaned_data["photos"],
                    photos_remove=form.cleaned_data.get("photos_remove") or (),
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("The work has been saved."))
        except ApplicationError as error:
            _show_error(form, engineers, materials, error)
        else:
            return _back(ticket, saved)
    if request.FILES.getlist("photos"):
        form.add_error("photos", _("Choose the photos again: a page cannot keep them."))
    return _form_page(request, ticket, work, forms, status=400)


@backoffice_view
@require_http_methods(["GET", "POST"])
def work_new(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    if not _can_change(request.user, ticket, issued_act(ticket)):
        messages.error(request, _("You cannot record works on this ticket."))
        return _back(ticket)
    return _save(request, ticket, None)


@backoffice_view
@require_http_methods(["GET", "POST"])
def work_edit(request: AuthenticatedHttpRequest, number: str, work_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    work = access_work(request.user, ticket, work_id)
    if not _can_change(request.user, ticket, issued_act(ticket)):
        messages.error(request, _("You cannot change the works of this ticket."))
        return _back(ticket, work)
    return _save(request, ticket, work)


@backoffice_view
@require_POST
def work_delete(request: AuthenticatedHttpRequest, number: str, work_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    work = access_work(request.user, ticket, work_id)
    try:
        services.work_delete(
            by=request.user, work=work, expected_version=pk_or_none(request.POST.get("version"))
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return _back(ticket, work)
    messages.success(request, _("The work has been deleted."))
    return _back(ticket)


@backoffice_view
@require_GET
def work_photo(
    request: AuthenticatedHttpRequest, number: str, work_id: int, photo_id: int
) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    return attachment_response(request, access_photo(request.user, ticket, work_id, photo_id))
