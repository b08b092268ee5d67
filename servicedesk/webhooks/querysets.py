"""Reusable filters of webhooks: the one answer to "who listens to this event", asked by the
receivers before they queue an event (receivers.py) and by the worker that makes its
deliveries (services.deliveries_create)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import connections, models

if TYPE_CHECKING:
    from servicedesk.webhooks.models import Webhook  # noqa: F401


class WebhookQuerySet(models.QuerySet["Webhook"]):
    def listening_to(self, event: str) -> Self:
        """The active webhooks subscribed to `event` (a paused one listens to nothing)."""
        active = self.filter(is_active=True)
        if connections[self.db].features.supports_json_field_contains:
            return active.filter(events__contains=[str(event)])  # PostgreSQL: jsonb @>
        # SQLite has no JSON containment in Django: the list's JSON text names the event in
        # quotes (event names hold no quotes or backslashes, and `_` is escaped by the lookup).
        return active.filter(events__icontains=f'"{event}"')
