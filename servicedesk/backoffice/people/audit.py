"""The audit log: security events, newest first, for administrators."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.accounts.models import AuditEvent, Invitation, Role, User
from servicedesk.accounts.selectors import audit_event_list
from servicedesk.backoffice.people.common import elided_range, people_view
from servicedesk.backoffice.people.filters import AuditFilterForm

PAGE_SIZE = 50


DETAIL_LABELS = {
    "old": _("from"),
    "new": _("to"),
    "fields": _("changed"),
    "channel": _("channel"),
    "access_request": _("access request"),
}
IMPORT_KEYS = ("file", "rows", "created", "updated", "unchanged", "invited")


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, str) and value in Role.values:
        return str(Role(value).label)
    if isinstance(value, str) and value in Invitation.Channel.values:
        return str(Invitation.Channel(value).label)
    return str(value)


def details_text(event: AuditEvent) -> str:
    """The event's details as one readable line ("from: Dispatcher; to: Administrator")."""
    details = event.details if isinstance(event.details, dict) else {}
    if event.kind == AuditEvent.Kind.IMPORTED and set(IMPORT_KEYS) <= set(details):
        return _(
            "File %(file)s, %(rows)s rows: %(created)s added, %(updated)s updated, "
            "%(unchanged)s unchanged, %(invited)s invited."
        ) % {key: details[key] for key in IMPORT_KEYS}
    # Known keys in their natural order ("from" before "to"; PostgreSQL's jsonb sorts them).
    known = list(DETAIL_LABELS)
    keys = sorted(details, key=lambda k: (known.index(k) if k in known else len(known), k))
    return "; ".join(f"{DETAIL_LABELS.get(key, key)}: {_value(details[key])}" for key in keys)


@people_view("accounts.view_audit_log")
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    filters = form.values()
    page = Paginator(audit_event_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.details_text = details_text(event)  # type: ignore[attr-defined]
    user_id = filters["user_id"]
    context = {
        "section": "audit",
        "form": form,
        "page": page,
        "elided_range": elided_range(page),
        "filter_user": User.objects.filter(pk=user_id).first() if user_id else None,
        "filtered": any(filters.values()),
    }
    return render(request, "backoffice/people/audit_log.html", context)
