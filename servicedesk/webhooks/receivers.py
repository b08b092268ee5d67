"""Where the domain's moments become webhook events: each receiver is connected to a hook
(tickets/hooks.py, conversations/hooks.py, sla/hooks.py, acts/hooks.py) in apps.py, runs inside
the service's transaction, and only queues the event for after the commit — the worker makes
and sends the deliveries (tasks.webhooks_emit). After the commit the event is queued only if an
active webhook subscribes to it (`Webhook.objects.listening_to`, the same filter the worker's
deliveries_create uses). A rolled-back change sends nothing, and the request never waits for a
receiver."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from servicedesk.webhooks.models import Event, Webhook

# SlaNotification.Kind → the webhook event.
SLA_EVENTS = {
    "response_warning": Event.SLA_WARNING,
    "resolution_warning": Event.SLA_WARNING,
    "response_breach": Event.SLA_BREACH,
    "resolution_breach": Event.SLA_BREACH,
}


def _emit(event: str, facts_list: list[dict[str, Any]]) -> None:
    if not facts_list:
        return

    def send() -> None:
        # Asked after the commit, once per event: an installation where nobody listens (most)
        # pays one indexed look-up on a small table, not a queue write per change.
        if not Webhook.objects.listening_to(event).exists():
            return
        from servicedesk.webhooks.tasks import webhooks_emit

        webhooks_emit(str(event), facts_list)

    transaction.on_commit(send)


def _by(by: Any) -> int | None:
    return getattr(by, "pk", None)


def on_ticket_created(*, ticket: Any, **_: Any) -> None:
    _emit(Event.TICKET_CREATED, [{"ticket_id": ticket.pk, "by_id": ticket.created_by_id}])


def on_ticket_updated(*, ticket: Any, by: Any, fields: list[str]) -> None:
    _emit(
        Event.TICKET_UPDATED,
        [{"ticket_id": ticket.pk, "by_id": _by(by), "fields": sorted(set(fields) - {"version"})}],
    )


def on_status_changed(*, ticket_id: int, by: Any, old: str, new: str, event_id: int) -> None:
    facts = {"ticket_id": ticket_id, "by_id": _by(by), "old": str(old), "new": str(new)}
    _emit(Event.TICKET_STATUS_CHANGED, [facts])


def on_ticket_assigned(*, ticket: Any, by: Any, assignee: Any, event_id: int) -> None:
    facts = {"ticket_id": ticket.pk, "by_id": _by(by), "assignee_id": assignee.pk}
    _emit(Event.TICKET_ASSIGNED, [facts])


def on_message_posted(*, message: Any) -> None:
    _emit(Event.MESSAGE_CREATED, [{"ticket_id": message.ticket_id, "message_id": message.pk}])


def on_survey_answered(*, response: Any) -> None:
    facts = {"ticket_id": response.ticket_id, "response_id": response.pk}
    _emit(Event.SURVEY_ANSWERED, [{**facts, "by_id": response.respondent_id}])


def on_deadline(*, kind: str, tickets: list[Any], deadline_field: str) -> None:
    event = SLA_EVENTS.get(str(kind))
    if event is None:
        return
    facts_list = []
    for ticket in tickets:
        deadline = getattr(ticket, deadline_field, None)
        facts_list.append(
            {
                "ticket_id": ticket.pk,
                "kind": str(kind),
                "deadline": deadline.isoformat().replace("+00:00", "Z") if deadline else None,
            }
        )
    _emit(event, facts_list)


def on_act_signed(*, ticket: Any, act: Any, version: Any) -> None:
    facts = {"ticket_id": ticket.pk, "act_id": act.pk, "version": version.number}
    _emit(Event.ACT_SIGNED, [{**facts, "by_id": getattr(version, "user_id", None)}])


def connect() -> None:
    from servicedesk.acts import hooks as act_hooks
    from servicedesk.conversations import hooks as conversation_hooks
    from servicedesk.sla import hooks as sla_hooks
    from servicedesk.tickets import hooks as ticket_hooks

    ticket_hooks.created.connect(on_ticket_created)
    ticket_hooks.updated.connect(on_ticket_updated)
    ticket_hooks.status_changed.connect(on_status_changed)
    ticket_hooks.assigned.connect(on_ticket_assigned)
    conversation_hooks.message_posted.connect(on_message_posted)
    conversation_hooks.survey_answered.connect(on_survey_answered)
    sla_hooks.deadline.connect(on_deadline)
    act_hooks.signed.connect(on_act_signed)
