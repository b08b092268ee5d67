"""«Outgoing mail» for administrators: the outbound log (servicedesk.mail) with its status,
attempts and last error, filtered by status or address, and «Retry now» for an email that is
waiting for its next attempt or has failed. Anyone without "mail.view_outbound" gets 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.backoffice.people.common import elided_range, people_view
from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.services import max_attempts, outbound_retry_now

PER_PAGE = 50
mail_view = people_view("mail.view_outbound")
Status = OutboundMessage.Status


@mail_view
def outbound_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    query = request.GET.get("q", "").strip()[:200]
    rows = OutboundMessage.objects.select_related("ticket").defer("raw")
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(to__icontains=query)
    page = Paginator(rows.order_by("-created_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = dict(
        OutboundMessage.objects.values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    tabs = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in Status.choices
    ]
    return render(
        request,
        "backoffice/mail/outbound_list.html",
        {
            "section": "outbound_mail",
            "page": page,
            "elided_range": elided_range(page),
            "status": status,
            "query": query,
            "tabs": tabs,
            "max_attempts": max_attempts(),
        },
    )


@mail_view
@require_POST
def outbound_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if outbound_retry_now(pk=pk):
        messages.success(request, _("The email will be sent again in a moment."))
    else:
        messages.info(request, _("This email has been sent already."))
    # Back to the same filter and page: only a query string is taken, after our own path.
    back = request.POST.get("next", "")
    query = back if back.startswith("?") and "\n" not in back and "\r" not in back else ""
    return redirect(reverse("backoffice:outbound_mail") + query)
