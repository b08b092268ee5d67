"""The tickets' input and output schemas. Inputs forbid fields they do not name (`extra =
"forbid"`): a field the role may not set is refused (422), never silently dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from servicedesk.tickets import selectors

CUSTOMER_VIEWS = selectors.VIEWS
STAFF_VIEWS = selectors.QUEUE_VIEWS


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    id: int
    name: str


class CodedRef(Schema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    full_name: str


class TicketListItem(Schema):
    number: str
    subject: str
    status: str = Field(description="The stage's code: new, assigned, in_progress, waiting, …")
    status_label: str = Field(description="The stage as the caller reads it.")
    company: Ref
    contact: PersonRef | None
    assignee: PersonRef | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


class TicketPage(Schema):
    items: list[TicketListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; none: last.")


class TicketOut(Schema):
    number: str
    version: int = Field(description="Moves on with every change; the ETag and If-Match value.")
    subject: str
    description: str
    status: str
    status_label: str
    origin: str
    ticket_type: CodedRef
    criticality: CodedRef
    work_type: CodedRef | None
    company: Ref
    contact: PersonRef | None
    assignee: PersonRef | None
    site: Ref | None
    equipment: Ref | None
    contract: Ref | None
    product: Ref | None
    country: str
    resolution: str
    created_at: dt.datetime
    updated_at: dt.datetime
    due_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    following: bool = Field(description="The caller follows the ticket (is told of changes).")
    transitions: list[str] = Field(
        description="Workflow transitions the caller may fire now (staff; customers: none)."
    )


class TicketCreateIn(Strict):
    """A new ticket. Ids are the caller's to use: another company's (or a missing) id is 404."""

    subject: str = Field(min_length=1, max_length=255, examples=["Не печатает принтер"])
    description: str = Field("", max_length=8192, examples=["Замятие бумаги в лотке 2."])
    ticket_type: int = Field(description="Id of a ticket type (GET /reference/… lists them).")
    criticality: int
    company: int
    site: int | None = None
    equipment: int | None = None
    work_type: int | None = None
    contract: int | None = None
    product: int | None = None
    country: str = Field("", max_length=2, description="ISO 3166 alpha-2; empty: the company's.")
    contact: int | None = Field(
        None, description="Staff only: the customer's person the ticket is for (required)."
    )
    origin: Literal["api", "phone", "email", "portal", "web_form"] = Field(
        "api", description="Staff only: how the request came in (customers: always api)."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": "Не печатает принтер",
                    "description": "Замятие бумаги в лотке 2.",
                    "ticket_type": 1,
                    "criticality": 2,
                    "company": 1,
                }
            ]
        },
    )


class TicketUpdateIn(Strict):
    """Staff only (customers change no field: 403 `field`). Only the fields sent are changed;
    criticality, contract and deadline are the dispatcher's. `null` clears an optional one."""

    subject: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=8192)
    ticket_type: int | None = None
    criticality: int | None = None
    work_type: int | None = None
    site: int | None = None
    equipment: int | None = None
    contract: int | None = None
    product: int | None = None
    country: str | None = Field(None, max_length=2)
    due_at: dt.datetime | None = Field(None, description="`null`: back to the SLA's deadline.")


class TransitionIn(Strict):
    code: Literal["start", "wait", "resume", "resolve", "close", "reopen", "cancel"]
    resolution: str = Field("", max_length=8192, description="The solution (resolve).")
    reason: str = Field("", max_length=2000, description="Why (reopen, cancel).")


class AssignIn(Strict):
    assignee: int = Field(description="Id of an active engineer or dispatcher.")


class BulkIn(Strict):
    numbers: list[str] = Field(min_length=1, max_length=500)
    action: Literal["assign", "status", "criticality"]
    value: str | int = Field(
        description="assign: the person's id; status: a transition code; criticality: its id."
    )
    resolution: str = Field("", max_length=8192)
    reason: str = Field("", max_length=2000)


class BulkItem(Schema):
    number: str
    ok: bool
    code: str = Field(
        description="Why it was refused (empty when done); `not_found` for a "
        "number the caller cannot see."
    )
    message: str
    version: int | None


class BulkOut(Schema):
    results: list[BulkItem]


class FollowerOut(Schema):
    id: int
    full_name: str


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    created_at: dt.datetime
    actor: PersonRef | None
    field: str = Field(description="The changed field's label (field changes).")
    old: str
    new: str
    public: bool = Field(description="Shown to the customer (staff see internal ones too).")


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


def ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj)}
