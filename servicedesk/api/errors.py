"""One error shape for every 4xx and 5xx answer of the API, and the exception handlers that
produce it:

    {"error": {"code": "not_found", "message": "Not found.", "fields": {"subject": ["…"]}}}

`code` is for programs (stable, English, documented); `message` for people (in the caller's
language); `fields` (optional) names the request fields refused and why. Every operation
declares these answers in the schema through `responses()`, so a client (and schemathesis)
sees each status code an operation can give."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import Field

from servicedesk.core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)


class ErrorBody(Schema):
    code: str = Field(description="Machine-readable reason, e.g. `not_found`, `validation`.")
    message: str = Field(description="What went wrong, for a person (in the caller's language).")
    fields: dict[str, list[str]] | None = Field(
        default=None, description="The request fields refused, each with its reasons."
    )


class ErrorOut(Schema):
    """Every error answer of the API."""

    error: ErrorBody

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"error": {"code": "not_found", "message": "Not found."}},
                {
                    "error": {
                        "code": "validation",
                        "message": "Some fields are not valid.",
                        "fields": {"subject": ["Field required"]},
                    }
                },
            ]
        }
    }


class ApiError(Exception):
    """A refusal with its HTTP status (the API's own: read-only token, stale version, …)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Any,
        *,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = str(message)
        self.fields = fields
        self.headers = headers or {}


# What any operation may answer, whatever it does: a malformed or invalid request (400, 422),
# no or a bad credential (401), a refused one (403: read-only token, CSRF), a body too large
# (413) and too many calls (429).
COMMON_ERRORS = (400, 401, 403, 413, 422, 429)

# ApplicationError codes that are not "this value is refused" (400).
STATUS_BY_CODE = {
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.STAGE: 409,  # not possible in the ticket's current status
    ErrorCode.ACT_REQUIRED: 409,
    ErrorCode.PRESENCE_REQUIRED: 409,
    ErrorCode.TOO_LARGE: 413,
}


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's answers: its successes (`ok`), the common errors and its own (e.g. 404
    for one that looks something up), every error in the one shape."""
    result = dict(ok)
    for status in sorted({*COMMON_ERRORS, *errors}):
        result[status] = ErrorOut
    return result


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: Any,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for item in errors:
        # ("body", "payload", "subject") → "subject"; ("query", "limit") → "limit"
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query")]
        if location and location[0] in ("payload", "filters", "params", "data"):
            location = location[1:]
        name = ".".join(location) or "__all__"
        fields.setdefault(name, []).append(str(item.get("msg", "")))
    return fields


HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    428: "precondition_required",
    429: "throttled",
}


def install_error_handlers(api: NinjaAPI) -> None:
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        status = STATUS_BY_CODE.get(exc.code, 400)
        fields = {exc.field: [str(exc.message)]} if exc.field else None
        return error_response(api, request, status, str(exc.code), exc.message, fields)

    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = error_response(api, request, exc.status, exc.code, exc.message, exc.fields)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The same answer for another company's object as for one that does not exist.
        return error_response(api, request, 404, "not_found", _("Not found."))

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            422,
            "validation",
            _("Some fields are not valid."),
            _validation_fields(exc.errors),
        )

    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            401,
            "unauthenticated",
            _("Give a valid API token (Authorization: Bearer …) or sign in."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        # ninja adds Retry-After (whole seconds) to this answer.
        return error_response(
            api, request, 429, "throttled", _("Too many requests; try again later.")
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        code = HTTP_ERROR_CODES.get(status, "error")
        message: Any = exc.message
        if status == 400 and "parse request body" in str(exc.message):
            code, message = "malformed", _("The request body is not valid JSON.")
        elif status == 403 and "CSRF" in str(exc.message):
            code, message = "csrf", _("The CSRF check failed; reload the page and try again.")
        return error_response(api, request, status, code, message)

    def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 413, "too_large", _("The request is too large."))

    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(
            api, request, 500, "server_error", _("Something went wrong on our side.")
        )

    handlers: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        Exception: server_error,
        ApplicationError: application_error,
        ApiError: api_error,
        Http404: not_found,
        ValidationError: validation_error,
        HttpError: http_error,
        AuthenticationError: authentication_error,
        Throttled: throttled,
        RequestDataTooBig: too_big,
        TooManyFieldsSent: too_big,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)
