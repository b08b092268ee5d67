"""The bell's pages, the same in both areas (`area` is the URL namespace, "portal" or
"backoffice", whose views call these after their own access decorator): a person's
notifications, newest first; opening one marks it read and leads to the ticket; someone else's
notification is a 404."""

from typing import Literal

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.notifications.selectors import notification_get, notification_page
from servicedesk.notifications.services import notifications_read

Area = Literal["portal", "backoffice"]


def notification_list(request: AuthenticatedHttpRequest, area: Area) -> HttpResponse:
    page, rows = notification_page(request.user, request.GET.get("page"))
    return render(
        request,
        f"{area}/notifications/list.html",
        {"section": "notifications", "page": page, "rows": rows},
    )


def notification_open(request: AuthenticatedHttpRequest, area: Area, pk: int) -> HttpResponse:
    user = request.user
    notification = notification_get(user, pk)
    if notification is None:
        raise Http404
    notifications_read(user=user, ids=[notification.pk])
    if notification.ticket is None:
        webhook = (notification.data or {}).get("webhook")
        if webhook and area == "backoffice" and request.user.has_perm("webhooks.manage"):
            return redirect("backoffice:webhook_detail", pk=int(webhook))
        return redirect(f"{area}:notifications")
    response = redirect(f"{area}:ticket_detail", number=notification.ticket.number)
    if notification.message_id is not None:
        response["Location"] += "#messages"
    return response


def notifications_read_all(request: AuthenticatedHttpRequest, area: Area) -> HttpResponse:
    notifications_read(user=request.user)
    return redirect(f"{area}:notifications")
