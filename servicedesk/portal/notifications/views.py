"""The customer's bell page: their notifications about tickets they can see, newest first;
opening one marks it read and leads to the ticket. Someone else's notification is a 404."""

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.decorators import portal_view
from servicedesk.accounts.models import User
from servicedesk.notifications.selectors import notification_get, notification_page
from servicedesk.notifications.services import notifications_read


@portal_view
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page, rows = notification_page(request.user, request.GET.get("page"))
    return render(
        request,
        "portal/notifications/list.html",
        {"section": "notifications", "page": page, "rows": rows},
    )


@portal_view
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    notification = notification_get(user, pk)
    if notification is None:
        raise Http404
    notifications_read(user=user, ids=[notification.pk])
    if notification.ticket is None:
        return redirect("portal:notifications")
    url = redirect("portal:ticket_detail", number=notification.ticket.number)
    if notification.message_id is not None:
        url["Location"] += "#messages"
    return url


@portal_view
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_read(user=request.user)
    return redirect("portal:notifications")
