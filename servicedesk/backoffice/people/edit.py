"""Creating and editing a person: details, role, and a customer's companies with their scope."""

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.models import Role, User
from servicedesk.accounts.services import (
    user_create,
    user_hourly_rate_set,
    user_role_set,
    user_update,
)
from servicedesk.backoffice.people.common import people_view, person_action
from servicedesk.backoffice.people.forms import (
    STAFF_ROLE_CHOICES,
    MembershipFormSet,
    PersonForm,
    company_choices,
    membership_initial,
)
from servicedesk.core.errors import ApplicationError

FORMSET_PREFIX = "memberships"
DETAIL_FIELDS = ("full_name", "email", "phone", "position", "role", "language", "time_zone")


def _render(
    request: AuthenticatedHttpRequest, form: PersonForm, formset: Any, **context: Any
) -> HttpResponse:
    return render(
        request,
        "backoffice/people/person_form.html",
        {"section": "people", "form": form, "formset": formset, **context},
    )


def _show_error(form: PersonForm, error: ApplicationError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@people_view()
def person_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.manage_user", User(role=Role.CUSTOMER)):
        raise Http404
    role_choices: list[tuple[str, Any]] = [(Role.CUSTOMER.value, Role.CUSTOMER.label)]
    if request.user.has_perm("accounts.manage_staff"):
        role_choices += STAFF_ROLE_CHOICES
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, role_choices=role_choices, initial={"role": Role.CUSTOMER})
    formset = MembershipFormSet(data, prefix=FORMSET_PREFIX, initial=[{}])
    if data is not None and form.is_valid() and (not form.is_customer or formset.is_valid()):
        role = form.cleaned_data["role"]
        invite = bool(form.cleaned_data.get("send_invitation"))
        try:
            person = user_create(
                by=request.user,
                role=role,
                memberships=formset.data_for_service() if role == Role.CUSTOMER else (),
                send_invitation=invite,
                request=request,
                **form.details(),
            )
        except ApplicationError as error:
            _show_error(form, error)
        else:
            if invite:
                message = _("%(name)s has been added and invited.")
            else:
                message = _("%(name)s has been added. No invitation has been sent yet.")
            messages.success(request, message % {"name": person.full_name})
            return redirect("backoffice:person_detail", pk=person.pk)
    return _render(request, form, formset, creating=True)


@person_action(methods=("GET", "POST"))
def person_edit(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    may_set_role = (
        person.is_provider_staff
        and person.pk != request.user.pk
        and request.user.has_perm("accounts.manage_staff")
    )
    rate_editable = person.is_provider_staff and request.user.has_perm("accounts.manage_staff")
    data = request.POST if request.method == "POST" else None
    initial = {name: getattr(person, name) for name in DETAIL_FIELDS}
    form = PersonForm(
        data,
        person=person,
        role_choices=STAFF_ROLE_CHOICES if may_set_role else None,
        rate_editable=rate_editable,
        initial={**initial, "email": person.email or "", "hourly_rate": person.hourly_rate},
    )
    kept = [m.company_id for m in person.memberships.all()]
    formset = MembershipFormSet(
        data,
        prefix=FORMSET_PREFIX,
        initial=membership_initial(person),
        companies=company_choices(keep=kept),
    )
    if data is not None and form.is_valid() and (not person.is_customer or formset.is_valid()):
        try:
            with transaction.atomic():
                user_update(
                    by=request.user,
                    user=person,
                    memberships=formset.data_for_service() if person.is_customer else None,
                    request=request,
                    **form.details(),
                )
                if rate_editable:
                    user_hourly_rate_set(
                        by=request.user,
                        user=person,
                        hourly_rate=form.cleaned_data.get("hourly_rate"),
                        request=request,
                    )
                if may_set_role and form.cleaned_data["role"] != person.role:
                    user_role_set(
                        by=request.user,
                        user=person,
                        role=form.cleaned_data["role"],
                        request=request,
                    )
        except ApplicationError as error:
            person.refresh_from_db()
            _show_error(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("backoffice:person_detail", pk=person.pk)
    return _render(request, form, formset, person=person, creating=False)
