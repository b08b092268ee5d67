"""The bell's page: a person's notifications, newest first; opening one marks it read."""

from typing import Any, cast

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import User
from servicedesk.notifications.models import Notification
from servicedesk.notifications.services import notifications_read

PAGE_SIZE = 50


@backoffice_view
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    rows = (
        Notification.objects.filter(user=user)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"section": "notifications", "page": page}
    return render(request, "backoffice/notifications/list.html", context)


@backoffice_view
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    notification = Notification.objects.filter(pk=pk, user=user).select_related("ticket").first()
    if notification is None:
        raise Http404
    notifications_read(user=user, ids=[notification.pk])
    if notification.ticket is None:
        return redirect("backoffice:notifications")
    return redirect("backoffice:ticket_detail", number=notification.ticket.number)


@backoffice_view
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_read(user=request.user)
    return redirect("backoffice:notifications")
