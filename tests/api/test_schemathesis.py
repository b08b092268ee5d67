"""The API fuzzed from its own schema (schemathesis, through the WSGI app, no server): for a
customer's token and a dispatcher's, every operation with generated input gives no server
error, answers as its schema says, and only with the status codes it documents. Derandomized
and small (a few examples per operation) so `make test` runs it in well under a minute."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_for
from tests.factories import TicketFactory

# The project's WSGI app without config/wsgi.py's refusal to start on the development key.
# Built when the module is collected, before the test settings (no HTTPS redirect) apply: its
# requests say they came through an HTTPS proxy (SECURE_PROXY_SSL_HEADER).
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), headers={"X-Forwarded-Proto": "https"}
)
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
FUZZ = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
_turn = itertools.count()


@pytest.fixture
def _keep_the_connection() -> Iterator[None]:
    """The WSGI app is called directly (not through Django's test client), so its request
    signals would close the database connection the test's transaction lives on: Django's
    client disconnects the same handler."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world, settings: Any, media: Any, _keep_the_connection: None) -> dict[str, Any]:
    settings.API_RATE_PER_TOKEN = ""
    settings.API_RATE_PER_ADDRESS = ""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    return {
        "ticket": ticket,
        "customer": token_for(world.users["cust_a"]),
        "staff": token_for(world.users["dispatcher"]),
    }


def _call(case: Any, secret: str, ticket: Any) -> None:
    # Every other case asks about a ticket that exists, so the operations get past the 404.
    if "number" in (case.path_parameters or {}) and next(_turn) % 2 == 0:
        case.path_parameters["number"] = ticket.number
    headers = {"Authorization": f"Bearer {secret}", "X-Forwarded-Proto": "https"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_fuzz_as_a_customer(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call(case, fuzz_world["customer"], fuzz_world["ticket"])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_fuzz_as_a_dispatcher(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call(case, fuzz_world["staff"], fuzz_world["ticket"])
