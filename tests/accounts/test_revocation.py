"""Taking a company away from a customer counts on the very next request, on every page that
shows that company's tickets, with the cache production uses (Redis): nothing that decides what
a person may see is kept in a cache (docs/decisions/0012), and the counts kept there are made
for the person's memberships as read on each request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.test import Client, override_settings
from django.urls import reverse

from servicedesk.accounts.models import Membership
from servicedesk.conversations.services import message_post
from servicedesk.notifications.services import notify
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_follow, ticket_viewed
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache() -> Iterator[None]:
    """Django's Redis cache for this test, under a prefix of its own (removed after it)."""
    prefix = f"test-revocation-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        yield
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def beta_ticket(world: World) -> Ticket:
    """A ticket of company B that the customer of A and B follows and has seen, with an unread
    message and a notification about it."""
    customer = world.users["cust_ab"]
    ticket = TicketFactory(
        company=world.companies["B"], contact=world.users["cust_b"], subject="Beta boiler leak"
    )
    ticket_follow(by=customer, ticket=ticket)
    ticket_viewed(by=customer, ticket=ticket)
    message_post(by=world.users["engineer"], ticket=ticket, body="Beta engineer on the way")
    notify(users=[customer], kind="message", tickets=[ticket])
    return ticket


def _badges(html: str) -> tuple[str, str]:
    unread = re.search(
        r'data-testid="nav-badge-messages"[^>]*><span aria-hidden="true">(\d+)', html
    )
    bell = re.search(r'data-testid="bell-count"[^>]*>\s*(\d+)', html)
    return (unread.group(1) if unread else "0", bell.group(1) if bell else "0")


PAGES: list[tuple[str, dict[str, Any], str]] = [
    # (url name, query, what must be gone)
    ("portal:tickets", {"view": "company"}, "subject"),
    ("portal:tickets", {"view": "recent"}, "subject"),
    ("portal:messages", {}, "subject"),
    ("portal:notifications", {}, "subject"),
    ("portal:companies", {}, "company"),
    ("portal:ticket_new", {}, "company"),
]


@pytest.mark.usefixtures("redis_cache")
@pytest.mark.parametrize(("name", "query", "gone"), PAGES, ids=[f"{p[0]}{p[1]}" for p in PAGES])
def test_a_removed_membership_counts_on_the_next_request(
    world: World, beta_ticket: Ticket, name: str, query: dict[str, Any], gone: str
) -> None:
    customer = world.users["cust_ab"]
    client = login(Client(headers={"accept-language": "en"}), customer)
    needle = beta_ticket.subject if gone == "subject" else world.companies["B"].name
    # Given the page shows company B's ticket (or B itself) and has been made once: whatever
    # the page keeps in the cache is there now
    before = client.get(reverse(name), query)
    assert before.status_code == 200
    assert needle in before.content.decode()
    assert _badges(before.content.decode()) != ("0", "0")
    # When B is taken away from the customer
    Membership.objects.filter(user=customer, company=world.companies["B"]).delete()
    # Then the very next request shows neither B's ticket nor its unread message or bell
    after = client.get(reverse(name), query)
    html = after.content.decode()
    assert after.status_code == 200
    assert needle not in html
    assert _badges(html) == ("0", "0")


@pytest.mark.usefixtures("redis_cache")
@pytest.mark.parametrize(
    "name",
    ["portal:ticket_detail", "portal:ticket_print", "portal:ticket_messages_poll"],
)
def test_a_removed_membership_makes_the_ticket_a_404_on_the_next_request(
    world: World, beta_ticket: Ticket, name: str
) -> None:
    customer = world.users["cust_ab"]
    client = login(Client(), customer)
    url = reverse(name, args=[beta_ticket.number])
    assert client.get(url).status_code in (200, 204)
    Membership.objects.filter(user=customer, company=world.companies["B"]).delete()
    assert client.get(url).status_code == 404


@pytest.mark.usefixtures("redis_cache")
def test_the_pulse_stops_counting_on_the_next_request(world: World, beta_ticket: Ticket) -> None:
    customer = world.users["cust_ab"]
    client = login(Client(), customer)
    url = reverse("portal:pulse")
    assert _badges(client.get(url, {"bell": "1"}).content.decode()) == ("1", "1")
    Membership.objects.filter(user=customer, company=world.companies["B"]).delete()
    assert _badges(client.get(url, {"bell": "1"}).content.decode()) == ("0", "0")
