"""A ticket's conversation over the API: messages (customers never see internal notes), read
markers, attachments (multipart upload through the same file checks as the pages, download
with the permission check) and the satisfaction survey (a customer answers; staff read)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from servicedesk.api import pagination
from servicedesk.api.common import caller
from servicedesk.api.errors import ApiError, responses
from servicedesk.conversations.models import BODY_MAX_LENGTH, Message
from servicedesk.conversations.selectors import ticket_messages
from servicedesk.conversations.services import conversation_read, message_post
from servicedesk.conversations.survey_selectors import survey_criteria, ticket_survey
from servicedesk.conversations.survey_services import SurveyAnswersError, survey_submit
from servicedesk.tickets.access import access_attachment, access_ticket_light
from servicedesk.tickets.selectors import ticket_attachment_list
from servicedesk.tickets.services import ticket_attachments_add
from servicedesk.web.tickets import attachment_response

router = Router(tags=["conversation"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    is_image: bool
    created_at: dt.datetime
    message_id: int | None
    url: str = Field(description="Download (with the same permission check).")


class MessageOut(Schema):
    id: int
    author: dict[str, Any] = Field(description="{id, full_name, is_staff}")
    body: str
    internal: bool = Field(description="An internal note (staff only; customers never see one).")
    created_at: dt.datetime
    files: list[FileOut]


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=BODY_MAX_LENGTH, examples=["Добрый день! Ждём вас."])
    internal: bool = Field(False, description="Staff only: an internal note.")


class ReadIn(Strict):
    up_to: int | None = Field(
        None, ge=0, description="The newest message id read; none: all of them."
    )


class ReadOut(Schema):
    changed: bool


def _file(attachment: Any, number: str) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": getattr(attachment, "content_type", ""),
        "is_image": attachment.is_image,
        "created_at": attachment.created_at,
        "message_id": attachment.message_id,
        "url": f"/api/v1/tickets/{number}/attachments/{attachment.pk}",
    }


def _message(message: Message, number: str) -> dict[str, Any]:
    author: Any = message.author
    return {
        "id": message.pk,
        "author": {
            "id": author.pk,
            "full_name": author.full_name,
            "is_staff": author.is_provider_staff,
        },
        "body": message.body,
        "internal": message.is_internal,
        "created_at": message.created_at,
        "files": [_file(f, number) for f in message.attachments.all()],
    }


@router.get(
    "/tickets/{number}/messages",
    response=responses({200: MessagePage}, 404),
    summary="The ticket's messages",
    description="Oldest first, with their files. Customers never see internal notes. "
    "Сообщения заявки.",
)
def message_list(
    request: HttpRequest, number: str, page: Query[pagination.PageParams]
) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    order = [("id", False)]
    kind = f"messages:{ticket.pk}"
    messages = pagination.keyset_filter(ticket_messages(user, ticket), order, page, kind)
    rows, cursor = pagination.keyset_next(
        list(messages.order_by("id")[: page.limit + 1]), order, page, kind
    )
    return {"items": [_message(m, number) for m in rows], "next_cursor": cursor}


@router.post(
    "/tickets/{number}/messages",
    response=responses({201: MessageOut}, 404),
    summary="Post a message",
    description="A customer's reply to a resolved or waiting ticket puts it back in progress; "
    "staff may post an internal note (`internal: true`; customers: 400 `internal`). Files: "
    "upload them to /attachments. Написать сообщение.",
)
def message_new(request: HttpRequest, number: str, payload: MessageIn) -> Status[dict[str, Any]]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    message = message_post(by=user, ticket=ticket, body=payload.body, internal=payload.internal)
    message = ticket_messages(user, ticket).get(pk=message.pk)
    return Status(201, _message(message, number))


@router.post(
    "/tickets/{number}/read",
    response=responses({200: ReadOut}, 404),
    summary="Mark the conversation read",
    description="Up to the message `up_to` (the newest one the caller saw), or all. "
    "Отметить прочитанным.",
)
def message_read(request: HttpRequest, number: str, payload: ReadIn) -> dict[str, Any]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    return {"changed": conversation_read(user=user, ticket=ticket, newest_id=payload.up_to)}


@router.get(
    "/tickets/{number}/attachments",
    response=responses({200: list[FileOut]}, 404),
    summary="The ticket's files",
    description="Its messages' included; an internal note's files for staff only. Файлы.",
)
def attachment_list(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    return [_file(a, number) for a in ticket_attachment_list(ticket, user)[:500]]


@router.post(
    "/tickets/{number}/attachments",
    response=responses({201: list[FileOut]}, 404),
    summary="Attach files",
    description="multipart/form-data, field `files` (one or more). The same checks as the "
    "pages: type, content, size (over ATTACHMENT_MAX_BYTES: 413), count. Прикрепить файлы.",
)
def attachment_upload(
    request: HttpRequest, number: str, files: File[list[UploadedFile]]
) -> Status[list[dict[str, Any]]]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    for upload in files:
        if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
            raise ApiError(
                413,
                "too_large",
                _("The file %(name)s is too large.") % {"name": upload.name},
                fields={"files": [_("Too large.")]},
            )
    stored = ticket_attachments_add(by=user, ticket=ticket, files=cast(Any, files))
    return Status(201, [_file(a, number) for a in stored])


@router.get(
    "/tickets/{number}/attachments/{attachment_id}",
    # The file's 200 is declared in openapi_extra (binary content, not JSON).
    response=responses({}, 404),
    summary="Download a file",
    description="The file itself (application/octet-stream). Скачать файл.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    attachment = access_attachment(caller(request), number, attachment_id)
    return attachment_response(request, attachment)


class CriterionOut(Schema):
    id: int
    code: str
    name: str


class RatingOut(Schema):
    criterion: CriterionOut
    score: int


class SurveyOut(Schema):
    rated: bool
    criteria: list[CriterionOut] = Field(description="What a rating scores (1–5 each).")
    respondent: dict[str, Any] | None
    created_at: dt.datetime | None
    ratings: list[RatingOut]
    comment: str


class SurveyIn(Strict):
    scores: dict[int, int] = Field(
        description="Criterion id → score 1…5, for every criterion.", examples=[{"1": 5, "2": 4}]
    )
    comment: str = Field("", max_length=4000, examples=["Спасибо, всё быстро."])


def _criterion(item: Any) -> dict[str, Any]:
    return {"id": item.pk, "code": item.code, "name": item.name}


def _survey(ticket: Any) -> dict[str, Any]:
    response = ticket_survey(ticket)
    criteria = [_criterion(c) for c in survey_criteria()]
    if response is None:
        empty: dict[str, Any] = {"respondent": None, "created_at": None, "ratings": []}
        return {"rated": False, "criteria": criteria, "comment": "", **empty}
    respondent: Any = response.respondent
    return {
        "rated": True,
        "criteria": criteria,
        "respondent": None
        if respondent is None
        else {"id": respondent.pk, "full_name": respondent.full_name},
        "created_at": response.created_at,
        "ratings": [
            {"criterion": _criterion(r.criterion), "score": r.score} for r in response.ratings.all()
        ],
        "comment": response.comment,
    }


@router.get(
    "/tickets/{number}/survey",
    response=responses({200: SurveyOut}, 404),
    summary="The satisfaction survey",
    description="The criteria and, once rated, the rating. Оценка качества.",
)
def survey_get(request: HttpRequest, number: str) -> dict[str, Any]:
    ticket = access_ticket_light(caller(request), number)
    return _survey(ticket)


@router.post(
    "/tickets/{number}/survey",
    response=responses({201: SurveyOut}, 404, 409),
    summary="Rate the ticket (customer)",
    description="Once, when resolved or closed; a score for every criterion. Оценить заявку.",
)
def survey_post(request: HttpRequest, number: str, payload: SurveyIn) -> Status[dict[str, Any]]:
    user = caller(request)
    ticket = access_ticket_light(user, number)
    try:
        survey_submit(
            ticket=ticket, respondent=user, scores=payload.scores, comment=payload.comment
        )
    except SurveyAnswersError as error:
        raise ApiError(
            422,
            "validation",
            _("Some fields are not valid."),
            fields={name: [message] for name, message in error.errors.items()},
        ) from error
    return Status(201, _survey(ticket))
