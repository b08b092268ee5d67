"""The REST API: one NinjaAPI at /api/v1/, its authentication, rate limits and error shape.
Each area's operations live in a router of their own, registered below (one line each)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from servicedesk.api.auth import AUTH
from servicedesk.api.docs import LocalSwagger
from servicedesk.api.errors import error_response, install_error_handlers
from servicedesk.api.throttling import THROTTLES

DESCRIPTION = """
The Servicedesk REST API: everything the customer portal and the back office do, over the same
rules and the same scoping — a customer's token sees exactly what the customer sees.

**Authentication.** A personal API token, made in your profile (*Profile → API tokens*), sent as
`Authorization: Bearer sdt_…`. A read-only token may only read (writes: 403 `read_only_token`).
The pages' own calls use the signed-in session, with the CSRF token (`X-CSRFToken`) on writes.
Аутентификация: персональный токен из профиля, заголовок `Authorization: Bearer sdt_…`.

**Errors.** Every 4xx/5xx answer has one shape:
`{"error": {"code": "not_found", "message": "…", "fields": {"subject": ["…"]}}}`.
`code` is stable and machine-readable; `message` is for people, in the caller's language.
Invalid fields or types: 422 `validation`; malformed JSON: 400 `malformed`; an object of another
company answers exactly like one that does not exist: 404 `not_found`.

**Versions.** A ticket's answer carries `ETag: "<version>"`; a change (`PATCH`) needs
`If-Match` with it: without it 428, with a stale one 412 — nothing is changed.

**Pages.** Lists return `{"items": […], "next_cursor": "…"}`; pass `cursor` for the next page,
`limit` up to 100.

**Rate limits.** Per token and per address; over the limit: 429 with `Retry-After` (seconds).
"""

api = NinjaAPI(
    title="Servicedesk API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=AUTH,
    throttle=THROTTLES,
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

# --- Routers: one line per area ------------------------------------------------------------------
from servicedesk.api import me, messages, ticket_actions, tickets  # noqa: E402

api.add_router("", me.router)
api.add_router("", ticket_actions.router)  # before tickets: /tickets/bulk is not a number
api.add_router("", tickets.router)
api.add_router("", messages.router)

# Beyond tickets (issue 20, part B).
from servicedesk.api import (  # noqa: E402
    acts,
    customers,
    knowledge,
    people,
    reference,
    reports,
    sla,
    webhooks,
)

api.add_router("", reference.router)
api.add_router("", customers.router)
api.add_router("", sla.router)
api.add_router("", knowledge.router)
api.add_router("", acts.router)
api.add_router("", reports.router)
api.add_router("", people.router)
api.add_router("", webhooks.router)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under /api/v1/: the API's 404, in its shape (not the HTML page)."""
    return error_response(api, request, 404, "not_found", _("Not found."))
