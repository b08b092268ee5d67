"""Changes to webhooks (administrators: webhooks.manage) and the deliveries made from events.

Every change is a service: the back office's pages (and the API) call these and contain no
rules. Deliveries are queued after the commit (`transaction.on_commit`) and sent by the worker
(delivery.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Role, User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Company
from servicedesk.webhooks import payloads
from servicedesk.webhooks.guard import url_check
from servicedesk.webhooks.models import (
    PING,
    STAFF_ONLY_EVENTS,
    Event,
    Webhook,
    WebhookDelivery,
    secret_new,
)

MANAGE = "webhooks.manage"
NAME_MAX_LENGTH = 100
URL_MAX_LENGTH = 2000
# Finished deliveries deleted per statement by deliveries_prune: short locks on a big table.
PRUNE_CHUNK = 1000
# In the order of the webhook_delivery_finished index's condition (models.py).
FINISHED = [WebhookDelivery.State.SUCCEEDED, WebhookDelivery.State.FAILED]


def _check_manager(by: User) -> None:
    if not by.has_perm(MANAGE):
        raise ApplicationError(
            _("Only an administrator manages webhooks."), code=ErrorCode.FORBIDDEN
        )


def _queue(ids: Sequence[int]) -> None:
    """Send the deliveries after the commit (the worker; at once in tests)."""
    from servicedesk.webhooks.tasks import webhook_deliver

    ids = list(ids)

    def send() -> None:
        for pk in ids:
            webhook_deliver(pk)

    if ids:
        transaction.on_commit(send)


def _checked(
    *,
    name: str,
    url: str,
    events: Iterable[str],
    customer_facing: bool,
    company: Company | None,
) -> dict[str, Any]:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Give the webhook a name."), code=ErrorCode.EMPTY, field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(_("The name is too long."), code=ErrorCode.TOO_LONG, field="name")
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise ApplicationError(_("The URL is too long."), code=ErrorCode.WEBHOOK_URL, field="url")
    url_check(url)
    chosen = sorted({str(e) for e in events})
    unknown = [e for e in chosen if e not in Event.values]
    if unknown:
        raise ApplicationError(
            _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)},
            code=ErrorCode.WEBHOOK_EVENTS,
            field="events",
        )
    if not chosen:
        raise ApplicationError(
            _("Choose at least one event."), code=ErrorCode.WEBHOOK_EVENTS, field="events"
        )
    if customer_facing:
        if company is None:
            raise ApplicationError(
                _("Choose the customer whose system receives it."),
                code=ErrorCode.COMPANY,
                field="company",
            )
        staff_only = [e for e in chosen if e in STAFF_ONLY_EVENTS]
        if staff_only:
            raise ApplicationError(
                _("SLA events are for the provider's own systems, not a customer's."),
                code=ErrorCode.WEBHOOK_EVENTS,
                field="events",
            )
    else:
        company = None
    return {
        "name": name,
        "url": url,
        "events": chosen,
        "customer_facing": customer_facing,
        "company": company,
    }


@transaction.atomic
def webhook_create(
    *,
    by: User,
    name: str,
    url: str,
    events: Iterable[str],
    customer_facing: bool = False,
    company: Company | None = None,
) -> Webhook:
    """A new, active webhook owned by `by`. Its secret (`webhook.secret`) is shown to them on
    this response only. Refused, nothing stored: a URL the guard refuses (guard.py), no or
    unknown events, a customer-facing one without its customer or with SLA events."""
    _check_manager(by)
    values = _checked(
        name=name, url=url, events=events, customer_facing=customer_facing, company=company
    )
    return Webhook.objects.create(owner=by, **values)


@transaction.atomic
def webhook_update(
    *,
    by: User,
    webhook: Webhook,
    name: str,
    url: str,
    events: Iterable[str],
    customer_facing: bool = False,
    company: Company | None = None,
) -> Webhook:
    _check_manager(by)
    values = _checked(
        name=name, url=url, events=events, customer_facing=customer_facing, company=company
    )
    locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.save()
    return locked


@transaction.atomic
def webhook_secret_regenerate(*, by: User, webhook: Webhook) -> str:
    """A new secret, returned to be shown once; deliveries from now on are signed with it."""
    _check_manager(by)
    secret = secret_new()
    webhook.secret = secret
    Webhook.objects.filter(pk=webhook.pk).update(
        secret_encrypted=webhook.secret_encrypted, updated_at=timezone.now()
    )
    return secret


@transaction.atomic
def webhook_delete(*, by: User, webhook: Webhook) -> None:
    """The webhook and its delivery log."""
    _check_manager(by)
    Webhook.objects.filter(pk=webhook.pk).delete()


@transaction.atomic
def webhook_pause(*, by: User, webhook: Webhook) -> bool:
    """Paused by hand: nothing is sent (its pending deliveries wait) until resumed."""
    _check_manager(by)
    return bool(
        Webhook.objects.filter(pk=webhook.pk, is_active=True).update(
            is_active=False,
            paused_at=timezone.now(),
            paused_reason=_("Paused by %(person)s.") % {"person": by},
            updated_at=timezone.now(),
        )
    )


@transaction.atomic
def webhook_resume(*, by: User, webhook: Webhook) -> int:
    """Active again, its failure count from 0; its pending deliveries go out now. Returns how
    many are queued."""
    _check_manager(by)
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=True, paused_at=None, paused_reason="", failures=0, updated_at=now
    )
    pending = WebhookDelivery.objects.filter(webhook=webhook, state=WebhookDelivery.State.PENDING)
    ids = list(pending.values_list("pk", flat=True))
    pending.update(next_attempt_at=now)
    _queue(ids)
    return len(ids)


@transaction.atomic
def webhook_ping(*, by: User, webhook: Webhook) -> WebhookDelivery:
    """A «ping» delivery, tried once at once (a paused webhook too: to check the receiver
    before resuming it)."""
    _check_manager(by)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=PING,
        payload={
            "webhook": {"id": webhook.pk, "name": webhook.name, "events": webhook.events},
            "by": payloads.person(by),
        },
        next_attempt_at=timezone.now(),
    )
    _queue([delivery.pk])
    return delivery


@transaction.atomic
def delivery_resend(*, by: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again, by hand: a new delivery (a new id) with the same payload,
    tried at once and retried as any other."""
    _check_manager(by)
    copy = WebhookDelivery.objects.create(
        webhook_id=delivery.webhook_id,
        event=delivery.event,
        payload=delivery.payload,
        resent_from=delivery,
        next_attempt_at=timezone.now(),
    )
    _queue([copy.pk])
    return copy


