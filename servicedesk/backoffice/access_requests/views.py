"""Access requests in the back office: the list (pending first) and one request with its two
decisions. Only for staff who may decide them (accounts.decide_access_requests); anyone else
gets 404, like a customer opening the back office."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import AccessRequest, User
from servicedesk.accounts.services import access_request_approve, access_request_reject
from servicedesk.backoffice.access_requests.forms import ApproveForm, RejectForm
from servicedesk.core.errors import ApplicationError

PAGE_SIZE = 25
Status = AccessRequest.Status


def _decider(request: HttpRequest) -> User:
    """The signed-in member of staff who may decide access requests; anyone else: 404."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm("accounts.decide_access_requests"):
        raise Http404
    return user


def _swaps_part(request: HttpRequest) -> bool:
    """An htmx request for part of the page (a history restore wants the whole page)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _requests() -> QuerySet[AccessRequest]:
    return AccessRequest.objects.select_related("company", "requested_by", "decided_by", "user")


@backoffice_view
@require_GET
def access_request_list(request: HttpRequest) -> HttpResponse:
    _decider(request)
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    requests = _requests().annotate(
        pending_first=Case(
            When(status=Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if status:
        requests = requests.filter(status=status)
    page = Paginator(requests.order_by("pending_first", "-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts: dict[str, Any] = AccessRequest.objects.aggregate(
        all=Count("pk"), **{value: Count("pk", filter=Q(status=value)) for value in Status.values}
    )
    tabs = [("", _("All"), counts["all"])] + [
        (value, label, counts[value]) for value, label in Status.choices
    ]
    context = {"page": page, "status": status, "tabs": tabs, "section": "access_requests"}
    template = "backoffice/access_requests/list.html"
    if _swaps_part(request):
        template += "#list"
    return render(request, template, context)


def _detail(
    request: HttpRequest,
    access_request: AccessRequest,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    pending = access_request.status == Status.PENDING
    if pending:
        approve_form = approve_form or ApproveForm(access_request=access_request)
        reject_form = reject_form or RejectForm()
    context = {
        "access_request": access_request,
        "approve_form": approve_form,
        "reject_form": reject_form,
        "section": "access_requests",
    }
    return render(request, "backoffice/access_requests/detail.html", context)


@backoffice_view
@require_GET
def access_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _decider(request)
    return _detail(request, get_object_or_404(_requests(), pk=pk))


def _pending_or_404(pk: int) -> AccessRequest:
    return get_object_or_404(_requests(), pk=pk, status=Status.PENDING)


@backoffice_view
@require_GET
def access_request_scope_options(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the sites and equipment of the company chosen in the approval form."""
    _decider(request)
    access_request = _pending_or_404(pk)
    initial = {
        "company": request.GET.get("company") or None,
        "scope": request.GET.get("scope") or None,
    }
    form = ApproveForm(access_request=access_request, initial=initial)
    return render(
        request,
        "backoffice/access_requests/detail.html#scope",
        {"access_request": access_request, "approve_form": form},
    )


@backoffice_view
@require_POST
def access_request_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    _decider(request)
    access_request = _pending_or_404(pk)
    form = ApproveForm(request.POST, access_request=access_request)
    if form.is_valid():
        membership = form.membership()
        try:
            user = access_request_approve(
                by=_decider(request),
                access_request=access_request,
                membership=membership,
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            how = (
                _("The invitation has been sent by email.")
                if user.email
                else _("The invitation has been sent by SMS.")
            )
            messages.success(
                request,
                _("%(name)s is now a customer of %(company)s.")
                % {"name": user.full_name, "company": membership.company.name}
                + " "
                + how,
            )
            return redirect("backoffice:access_requests")
    return _detail(request, access_request, approve_form=form)


@backoffice_view
@require_POST
def access_request_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    _decider(request)
    access_request = _pending_or_404(pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            rejected = access_request_reject(
                by=_decider(request),
                access_request=access_request,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            told = (
                _("The person is told by email.")
                if rejected.email
                else _("The person gave no email address; tell them by phone if needed.")
            )
            messages.success(
                request,
                _("The request of %(name)s is rejected.") % {"name": rejected.full_name}
                + " "
                + told,
            )
            return redirect("backoffice:access_requests")
    return _detail(request, access_request, reject_form=form)
