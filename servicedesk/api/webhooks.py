"""Webhooks for administrators (`webhooks.manage`; anyone else: 404, as for a missing one):
list, create (the secret is in this answer only), delete, and each one's deliveries. The same
services as the back office's pages (servicedesk/webhooks/services.py): the same checks — the
SSRF guard, the events, a customer-facing one's customer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from servicedesk.api.errors import responses
from servicedesk.api.lists import keyset_page
from servicedesk.api.pagination import PageParams
from servicedesk.customers.access import access_company
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import MANAGE, webhook_create, webhook_delete

router = Router(tags=["webhooks"])
BY_NEWEST = [("created_at", True), ("id", True)]


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    customer_facing: bool
    company_id: int | None
    is_active: bool
    paused_at: dt.datetime | None
    paused_reason: str
    failures: int = Field(description="Failed attempts in a row.")
    created_at: dt.datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown in this answer only.")


class WebhookIn(Schema):
    name: str = Field(max_length=100)
    url: str = Field(max_length=2000, description="http(s), a public address, port 80/443/…")
    events: list[Event] = Field(min_length=1, max_length=20)
    customer_facing: bool = False
    company_id: int | None = Field(None, ge=1, description="Required when customer-facing.")


class DeliveryOut(Schema):
    id: int
    uid: uuid.UUID = Field(description="X-Servicedesk-Delivery")
    event: str
    state: str = Field(description="pending, succeeded or failed.")
    attempts: int
    next_attempt_at: dt.datetime | None
    response_code: int | None
    response_ms: int | None
    response_excerpt: str
    error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


def _manager(request: HttpRequest) -> Any:
    user = request.user
    if not user.has_perm(MANAGE):
        raise Http404
    return user


def _webhook(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "name": webhook.name,
        "url": webhook.url,
        "events": list(webhook.events),
        "customer_facing": webhook.customer_facing,
        "company_id": webhook.company_id,
        "is_active": webhook.is_active,
        "paused_at": webhook.paused_at,
        "paused_reason": webhook.paused_reason,
        "failures": webhook.failures,
        "created_at": webhook.created_at,
    }


@router.get(
    "/webhooks",
    response=responses({200: list[WebhookOut]}, 404),
    summary="Webhooks",
    description="Every webhook (administrators). Вебхуки.",
)
def webhook_list(request: HttpRequest) -> list[dict[str, Any]]:
    _manager(request)
    return [_webhook(w) for w in Webhook.objects.order_by("name", "pk")]


@router.post(
    "/webhooks",
    response=responses({201: WebhookCreatedOut}, 404),
    summary="Register a webhook",
)
def webhook_new(request: HttpRequest, payload: WebhookIn) -> Status[dict[str, Any]]:
    user = _manager(request)
    company = access_company(user, payload.company_id) if payload.company_id else None
    webhook = webhook_create(
        by=user,
        name=payload.name,
        url=payload.url,
        events=[str(e.value) for e in payload.events],
        customer_facing=payload.customer_facing,
        company=company,
    )
    return Status(201, {**_webhook(webhook), "secret": webhook.secret})


@router.delete(
    "/webhooks/{webhook_id}",
    response=responses({204: None}, 404),
    summary="Delete a webhook",
)
def webhook_remove(request: HttpRequest, webhook_id: int) -> HttpResponse:
    user = _manager(request)
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404
    webhook_delete(by=user, webhook=webhook)
    return HttpResponse(status=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=responses({200: DeliveryPage}, 404),
    summary="A webhook's deliveries",
    description="Newest first, with the receiver's answer. Доставки вебхука.",
)
def delivery_list(request: HttpRequest, webhook_id: int, page: Query[PageParams]) -> dict[str, Any]:
    _manager(request)
    if not Webhook.objects.filter(pk=webhook_id).exists():
        raise Http404
    rows = (
        WebhookDelivery.objects.filter(webhook_id=webhook_id)
        .defer("payload")
        .order_by("-created_at", "-id")
    )
    items, cursor = keyset_page(rows, BY_NEWEST, page, f"webhook-deliveries:{webhook_id}")
    return {
        "items": [
            {
                "id": d.pk,
                "uid": d.uid,
                "event": d.event,
                "state": d.state,
                "attempts": d.attempts,
                "next_attempt_at": d.next_attempt_at,
                "response_code": d.response_code,
                "response_ms": d.response_ms,
                "response_excerpt": d.response_excerpt,
                "error": d.error,
                "created_at": d.created_at,
                "delivered_at": d.delivered_at,
            }
            for d in items
        ],
        "next_cursor": cursor,
    }
