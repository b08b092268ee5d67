"""What a delivery says: the `data` of the body, built by the worker from the rows as they are
when the event is sent out (the facts of the moment — old and new status, the fields changed —
come with the event). Two audiences:

- staff-only webhooks (the provider's own systems) get everything staff see: internal notes
  (`"internal": true`), SLA events, the first-response deadline, the contract;
- customer-facing webhooks (a customer's system) get what that customer's people see in the
  portal: their company's tickets only, public messages only, no SLA events, no staff-only
  fields. Same rule as the pages: an internal note never leaves for a customer.

Names and ids, numbers and codes (reference lists by code, statuses by value), instants in UTC
(ISO 8601), and links: the ticket's page for the audience, and its API address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from servicedesk.conversations.models import Message, SurveyResponse
from servicedesk.tickets.models import Ticket, TicketAttachment

STAFF, CUSTOMER = "staff", "customer"
# ticket.updated: fields a customer's system is not told changed (their values are staff's).
STAFF_FIELDS = frozenset({"contract", "due_at_manual", "first_response_due_at"})


def _when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _site(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user), "staff": bool(user.is_provider_staff)}


def _named(item: Any) -> dict[str, Any] | None:
    return None if item is None else {"id": item.pk, "name": str(item)}


def _code(item: Any) -> str | None:
    return None if item is None else item.code


def ticket_load(ticket_id: int) -> Ticket | None:
    """The ticket with what its payload names, in one query."""
    return (
        Ticket.objects.select_related(
            "company",
            "contact",
            "assignee",
            "ticket_type",
            "criticality",
            "work_type",
            "site",
            "equipment",
            "product",
        )
        .filter(pk=ticket_id)
        .first()
    )


def ticket_data(ticket: Ticket, audience: str) -> dict[str, Any]:
    area = "portal" if audience == CUSTOMER else "backoffice"
    data: dict[str, Any] = {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "origin": ticket.origin,
        "company": _named(ticket.company),
        "contact": person(ticket.contact),
        "assignee": person(ticket.assignee),
        "ticket_type": _code(ticket.ticket_type),
        "criticality": _code(ticket.criticality),
        "work_type": _code(ticket.work_type),
        "product": _code(ticket.product),
        "country": str(ticket.country.code or "") or None,
        "site": _named(ticket.site),
        "equipment": _named(ticket.equipment),
        "due_at": _when(ticket.due_at),
        "first_responded_at": _when(ticket.first_responded_at),
        "resolved_at": _when(ticket.resolved_at),
        "closed_at": _when(ticket.closed_at),
        "created_at": _when(ticket.created_at),
        "updated_at": _when(ticket.updated_at),
        "version": ticket.version,
        "links": {
            "web": _site(reverse(f"{area}:ticket_detail", args=[ticket.number])),
            "api": _site(f"/api/v1/tickets/{ticket.number}"),
        },
    }
    if audience == STAFF:
        data["contract_id"] = ticket.contract_id
        data["first_response_due_at"] = _when(ticket.first_response_due_at)
    return data


def message_data(message_id: int, audience: str) -> dict[str, Any] | None:
    """None when the message is gone, or is an internal note and the audience a customer."""
    message = Message.objects.select_related("author").filter(pk=message_id).first()
    if message is None or (message.is_internal and audience != STAFF):
        return None
    files = TicketAttachment.objects.filter(message_id=message.pk).order_by("pk")
    return {
        "id": message.pk,
        "author": person(message.author),
        "body": message.body,
        "internal": message.is_internal,
        "created_at": _when(message.created_at),
        "attachments": [
            {"id": f.pk, "name": f.name, "size": f.size, "content_type": f.content_type}
            for f in files
        ],
    }


def survey_data(response_id: int) -> dict[str, Any] | None:
    response = (
        SurveyResponse.objects.select_related("respondent")
        .prefetch_related("ratings__criterion")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        return None
    return {
        "scores": {rating.criterion.code: rating.score for rating in response.ratings.all()},
        "comment": response.comment,
        "respondent": person(response.respondent),
        "by_link": response.respondent_id is None,
        "created_at": _when(response.created_at),
    }


def act_data(act_id: int, version: int) -> dict[str, Any] | None:
    from servicedesk.acts.models import Act, ActVersion

    act = Act.objects.filter(pk=act_id).first()
    if act is None:
        return None
    signed = ActVersion.objects.filter(act_id=act_id, number=version).first()
    return {
        "id": act.pk,
        "number": act.number,
        "version": version,
        "state": act.state,
        "signer_name": signed.signer_name if signed else "",
        "signer_position": signed.signer_position if signed else "",
        "signed_at": _when(signed.created_at) if signed else None,
    }


def event_data(
    event: str, facts: dict[str, Any], ticket: Ticket, audience: str
) -> dict[str, Any] | None:
    """The body's `data` for one event and audience; None when there is nothing this audience
    may be told (an internal note for a customer's system)."""
    from servicedesk.accounts.models import User
    from servicedesk.webhooks.models import Event

    data: dict[str, Any] = {"ticket": ticket_data(ticket, audience)}
    by_id = facts.get("by_id")
    if event == Event.MESSAGE_CREATED:
        message = message_data(int(facts["message_id"]), audience)
        if message is None:
            return None
        data["message"] = message
        return data
    if by_id is not None:
        data["by"] = person(User.objects.filter(pk=by_id).first())
    if event == Event.TICKET_UPDATED:
        fields = [str(name) for name in facts.get("fields", [])]
        if audience != STAFF:
            fields = [name for name in fields if name not in STAFF_FIELDS]
            if not fields:
                return None
        data["changes"] = fields
    elif event == Event.TICKET_STATUS_CHANGED:
        data["old_status"], data["new_status"] = facts.get("old"), facts.get("new")
    elif event == Event.TICKET_ASSIGNED:
        data["assignee"] = data["ticket"]["assignee"]
    elif event in (Event.SLA_WARNING, Event.SLA_BREACH):
        data["kind"] = facts.get("kind")
        data["deadline"] = facts.get("deadline")
    elif event == Event.SURVEY_ANSWERED:
        survey = survey_data(int(facts["response_id"]))
        if survey is None:
            return None
        data["survey"] = survey
    elif event == Event.ACT_SIGNED:
        act = act_data(int(facts["act_id"]), int(facts.get("version", 1)))
        if act is None:
            return None
        data["act"] = act
    return data
