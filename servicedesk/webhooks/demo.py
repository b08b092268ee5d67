"""Demo webhooks (demo_data): the provider's ERP bridge (staff-only, every ticket event) with a
short delivery log — delivered, one failing and waiting for its retry, a ping — and a
customer-facing one for Alfa's helpdesk, paused after failing. Made without sending anything
(the demo's receivers do not exist); idempotent by name. The errors are written as the worker
writes them, in the installation's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.customers.models import Company
from servicedesk.tickets.models import Ticket
from servicedesk.webhooks import payloads
from servicedesk.webhooks.models import PING, Event, Webhook, WebhookDelivery

ERP_EVENTS = [
    Event.TICKET_CREATED,
    Event.TICKET_STATUS_CHANGED,
    Event.TICKET_ASSIGNED,
    Event.MESSAGE_CREATED,
    Event.SLA_BREACH,
    Event.ACT_SIGNED,
]


def load_demo(*, admin: User, company: Company) -> None:
    if Webhook.objects.filter(name="1С:ERP — заявки").exists():
        return
    now = timezone.now()
    erp = Webhook.objects.create(
        owner=admin,
        name="1С:ERP — заявки",
        url="https://erp.provider.example/hs/servicedesk/webhook",
        events=ERP_EVENTS,
    )
    alfa = Webhook.objects.create(
        owner=admin,
        name="Service desk of Alfa",
        url="https://helpdesk.alfa.example/api/servicedesk",
        events=[Event.TICKET_STATUS_CHANGED, Event.MESSAGE_CREATED],
        customer_facing=True,
        company=company,
        is_active=False,
        paused_at=now - timedelta(hours=2),
        paused_reason="Не доставлено подряд: 20; последняя ошибка: Получатель ответил 503.",
        failures=20,
    )
    tickets = list(Ticket.objects.order_by("-created_at")[:3])
    rows: list[WebhookDelivery] = []
    for n, ticket in enumerate(tickets):
        ticket = payloads.ticket_load(ticket.pk) or ticket
        facts: dict[str, Any] = {"ticket_id": ticket.pk, "by_id": ticket.created_by_id}
        data = payloads.event_data(Event.TICKET_CREATED, facts, ticket, payloads.STAFF)
        at = now - timedelta(minutes=40 - n * 10)
        ok = n != 1
        rows.append(
            WebhookDelivery(
                webhook=erp,
                event=Event.TICKET_CREATED,
                payload=data or {},
                state=WebhookDelivery.State.SUCCEEDED if ok else WebhookDelivery.State.PENDING,
                attempts=1 if ok else 2,
                next_attempt_at=None if ok else now + timedelta(minutes=4),
                response_code=200 if ok else 502,
                response_ms=120 + 37 * n,
                response_excerpt='{"status":"accepted"}' if ok else "<html>502 Bad Gateway</html>",
                error="" if ok else "Получатель ответил 502.",
                created_at=at,
                last_attempt_at=at,
                delivered_at=at if ok else None,
            )
        )
        if ticket.company_id == company.pk:
            data = payloads.event_data(
                Event.TICKET_STATUS_CHANGED,
                {**facts, "old": "new", "new": str(ticket.status)},
                ticket,
                payloads.CUSTOMER,
            )
            rows.append(
                WebhookDelivery(
                    webhook=alfa,
                    event=Event.TICKET_STATUS_CHANGED,
                    payload=data or {},
                    state=WebhookDelivery.State.FAILED,
                    attempts=6,
                    response_code=503,
                    response_ms=10000,
                    error="Получатель ответил 503.",
                    created_at=at,
                    last_attempt_at=at + timedelta(hours=3),
                )
            )
    rows.append(
        WebhookDelivery(
            webhook=erp,
            event=PING,
            payload={"webhook": {"id": erp.pk, "name": erp.name, "events": erp.events}},
            state=WebhookDelivery.State.SUCCEEDED,
            attempts=1,
            response_code=204,
            response_ms=88,
            created_at=now - timedelta(hours=1),
            last_attempt_at=now - timedelta(hours=1),
            delivered_at=now - timedelta(hours=1),
        )
    )
    WebhookDelivery.objects.bulk_create(rows)
