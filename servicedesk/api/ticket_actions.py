"""What is done to a ticket besides editing its fields: workflow transitions and assignment
(staff), accepting a solution (the customer), bulk changes with a result per ticket (staff),
following, and the timeline. Each goes through the same services and access functions as the
pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from servicedesk.accounts.models import User
from servicedesk.api import pagination
from servicedesk.api.common import caller, if_match, required
from servicedesk.api.errors import ApiError, responses
from servicedesk.api.ticket_schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    EventPage,
    FollowerOut,
    TicketOut,
    TransitionIn,
)
from servicedesk.api.tickets import ticket_answer
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Criticality
from servicedesk.tickets import workflow
from servicedesk.tickets.access import access_ticket, access_ticket_light
from servicedesk.tickets.models import Ticket, TicketEvent, TicketFollower
from servicedesk.tickets.services import (
    ticket_accept_resolution,
    ticket_assign,
    ticket_bulk,
    ticket_follow,
    ticket_transition,
    ticket_unfollow,
)
from servicedesk.web.tickets import timeline_rows

router = Router(tags=["ticket actions"])


def _stale_as_412(error: ApplicationError) -> ApplicationError | ApiError:
    if error.code == ErrorCode.CONFLICT:
        return ApiError(412, "precondition_failed", error.message)
    return error


@router.post(
    "/tickets/{number}/transitions",
    response=responses({200: TicketOut}, 404, 409, 412),
    summary="Change the status (staff)",
    description="Fire a workflow transition: start, wait, resume, resolve (needs "
    "`resolution`), close, reopen and cancel (need `reason`). Who may fire which is the "
    "workflow's (GET the ticket: `transitions`). `If-Match` optional: when sent, a stale "
    "version is 412. Сменить статус заявки по workflow.",
)
def ticket_transition_post(
    request: HttpRequest, number: str, payload: TransitionIn, response: HttpResponse
) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    version = if_match(request, ticket.version, required=False)
    try:
        ticket_transition(
            by=user,
            ticket=ticket,
            code=payload.code,
            resolution=payload.resolution,
            reason=payload.reason,
            expected_version=version,
        )
    except ApplicationError as error:
        raise _stale_as_412(error) from error
    return ticket_answer(user, number, response)


@router.post(
    "/tickets/{number}/accept",
    response=responses({200: TicketOut}, 404, 409, 412),
    summary="Accept the proposed solution (customer)",
    description="The customer accepts the solution of a resolved ticket, which closes it. "
    "Принять решение: заявка закрывается.",
)
def ticket_accept(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    version = if_match(request, ticket.version, required=False)
    try:
        ticket_accept_resolution(by=user, ticket=ticket, expected_version=version)
    except ApplicationError as error:
        raise _stale_as_412(error) from error
    return ticket_answer(user, number, response)


def _staff_only(user: User, perm: str = workflow.WORK) -> None:
    if not user.has_perm(perm):
        raise ApiError(403, "forbidden", _("Only the provider's staff can do this."))


@router.post(
    "/tickets/{number}/assign",
    response=responses({200: TicketOut}, 404, 409, 412),
    summary="Assign (dispatchers and admins)",
    description="Make an active engineer or dispatcher responsible; a New ticket becomes "
    "Assigned. Назначить исполнителя.",
)
def ticket_assign_post(
    request: HttpRequest, number: str, payload: AssignIn, response: HttpResponse
) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    _staff_only(user, workflow.DISPATCH)
    version = if_match(request, ticket.version, required=False)
    assignee = required(User.objects.exclude(role="customer"), payload.assignee, "assignee")
    try:
        ticket_assign(by=user, ticket=ticket, assignee=assignee, expected_version=version)
    except ApplicationError as error:
        raise _stale_as_412(error) from error
    return ticket_answer(user, number, response)


@router.post(
    "/tickets/bulk",
    response=responses({200: BulkOut}, 404),
    summary="One change for many tickets (staff)",
    description="assign, status (a transition code) or criticality for up to 500 tickets; "
    "each ticket on its own: the answer says, per number, whether it was done and why not "
    "(`not_found` for a number the caller cannot see). Массовое действие.",
)
def ticket_bulk_post(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    user = caller(request)
    _staff_only(user)
    value: Any = payload.value
    if payload.action in ("assign", "criticality"):
        if not isinstance(value, int) and not str(value).isdigit():
            raise ApiError(
                422,
                "validation",
                _("Some fields are not valid."),
                fields={"value": [_("Give an id.")]},
            )
        model = (
            User.objects.exclude(role="customer")
            if payload.action == "assign"
            else (Criticality.objects.filter(is_active=True))
        )
        value = required(model, int(value), "value")
    numbers = list(dict.fromkeys(payload.numbers))
    found = {
        t.number: t
        for t in Ticket.objects.visible_to(user).filter(number__in=numbers).only("pk", "number")
    }
    results = ticket_bulk(
        by=user,
        tickets=[found[n] for n in numbers if n in found],
        action=payload.action,
        value=value,
        resolution=payload.resolution,
        reason=payload.reason,
    )
    by_number = {r.ticket.number: r for r in results}
    items = []
    for number in numbers:
        result = by_number.get(number)
        if result is None:
            items.append(
                {
                    "number": number,
                    "ok": False,
                    "code": "not_found",
                    "message": _("Not found."),
                    "version": None,
                }
            )
        else:
            items.append(
                {
                    "number": number,
                    "ok": result.ok,
                    "code": str(result.code or ""),
                    "message": result.message,
                    "version": result.ticket.version if result.ok else None,
                }
            )
    return {"results": items}


@router.get(
    "/tickets/{number}/followers",
    response=responses({200: list[FollowerOut]}, 404),
    summary="Who follows the ticket",
    description="Staff see every follower; a customer sees the followers among their own "
    "company's people and staff are not listed to them. Подписчики заявки.",
)
def ticket_followers(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    followers = TicketFollower.objects.filter(ticket=ticket).select_related("user")
    if not user.is_provider_staff:
        followers = followers.filter(
            user__role="customer", user__memberships__company_id=ticket.company_id
        )
    return [
        {"id": f.user.pk, "full_name": f.user.full_name}
        for f in followers.order_by("user__full_name", "user_id")[:500]
    ]


@router.put(
    "/tickets/{number}/followers/me",
    response=responses({204: None}, 404),
    summary="Follow the ticket",
    description="Be told of its changes. Подписаться на заявку.",
)
def ticket_follow_put(request: HttpRequest, number: str) -> Status[None]:
    user = caller(request)
    ticket_follow(by=user, ticket=access_ticket_light(user, number))
    return Status(204, None)


@router.delete(
    "/tickets/{number}/followers/me",
    response=responses({204: None}, 404),
    summary="Stop following the ticket",
    description="Отписаться от заявки.",
)
def ticket_unfollow_delete(request: HttpRequest, number: str) -> Status[None]:
    user = caller(request)
    ticket_unfollow(by=user, ticket=access_ticket_light(user, number))
    return Status(204, None)


@router.get(
    "/tickets/{number}/events",
    response=responses({200: EventPage}, 404),
    summary="The ticket's timeline",
    description="Oldest first. A customer sees the public events, in the words the portal "
    "uses; staff see every event. История заявки.",
)
def ticket_events(
    request: HttpRequest, number: str, page: Query[pagination.PageParams]
) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket(user, number)
    staff = user.is_provider_staff
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not staff:
        events = events.filter(is_public=True)
    order = [("created_at", False), ("id", False)]
    kind = f"events:{ticket.pk}"
    events = pagination.keyset_filter(events.order_by("created_at", "id"), order, page, kind)
    rows, cursor = pagination.keyset_next(list(events[: page.limit + 1]), order, page, kind)
    items = [
        {
            "id": row["event"].pk,
            "kind": row["event"].kind,
            "kind_label": str(row["event"].get_kind_display()),
            "created_at": row["event"].created_at,
            "actor": None
            if row["event"].actor is None
            else {"id": row["event"].actor.pk, "full_name": row["event"].actor.full_name},
            "field": str(row["field"] or ""),
            "old": str(row["old"] or ""),
            "new": str(row["new"] or ""),
            "public": row["event"].is_public,
        }
        for row in timeline_rows(ticket, rows, for_customer=not staff)
    ]
    return {"items": items, "next_cursor": cursor}
