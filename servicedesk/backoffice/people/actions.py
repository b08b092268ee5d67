"""The buttons on a person's page: invitation, temporary password, deactivation, conversion
between employee and customer, staff role. Each is a POST allowed only to those who may manage
that person; a refusal of the service is shown as a message and changes nothing."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.models import Invitation, User
from servicedesk.accounts.services import (
    invitation_send,
    user_convert,
    user_deactivate,
    user_reactivate,
    user_role_set,
    user_temporary_password_issue,
)
from servicedesk.backoffice.people.common import person_action, report
from servicedesk.backoffice.people.forms import ConvertForm, StaffRoleForm
from servicedesk.core.errors import ApplicationError


def _back(person: User) -> HttpResponse:
    return redirect("backoffice:person_detail", pk=person.pk)


@person_action()
def person_invite(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    try:
        invitation = invitation_send(user=person, by=request.user, request=request)
    except ApplicationError as error:
        report(request, error)
    else:
        if invitation.channel == Invitation.Channel.EMAIL:
            message = _("The invitation has been sent by email to %(address)s.")
            address = person.email or ""
        else:
            message = _("The invitation has been sent by SMS to %(address)s.")
            address = str(person.phone)
        messages.success(request, message % {"address": address})
    return _back(person)


@person_action(methods=("GET", "POST"))
@sensitive_variables("password")
def person_temporary_password(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    """GET: are you sure? POST: the new password, shown on this response only."""
    context = {"section": "people", "person": person}
    if request.method == "POST":
        try:
            password = user_temporary_password_issue(by=request.user, user=person, request=request)
        except ApplicationError as error:
            report(request, error)
            return _back(person)
        context["password"] = password
    response = render(request, "backoffice/people/person_temporary_password.html", context)
    add_never_cache_headers(response)
    return response


@person_action()
def person_deactivate(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    try:
        user_deactivate(by=request.user, user=person, request=request)
    except ApplicationError as error:
        report(request, error)
    else:
        messages.success(
            request, _("%(name)s has been deactivated and signed out.") % {"name": person}
        )
    return _back(person)


@person_action()
def person_reactivate(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    try:
        user_reactivate(by=request.user, user=person, request=request)
    except ApplicationError as error:
        report(request, error)
    else:
        messages.success(request, _("%(name)s can sign in again.") % {"name": person})
    return _back(person)


@person_action()
def person_convert(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    # Making someone an employee, or an employee a customer, is staff management.
    if not request.user.has_perm("accounts.manage_staff"):
        raise Http404
    form = ConvertForm(
        request.POST, person=person, needs_company=not person.memberships.all().exists()
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(person)
    try:
        user_convert(
            by=request.user,
            user=person,
            role=form.target_role(),
            memberships=form.memberships(),
            request=request,
        )
    except ApplicationError as error:
        report(request, error)
    else:
        if person.is_customer:
            message = _("%(name)s is now a customer.")
        else:
            message = _("%(name)s is now an employee (%(role)s).")
        messages.success(request, message % {"name": person, "role": person.get_role_display()})
    return _back(person)


@person_action()
def person_role(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    if not request.user.has_perm("accounts.manage_staff") or not person.is_provider_staff:
        raise Http404
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return _back(person)
    try:
        user_role_set(by=request.user, user=person, role=form.cleaned_data["role"], request=request)
    except ApplicationError as error:
        report(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.") % {"name": person, "role": person.get_role_display()},
        )
    return _back(person)
