"""Sending deliveries: one attempt at a time, by the worker (tasks.py), never in a request.

An attempt claims the row (pending, due, its webhook active — a ping goes to a paused one too),
checks the URL again (guard.py: a name that now resolves to a private address is refused),
signs the body (signing.py) and POSTs it to the checked address (transport.py). A 2xx answer
delivers it; anything else — another status (a redirect too: never followed), a refused or
timed-out connection, a refused address — is a failed attempt: the next one is due after
settings.WEBHOOKS_RETRY_SECONDS[attempt - 1], and after the last the delivery has failed (an
administrator may re-send it). Each attempt records the answer's code, time and first
characters, or the error.

The retry is a sweep (`deliveries_due`, every minute) over the rows, not a Huey retry: the
schedule lives in the database, so a restart, a lost task or a flushed queue loses nothing, and
what is due is what the log page shows.

A webhook counts failed attempts in a row; at settings.WEBHOOKS_PAUSE_AFTER it is paused (its
pending deliveries wait) and its owner is told, in the app and by email."""

from __future__ import annotations

import http.client
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.core.crypto import SecretUnreadableError
from servicedesk.webhooks import transport
from servicedesk.webhooks.guard import UnsafeURLError, url_check
from servicedesk.webhooks.models import PING, Webhook, WebhookDelivery
from servicedesk.webhooks.signing import signature

logger = logging.getLogger(__name__)
State = WebhookDelivery.State
EXCERPT_CHARS = 1000
ERROR_CHARS = 1000
USER_AGENT = "Servicedesk-Webhooks/1"


def body_bytes(delivery: WebhookDelivery) -> bytes:
    """The request's body: the same bytes on every attempt of the delivery."""
    body = {
        "id": str(delivery.uid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat().replace("+00:00", "Z"),
        "data": delivery.payload,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def request_headers(delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Servicedesk-Event": delivery.event,
        "X-Servicedesk-Delivery": str(delivery.uid),
        "X-Servicedesk-Timestamp": timestamp,
        "X-Servicedesk-Signature": signature(secret, timestamp, body),
    }


def retry_delays() -> list[timedelta]:
    return [timedelta(seconds=int(s)) for s in settings.WEBHOOKS_RETRY_SECONDS]


def _claim_seconds() -> int:
    return max(60, 3 * int(settings.WEBHOOKS_TIMEOUT))


def _sendable() -> Q:
    return Q(webhook__is_active=True) | Q(event=PING)


def _claim(pk: int, now: datetime) -> bool:
    ids = WebhookDelivery.objects.filter(_sendable(), pk=pk).values("pk")
    return bool(
        WebhookDelivery.objects.filter(pk__in=ids, state=State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=_claim_seconds()),
            last_attempt_at=now,
        )
    )


def _excerpt(body: bytes) -> str:
    return body.decode("utf-8", "replace")[:EXCERPT_CHARS]


def delivery_attempt(pk: int, *, now: datetime | None = None) -> bool:
    """One attempt at the delivery, if it is pending and due; True when it was delivered."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return False
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=pk)
    webhook = delivery.webhook
    body = body_bytes(delivery)
    answer: transport.Answer | None = None
    error = ""
    try:
        headers = request_headers(delivery, webhook.secret, body)
        target = url_check(webhook.url)
        answer = transport.post(target, body, headers, float(settings.WEBHOOKS_TIMEOUT))
    except SecretUnreadableError:
        # Stored with an encryption key this installation no longer has (core/crypto.py).
        error = _(
            "The webhook's secret cannot be read: the encryption key has changed. Make a new "
            "secret on the webhook's page and give it to the receiver."
        )
    except UnsafeURLError as refused:
        error = str(refused.message)
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    if answer is not None and 300 <= answer.status < 400:
        error = _("Redirect to %(location)s not followed: give the final address.") % {
            "location": answer.location or "?"
        }
    elif answer is not None and not 200 <= answer.status < 300:
        error = _("The receiver answered %(status)s.") % {"status": answer.status}
    _record(delivery, answer, error[:ERROR_CHARS], now)
    return not error


def _record(
    delivery: WebhookDelivery, answer: transport.Answer | None, error: str, now: datetime
) -> None:
    fields: dict[str, Any] = {
        "response_code": answer.status if answer else None,
        "response_ms": answer.milliseconds if answer else None,
        "response_excerpt": _excerpt(answer.body) if answer else "",
        "error": error,
    }
    webhook = delivery.webhook
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=State.SUCCEEDED, next_attempt_at=None, delivered_at=timezone.now(), **fields
        )
        Webhook.objects.filter(pk=webhook.pk, failures__gt=0).update(failures=0)
        return
    delays = retry_delays()
    if delivery.event == PING or delivery.attempts > len(delays):
        state, next_attempt_at = State.FAILED, None  # a ping is tried once
    else:
        state, next_attempt_at = State.PENDING, now + delays[delivery.attempts - 1]
    logger.warning(
        "Webhook %s delivery %s failed (attempt %s): %s",
        webhook.pk,
        delivery.uid,
        delivery.attempts,
        error,
    )
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=state, next_attempt_at=next_attempt_at, **fields
        )
        Webhook.objects.filter(pk=webhook.pk).update(failures=F("failures") + 1)
        failures = Webhook.objects.filter(pk=webhook.pk).values_list("failures", flat=True).first()
        if failures is not None and failures >= int(settings.WEBHOOKS_PAUSE_AFTER):
            from servicedesk.webhooks.services import webhook_pause_failing

            webhook_pause_failing(webhook_id=webhook.pk, failures=failures, error=error)


def deliveries_due(now: datetime, limit: int = 500) -> list[int]:
    """The pending deliveries whose next attempt is due, of active webhooks."""
    return list(
        WebhookDelivery.objects.filter(_sendable(), state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
