"""«Webhooks» for administrators (webhooks.manage; anyone else gets 404): the list, a new one
(its secret shown once), its page — settings, the secret (regenerated and shown once), the
verification example, the deliveries log with code, time and answer — and the actions: send a
test ping, pause, resume, delete, re-send a delivery. Every change is a service
(servicedesk/webhooks/services.py)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.backoffice.people.common import elided_range, people_view
from servicedesk.backoffice.webhooks.forms import WebhookForm
from servicedesk.core.errors import ApplicationError
from servicedesk.webhooks import signing
from servicedesk.webhooks.delivery import body_bytes
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import (
    delivery_resend,
    webhook_create,
    webhook_delete,
    webhook_pause,
    webhook_ping,
    webhook_resume,
    webhook_secret_regenerate,
    webhook_update,
)

PER_PAGE = 50
webhook_view = people_view("webhooks.manage")
EVENT_LABELS = dict(Event.choices)


@webhook_view
def webhook_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    webhooks = (
        Webhook.objects.select_related("owner", "company")
        .annotate(
            failed=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
            pending=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
        )
        .order_by("name", "pk")
    )
    rows = [(webhook, _labels(webhook.events)) for webhook in webhooks]
    return render(
        request, "backoffice/webhooks/webhook_list.html", {"section": "webhooks", "rows": rows}
    )


def _labels(events: list[str]) -> list[str]:
    return [str(EVENT_LABELS.get(event, event)) for event in events]


def _values(form: WebhookForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "url": data["url"],
        "events": data["events"],
        "customer_facing": bool(data.get("customer_facing")),
        "company": data.get("company"),
    }


def _refused(form: WebhookForm, error: ApplicationError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _detail_page(
    request: AuthenticatedHttpRequest,
    webhook: Webhook,
    form: WebhookForm,
    *,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    deliveries = Paginator(
        WebhookDelivery.objects.filter(webhook=webhook)
        .defer("payload")
        .order_by("-created_at", "-id"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    response = render(
        request,
        "backoffice/webhooks/webhook_detail.html",
        {
            "section": "webhooks",
            "webhook": webhook,
            "form": form,
            "secret": secret,
            "page": deliveries,
            "elided_range": elided_range(deliveries),
            "verify_example": signing.VERIFY_EXAMPLE,
            "events": _labels(webhook.events),
        },
        status=status,
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


ONCE_KEY = "webhook_secret"


def _secret_once(request: AuthenticatedHttpRequest, webhook: Webhook, secret: str) -> HttpResponse:
    """Show the secret on the page the browser goes to next, once (a reload of that page, or
    of the form that made it, shows it no more and makes nothing twice)."""
    request.session[ONCE_KEY] = {"pk": webhook.pk, "secret": secret}
    return redirect("backoffice:webhook_detail", pk=webhook.pk)


def _secret_shown(request: AuthenticatedHttpRequest, webhook: Webhook) -> str:
    held = request.session.get(ONCE_KEY)
    if not isinstance(held, dict) or held.get("pk") != webhook.pk:
        return ""
    del request.session[ONCE_KEY]
    return str(held.get("secret", ""))


def _initial(webhook: Webhook) -> dict[str, Any]:
    return {
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.events,
        "customer_facing": webhook.customer_facing,
        "company": webhook.company_id,
    }


@webhook_view
def webhook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook = webhook_create(by=request.user, **_values(form))
            except ApplicationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The webhook has been created."))
                return _secret_once(request, webhook, webhook.secret)
        return render(
            request,
            "backoffice/webhooks/webhook_new.html",
            {"section": "webhooks", "form": form},
            status=400,
        )
    form = WebhookForm(initial={"events": [Event.TICKET_CREATED, Event.TICKET_STATUS_CHANGED]})
    return render(
        request, "backoffice/webhooks/webhook_new.html", {"section": "webhooks", "form": form}
    )


@webhook_view
def webhook_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.select_related("owner", "company"), pk=pk)
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook_update(by=request.user, webhook=webhook, **_values(form))
            except ApplicationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The webhook has been saved."))
                return redirect("backoffice:webhook_detail", pk=pk)
        return _detail_page(request, webhook, form, status=400)
    return _detail_page(
        request,
        webhook,
        WebhookForm(initial=_initial(webhook)),
        secret=_secret_shown(request, webhook),
    )


@webhook_view
@require_POST
def webhook_secret(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.select_related("owner", "company"), pk=pk)
    secret = webhook_secret_regenerate(by=request.user, webhook=webhook)
    messages.success(request, _("A new secret has been made; the old one no longer signs."))
    return _secret_once(request, webhook, secret)


@webhook_view
@require_POST
def webhook_ping_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    webhook_ping(by=request.user, webhook=webhook)
    messages.success(
        request, _("A test ping is on its way; its delivery appears in the log below.")
    )
    return redirect("backoffice:webhook_detail", pk=pk)


@webhook_view
@require_POST
def webhook_pause_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    if webhook_pause(by=request.user, webhook=webhook):
        messages.success(request, _("The webhook is paused: nothing is sent until it is resumed."))
    return redirect("backoffice:webhook_detail", pk=pk)


@webhook_view
@require_POST
def webhook_resume_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    queued = webhook_resume(by=request.user, webhook=webhook)
    messages.success(
        request,
        _("The webhook is active again; %(count)s waiting deliveries are being sent.")
        % {"count": queued},
    )
    return redirect("backoffice:webhook_detail", pk=pk)


@webhook_view
@require_POST
def webhook_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    webhook_delete(by=request.user, webhook=webhook)
    messages.success(request, _("The webhook and its deliveries have been deleted."))
    return redirect("backoffice:webhooks")


@webhook_view
def delivery_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)
    return render(
        request,
        "backoffice/webhooks/delivery_detail.html",
        {
            "section": "webhooks",
            "delivery": delivery,
            "webhook": delivery.webhook,
            "body": json.dumps(json.loads(body_bytes(delivery)), ensure_ascii=False, indent=2),
        },
    )


@webhook_view
@require_POST
def delivery_resend_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    delivery_resend(by=request.user, delivery=delivery)
    messages.success(request, _("The event is being sent again, as a new delivery."))
    return redirect("backoffice:webhook_detail", pk=delivery.webhook_id)
