"""Completed works and acts of completed work.

- A ticket's works (`/tickets/{number}/works`): the provider's own record (hours, internal
  notes) — staff only, through `CompletedWork.objects.visible_to` (customers see none: what
  reaches them is the act).
- Acts (`/acts`, `/tickets/{number}/act`): of the tickets the caller sees (the one scoping
  layer, `Ticket.objects.visible_to` / `access_ticket`), with their signing rounds; the PDF
  (`/tickets/{number}/act.pdf`) is the same rendering as the pages' (web/acts.py).
Another company's ticket, or a ticket without an act, answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from servicedesk.acts.building import act_versions, issued_act
from servicedesk.acts.models import Act
from servicedesk.api.errors import responses
from servicedesk.api.lists import keyset_page
from servicedesk.api.pagination import PageParams
from servicedesk.tickets.access import access_ticket_light
from servicedesk.tickets.models import Ticket
from servicedesk.web import acts as act_pages
from servicedesk.works.selectors import work_list_for_ticket

router = Router(tags=["acts"])
BY_NEWEST = [("created_at", True), ("id", True)]


class EngineerOut(Schema):
    id: int
    name: str
    started_at: dt.datetime
    finished_at: dt.datetime


class MaterialOut(Schema):
    name: str
    quantity: str = Field(description="A decimal, as a string.")
    unit: str


class WorkOut(Schema):
    id: int
    work_type: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    comment: str
    internal_note: str
    site_id: int | None
    equipment_id: int | None
    engineers: list[EngineerOut]
    materials: list[MaterialOut]
    version: int


class ActVersionOut(Schema):
    number: int
    outcome: str = Field(description="signed or disputed.")
    signer_name: str
    signer_position: str
    comment: str
    created_at: dt.datetime


class ActOut(Schema):
    id: int
    ticket_number: str
    company_id: int
    number: str
    issued_on: dt.date
    state: str = Field(description="awaiting, signed, disputed or revising.")
    version: int = Field(description="The current signing round.")
    created_at: dt.datetime


class ActDetailOut(ActOut):
    versions: list[ActVersionOut]
    pdf: str = Field(description="The PDF's address (the same document the pages show).")


class ActPage(Schema):
    items: list[ActOut]
    next_cursor: str | None


class ActFilters(Schema):
    company_id: int | None = Field(None, ge=1)
    state: Act.State | None = None


def _act(act: Act, ticket: Ticket) -> dict[str, Any]:
    return {
        "id": act.pk,
        "ticket_number": ticket.number,
        "company_id": ticket.company_id,
        "number": act.number,
        "issued_on": act.issued_on,
        "state": act.state,
        "version": act.version,
        "created_at": act.created_at,
    }


@router.get(
    "/tickets/{number}/works",
    response=responses({200: list[WorkOut]}, 404),
    summary="A ticket's completed works (staff)",
    description="Staff only: a customer gets 404 (their view of the works is the act). "
    "Выполненные работы по заявке.",
)
def work_list(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user: Any = request.user
    ticket = access_ticket_light(user, number)
    if not user.is_provider_staff:
        raise Http404
    works = work_list_for_ticket(ticket, user)
    return [
        {
            "id": work.pk,
            "work_type": work.work_type.code if work.work_type_id else None,
            "started_at": work.started_at,
            "finished_at": work.finished_at,
            "comment": work.comment,
            "internal_note": work.internal_note,
            "site_id": work.site_id,
            "equipment_id": work.equipment_id,
            "engineers": [
                {
                    "id": line.engineer_id,
                    "name": str(line.engineer),
                    "started_at": line.started_at,
                    "finished_at": line.finished_at,
                }
                for line in work.engineers.all()
            ],
            "materials": [
                {"name": line.name, "quantity": str(line.quantity), "unit": line.unit}
                for line in work.materials.all()
            ],
            "version": work.version,
        }
        for work in works
    ]


@router.get(
    "/acts",
    response=responses({200: ActPage}),
    summary="Acts of completed work",
    description="The acts of the tickets the caller sees, newest first. Акты выполненных работ.",
)
def act_list(
    request: HttpRequest, filters: Query[ActFilters], page: Query[PageParams]
) -> dict[str, Any]:
    tickets = Ticket.objects.visible_to(request.user)
    if filters.company_id:
        tickets = tickets.filter(company_id=filters.company_id)
    rows = Act.objects.filter(ticket__in=tickets.order_by().values("pk")).select_related("ticket")
    if filters.state:
        rows = rows.filter(state=filters.state)
    items, cursor = keyset_page(rows.order_by("-created_at", "-id"), BY_NEWEST, page, "acts")
    return {"items": [_act(a, a.ticket) for a in items], "next_cursor": cursor}


@router.get(
    "/tickets/{number}/act",
    response=responses({200: ActDetailOut}, 404),
    summary="A ticket's act",
)
def act_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    ticket = access_ticket_light(request.user, number)
    act = issued_act(ticket)
    if act is None:
        raise Http404
    return {
        **_act(act, ticket),
        "versions": [
            {
                "number": v.number,
                "outcome": v.outcome,
                "signer_name": v.signer_name,
                "signer_position": v.signer_position,
                "comment": v.comment,
                "created_at": v.created_at,
            }
            for v in act_versions(act)
        ],
        "pdf": request.build_absolute_uri(f"/api/v1/tickets/{ticket.number}/act.pdf"),
    }


@router.get(
    "/tickets/{number}/act.pdf",
    # The PDF's 200 is declared in openapi_extra (binary content, not JSON).
    response=responses({}, 404),
    summary="A ticket's act as PDF",
    description="The current round (the signed one once signed), as the pages print it.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The act (application/pdf).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def act_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return act_pages.act_pdf(request, number)
