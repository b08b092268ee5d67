"""The SSRF guard: private, loopback, link-local, multicast, reserved and shared addresses are
refused after DNS resolution — on saving (nothing stored) and again on every attempt (a name
that resolves elsewhere later) — redirects are never followed, only http(s) on the documented
ports; WEBHOOKS_ALLOW_PRIVATE lets a development desk (and these tests' receiver) through."""

from __future__ import annotations

import pytest

from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.webhooks.guard import UnsafeURLError, url_check
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import webhook_create
from tests.webhooks.helpers import file_ticket, hook

pytestmark = pytest.mark.django_db
State = WebhookDelivery.State

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://10.0.0.5/hook",
    "http://172.16.4.1/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::5]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://localhost/hook",
    "http://localhost.:8080/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_and_local_addresses_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(UnsafeURLError) as refused:
        url_check(url)
    assert refused.value.code == ErrorCode.WEBHOOK_URL
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://93.184.216.34/hook", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://93.184.216.34:70/", "Only http and https"),
        ("http://user:pw@93.184.216.34/hook", "no user name or password"),
        ("http://93.184.216.34:22/hook", "Port 22 is not allowed"),
        ("http://93.184.216.34:6379/hook", "Port 6379 is not allowed"),
        ("http:///hook", "valid URL"),
        ("http://[::1/hook", "valid URL"),
        ("http://no-such-host.invalid/hook", "cannot be resolved"),
    ],
)
def test_other_schemes_credentials_ports_and_bad_urls_are_refused(url, why, settings, english):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # refused whatever the private-address setting says
    with pytest.raises(UnsafeURLError, match=why):
        url_check(url)


def test_a_public_address_on_a_documented_port_passes(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    target = url_check("https://93.184.216.34:8443/in/hook?source=sd")
    assert (target.scheme, target.host, target.port) == ("https", "93.184.216.34", 8443)
    assert (target.path, target.address) == ("/in/hook?source=sd", "93.184.216.34")


def test_the_setting_lets_private_addresses_through(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert url_check("http://localhost:8080/hook").address in ("127.0.0.1", "::1")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hook", "http://169.254.169.254/", "http://localhost/"]
)
def test_a_webhook_to_a_refused_address_is_not_stored(world, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ApplicationError) as refused:
        webhook_create(by=world.users["admin"], name="x", url=url, events=[Event.TICKET_CREATED])
    assert refused.value.field == "url"
    assert Webhook.objects.count() == 0


def test_an_address_refused_when_the_attempt_is_made_is_not_contacted(
    world, receiver, commit, settings
):
    """Saved while allowed (or while the name resolved elsewhere): the attempt checks again."""
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_PORTS = True, []
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    commit(file_ticket, world.users["cust_a"], world.companies["A"])

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.PENDING
    assert delivery.response_code is None
    assert "127.0.0.1" in delivery.error


def test_a_redirect_is_not_followed(world, receiver, commit, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_PORTS = True, []
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    receiver.redirect_to = receiver.url("/internal-admin")

    commit(file_ticket, world.users["cust_a"], world.companies["A"])

    assert [r.path for r in receiver.requests] == ["/hook"]  # /internal-admin never asked
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.response_code) == (State.PENDING, 302)
    assert "/internal-admin" in delivery.error


def test_a_redirect_to_the_metadata_address_is_not_followed(world, receiver, commit, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_PORTS = True, []
    hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 302
    assert "169.254.169.254" in delivery.error
    assert len(receiver.requests) == 1
