"""Every page carries a strict Content-Security-Policy; a signed-in person's pages and files are
never cached (issue 21)."""

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize(
    ("user", "url"),
    [
        (None, "/accounts/login/"),
        (None, "/access/request/"),
        (None, "/no/such/page/"),
        ("cust_a", "/portal/"),
        ("cust_a", "/portal/tickets/new/"),
        ("cust_a", "/portal/messages/"),
        ("dispatcher", "/backoffice/"),
        ("dispatcher", "/backoffice/tickets/"),
        ("admin", "/admin/"),
    ],
)
def test_every_page_carries_a_strict_policy(world: Any, user: str | None, url: str) -> None:
    client = Client()
    if user:
        login(client, world.users[user])
    response = client.get(url, follow=True)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/portal/", "/portal/messages/", "/me/profile/"])
def test_signed_in_pages_are_not_stored(world: Any, url: str) -> None:
    response = login(Client(), world.users["cust_a"]).get(url, follow=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_pages_use_no_htmx_filter_that_needs_eval(world: Any) -> None:
    # htmx evaluates [filters] in hx-trigger as code: the policy would block them
    client = login(Client(), world.users["cust_a"])
    html = client.get("/portal/tickets/new/").content.decode()
    html += client.get("/portal/messages/").content.decode()
    for trigger in re.findall(r'hx-trigger="([^"]*)"', html):
        assert "[" not in trigger, trigger
    assert '"allowEval": false' in html