# --- From events (receivers.py → tasks.webhooks_emit) -------------------------------------------


def deliveries_create(event: str, facts_list: list[dict[str, Any]]) -> list[int]:
    """The deliveries of `event` (one per ticket in `facts_list`) to every active webhook that
    subscribes to it and may be told: a customer-facing one only of its customer's tickets,
    never of an internal note or an SLA event. Returns the new deliveries' ids (the caller
    sends them)."""
    webhooks = list(Webhook.objects.listening_to(event))
    if not webhooks:
        return []
    now = timezone.now()
    rows: list[WebhookDelivery] = []
    for facts in facts_list:
        ticket = payloads.ticket_load(int(facts["ticket_id"]))
        if ticket is None:
            continue
        made: dict[str, dict[str, Any] | None] = {}
        for webhook in webhooks:
            if webhook.customer_facing:
                if event in STAFF_ONLY_EVENTS or webhook.company_id != ticket.company_id:
                    continue
                audience = payloads.CUSTOMER
            else:
                audience = payloads.STAFF
            if audience not in made:
                made[audience] = payloads.event_data(event, facts, ticket, audience)
            data = made[audience]
            if data is None:
                continue
            rows.append(
                WebhookDelivery(
                    webhook=webhook, event=event, payload=data, next_attempt_at=now, created_at=now
                )
            )
    created = WebhookDelivery.objects.bulk_create(rows)
    return [row.pk for row in created]


def deliveries_prune(*, now: datetime, days: int) -> int:
    """Delete the finished deliveries (delivered or failed) made before `days` ago; pending ones
    stay whatever their age (they are still being tried, or wait for a paused webhook). Goes
    PRUNE_CHUNK rows at a time, oldest first, from the finished rows' index, each chunk a
    statement of its own (a short lock). 0 days: keep them all. Returns how many went."""
    if days <= 0:
        return 0
    old = WebhookDelivery.objects.filter(
        state__in=FINISHED, created_at__lt=now - timedelta(days=days)
    )
    deleted = 0
    while True:
        pks = list(old.order_by("created_at", "id").values_list("pk", flat=True)[:PRUNE_CHUNK])
        if not pks:
            return deleted
        # A re-send made from one of these stays (its resent_from becomes null: on_delete).
        deleted += (
            WebhookDelivery.objects.filter(pk__in=pks)
            .only("pk")
            .delete()[1]
            .get(WebhookDelivery._meta.label, 0)
        )


# --- Pausing a webhook that keeps failing (delivery.py) -----------------------------------------


def webhook_pause_failing(*, webhook_id: int, failures: int, error: str) -> bool:
    """Pause the webhook (if still active) and tell its owner — or, if they are gone, every
    active administrator — on the bell and by email. Runs in the caller's transaction."""
    now = timezone.now()
    reason = _("%(count)s deliveries in a row failed; the last: %(error)s") % {
        "count": failures,
        "error": error,
    }
    paused = Webhook.objects.filter(pk=webhook_id, is_active=True).update(
        is_active=False, paused_at=now, paused_reason=reason[:300], updated_at=now
    )
    if not paused:
        return False
    webhook = Webhook.objects.select_related("owner").get(pk=webhook_id)
    _owners_told(webhook, now)
    return True


def _owners_told(webhook: Webhook, now: Any) -> None:
    from servicedesk.core.mail import render_mail
    from servicedesk.mail.services import outbound_queue
    from servicedesk.notifications.models import Notification
    from servicedesk.notifications.selectors import bell_changed

    owner = webhook.owner
    if owner is not None and owner.is_active:
        people = [owner]
    else:
        people = list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))
    stamp = now.strftime("%Y%m%d%H%M%S")
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=Notification.Kind.WEBHOOK_PAUSED,
                data={"webhook": webhook.pk, "name": webhook.name},
                key=f"webhook_paused:{webhook.pk}:{stamp}",
            )
            for user in people
        ],
        ignore_conflicts=True,
    )
    bell_changed(user.pk for user in people)
    from django.conf import settings
    from django.urls import reverse

    link = str(settings.SITE_URL).rstrip("/") + reverse(
        "backoffice:webhook_detail", args=[webhook.pk]
    )
    queued = []
    for user in people:
        if not user.email:
            continue
        message = render_mail(
            "webhooks/email/paused",
            {"webhook": webhook, "link": link, "recipient": user},
            to=[user.email],
            language=user.language or None,
        )
        row = outbound_queue(
            message,
            kind="webhook_paused",
            key=f"webhook_paused:{webhook.pk}:{stamp}:{user.pk}",
            user=user,
        )
        if row is not None:
            queued.append(row.pk)
    if queued:
        from servicedesk.mail.tasks import mail_send_many

        transaction.on_commit(lambda: mail_send_many(queued))
