"""People: the lists of customers and employees, a person's page, and the sites and equipment
offered when a company is chosen in the person form. Changes live in edit.py and actions.py,
the audit log in audit.py."""

import re
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.models import AuditEvent, Role, User
from servicedesk.accounts.selectors import PeopleKind, people_counts, user_list
from servicedesk.backoffice.people.common import (
    elided_range,
    people_view,
    person_or_404,
    wants_fragment,
)
from servicedesk.backoffice.people.filters import PAGE_SIZES, PeopleFilterForm
from servicedesk.backoffice.people.forms import (
    STAFF_ROLE_CHOICES,
    ConvertForm,
    MembershipForm,
    StaffRoleForm,
)
from servicedesk.core.forms import pk_or_none
from servicedesk.customers.models import Company

FILTER_KEYS = ("kind", "q", "role", "company", "status", "order")


def _query(request: AuthenticatedHttpRequest, **changes: Any) -> str:
    """The current address's query with `changes` (None removes a key), empty values dropped."""
    params = {k: str(v) for k, v in request.GET.items() if v}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


def _columns(request: AuthenticatedHttpRequest, kind: str, order: str) -> list[dict[str, Any]]:
    """Table headers; the sortable ones link to their order (again: the other direction)."""
    spec: list[tuple[Any, str, str]] = [
        (_("Name"), "full_name", ""),
        (_("Email"), "email", "d-none d-md-table-cell"),
        (_("Phone"), "", "d-none d-md-table-cell"),
        (_("Companies") if kind == PeopleKind.CUSTOMERS else _("Role"), "", ""),
        (_("Position"), "", "d-none d-xl-table-cell"),
        (_("Status"), "", "d-none d-sm-table-cell"),
        (_("Last sign-in"), "-last_login", "d-none d-lg-table-cell"),
    ]
    columns = []
    for label, key, css in spec:
        column: dict[str, Any] = {"label": label, "css": css, "sorted": ""}
        if key:
            field = key.lstrip("-")
            if order.lstrip("-") == field:
                column["sorted"] = "desc" if order.startswith("-") else "asc"
                key = field if order.startswith("-") else f"-{field}"
            column["url"] = _query(request, order=key, page=None)
        columns.append(column)
    return columns


@people_view()
def people_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET)
    filters = form.values()
    per_page = form.page_size()
    page = Paginator(user_list(**filters), per_page).get_page(request.GET.get("page"))
    kind = filters["kind"]
    export_params = {k: str(v) for k, v in request.GET.items() if k in FILTER_KEYS and v}
    context = {
        "section": "people",
        "form": form,
        "kind": kind,
        "filters": filters,
        "page": page,
        "elided_range": elided_range(page),
        "per_page": per_page,
        "page_sizes": [(n, _query(request, per_page=n, page=None)) for n in PAGE_SIZES],
        "columns": _columns(request, kind, filters["order"]),
        "counts": people_counts(),
        "filtered": any(filters[k] for k in ("q", "role", "company_id", "status")),
        "export_url": reverse("backoffice:people_export") + "?" + urlencode(export_params),
        "reset_url": reverse("backoffice:people") + "?" + urlencode({"kind": kind}),
        "tab_urls": {
            k: reverse("backoffice:people") + "?" + urlencode({"kind": k})
            for k in (PeopleKind.CUSTOMERS, PeopleKind.EMPLOYEES)
        },
        "can_create": request.user.has_perm("accounts.manage_user", User(role=Role.CUSTOMER)),
        "can_import": request.user.has_perm("accounts.import_people"),
    }
    template = "backoffice/people/person_list.html"
    if wants_fragment(request):
        template = "backoffice/people/_person_list_update.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@people_view()
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(pk)
    viewer = request.user
    can_manage = viewer.has_perm("accounts.manage_user", person)
    can_manage_staff = viewer.has_perm("accounts.manage_staff")
    is_self = person.pk == viewer.pk
    memberships = list(person.memberships.all())
    context = {
        "section": "people",
        "person": person,
        "memberships": memberships,
        "invitation": person.invitations.select_related("sent_by").first(),
        "events": AuditEvent.objects.filter(user=person).select_related("actor")[:10],
        "audit_url": reverse("backoffice:audit_log") + "?" + urlencode({"user": person.pk}),
        "can_manage": can_manage,
        "can_view_audit": viewer.has_perm("accounts.view_audit_log"),
        "can_invite": can_manage and person.is_active and not person.is_activated,
        "can_convert": can_manage and can_manage_staff and not is_self,
        "can_set_role": can_manage_staff and person.is_provider_staff and not is_self,
        "is_self": is_self,
        "now": timezone.now(),
        "back_url": reverse("backoffice:people")
        + "?"
        + urlencode({"kind": PeopleKind.CUSTOMERS if person.is_customer else PeopleKind.EMPLOYEES}),
    }
    if context["can_convert"]:
        context["convert_form"] = ConvertForm(person=person, needs_company=not memberships)
    if context["can_set_role"]:
        context["role_form"] = StaffRoleForm(initial={"role": person.role})
        context["staff_roles"] = STAFF_ROLE_CHOICES
    return render(request, "backoffice/people/person_detail.html", context)


_PREFIX = re.compile(r"^[a-z_]+-(\d+|__prefix__)$")


@people_view()
def scope_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sites and equipment checkboxes of one membership row, for the company just chosen
    (`?company=<id>&prefix=<form prefix>`; the row's own `<prefix>-company` works too)."""
    prefix = request.GET.get("prefix", "")
    if not _PREFIX.match(prefix):
        raise Http404
    raw = request.GET.get("company") or request.GET.get(f"{prefix}-company") or ""
    company_id = pk_or_none(raw)
    if (
        company_id is not None
        and not Company.objects.visible_to(request.user).filter(pk=company_id).exists()
    ):
        raise Http404
    form = MembershipForm(prefix=prefix, initial={"company": company_id})
    return render(request, "backoffice/people/_scope_options.html", {"mform": form})
