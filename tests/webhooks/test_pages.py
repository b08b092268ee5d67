"""The back office's «Webhooks» pages: administrators only (anyone else: 404 and nothing
changed), the secret shown once, refusals on the field with nothing stored, the deliveries log
at a fixed number of queries, and the actions (ping, pause, resume, re-send, new secret)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicedesk.notifications.models import Notification
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery
from tests.conftest import login
from tests.webhooks.helpers import file_ticket, hook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _admin_reads_english(world):
    """The pages speak the reader's language: the administrator here reads English."""
    world.users["admin"].language = "en"
    world.users["admin"].save(update_fields=["language"])


def form(url: str, **extra):
    data = {"name": "ERP bridge", "url": url, "events": [Event.TICKET_CREATED, Event.SLA_BREACH]}
    data.update(extra)
    return data


def test_an_administrator_creates_a_webhook_and_sees_its_secret_once(
    world, client, settings, receiver
):
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_PORTS = True, []
    login(client, world.users["admin"])

    page = client.post(reverse("backoffice:webhook_new"), form(receiver.url()), follow=True)

    webhook = Webhook.objects.get()
    assert page.redirect_chain == [(reverse("backoffice:webhook_detail", args=[webhook.pk]), 302)]
    assert page["Cache-Control"] == "no-store"
    assert webhook.secret in page.content.decode()
    assert (webhook.owner, webhook.events) == (
        world.users["admin"],
        [Event.SLA_BREACH, Event.TICKET_CREATED],
    )
    again = client.get(reverse("backoffice:webhook_detail", args=[webhook.pk])).content.decode()
    assert webhook.secret not in again
    assert webhook.secret_hint in again
    assert "X-Servicedesk-Signature" in again and "hmac.compare_digest" in again


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/hook", "public addresses only"),
        ("http://169.254.169.254/latest/meta-data/", "public addresses only"),
        ("http://localhost/", "public addresses only"),
        ("ftp://93.184.216.34/", "Only http and https"),
    ],
)
def test_a_refused_url_is_shown_on_its_field_and_nothing_is_stored(world, client, url, message):
    login(client, world.users["admin"])
    page = client.post(reverse("backoffice:webhook_new"), form(url))
    assert page.status_code == 400
    assert message in page.content.decode()
    assert 'value="ERP bridge"' in page.content.decode()  # what was typed is kept
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize("role", ["dispatcher", "engineer", "cust_a"])
def test_anyone_but_an_administrator_gets_404_and_changes_nothing(world, client, role, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    webhook = Webhook.objects.create(
        owner=world.users["admin"], name="ERP", url="http://127.0.0.1/", events=["ticket.created"]
    )
    delivery = WebhookDelivery.objects.create(webhook=webhook, event="ticket.created")
    login(client, world.users[role])
    gets = [
        reverse("backoffice:webhooks"),
        reverse("backoffice:webhook_new"),
        reverse("backoffice:webhook_detail", args=[webhook.pk]),
        reverse("backoffice:webhook_delivery", args=[delivery.pk]),
    ]
    posts = [
        (reverse("backoffice:webhook_new"), form("http://127.0.0.1/")),
        (reverse("backoffice:webhook_detail", args=[webhook.pk]), form("http://127.0.0.1/x")),
        (reverse("backoffice:webhook_secret", args=[webhook.pk]), {}),
        (reverse("backoffice:webhook_ping", args=[webhook.pk]), {}),
        (reverse("backoffice:webhook_pause", args=[webhook.pk]), {}),
        (reverse("backoffice:webhook_delete", args=[webhook.pk]), {}),
        (reverse("backoffice:webhook_resend", args=[delivery.pk]), {}),
    ]
    for url in gets:
        assert client.get(url).status_code in (302, 404), url
    for url, data in posts:
        assert client.post(url, data).status_code in (302, 404), url
    assert list(Webhook.objects.values_list("name", "url", "secret_encrypted", "is_active")) == [
        ("ERP", "http://127.0.0.1/", webhook.secret_encrypted, True)
    ]
    assert WebhookDelivery.objects.count() == 1


def test_the_list_and_the_log_run_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    for n in range(6):
        webhook = Webhook.objects.create(
            owner=world.users["admin"], name=f"W{n}", url="http://127.0.0.1/", events=["ping"]
        )
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(webhook=webhook, event="ticket.created", response_code=500)
            for _ in range(30)
        )
    login(client, world.users["admin"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("backoffice:webhooks"))
    assert page.content.decode().count('data-testid="webhook-row"') == 6
    with django_assert_max_num_queries(12):
        page = client.get(reverse("backoffice:webhook_detail", args=[webhook.pk]))
    assert page.content.decode().count('data-testid="delivery-row"') == 30


def test_ping_resend_pause_and_resume_from_the_page(
    world, client, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_PORTS = True, []
    admin = world.users["admin"]
    webhook = hook(admin, receiver, Event.TICKET_CREATED)
    login(client, admin)
    detail = reverse("backoffice:webhook_detail", args=[webhook.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:webhook_ping", args=[webhook.pk]))
    assert receiver.events() == ["ping"]
    page = client.get(detail).content.decode()
    assert 'data-testid="code">200<' in page

    with django_capture_on_commit_callbacks(execute=True):
        file_ticket(world.users["cust_a"], world.companies["A"])
    delivery = WebhookDelivery.objects.get(event="ticket.created")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:webhook_resend", args=[delivery.pk]))
    assert receiver.events() == ["ping", "ticket.created", "ticket.created"]
    body = client.get(reverse("backoffice:webhook_delivery", args=[delivery.pk])).content
    assert b"&quot;event&quot;: &quot;ticket.created&quot;" in body

    client.post(reverse("backoffice:webhook_pause", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.is_active is False
    assert "paused" in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:webhook_resume", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.is_active is True

    old = webhook.secret
    page = client.post(reverse("backoffice:webhook_secret", args=[webhook.pk]), follow=True)
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret in page.content.decode()
    assert webhook.secret not in client.get(detail).content.decode()  # once


def test_the_paused_notification_opens_the_webhook(world, client):
    admin = world.users["admin"]
    webhook = Webhook.objects.create(
        owner=admin, name="ERP", url="https://93.184.216.34/", events=["ticket.created"]
    )
    note = Notification.objects.create(
        user=admin,
        kind=Notification.Kind.WEBHOOK_PAUSED,
        data={"webhook": webhook.pk, "name": "ERP"},
    )
    login(client, admin)
    page = client.get(reverse("backoffice:notifications")).content.decode()
    assert "Webhook “ERP” is paused" in page
    opened = client.get(reverse("backoffice:notification_open", args=[note.pk]))
    assert opened["Location"] == reverse("backoffice:webhook_detail", args=[webhook.pk])


def test_editing_keeps_the_service_checks(world, client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    admin = world.users["admin"]
    webhook = Webhook.objects.create(
        owner=admin, name="ERP", url="https://93.184.216.34/", events=["ticket.created"]
    )
    login(client, admin)
    url = reverse("backoffice:webhook_detail", args=[webhook.pk])
    page = client.post(url, form("http://10.1.2.3/", customer_facing="on"))
    assert page.status_code == 400
    webhook.refresh_from_db()
    assert webhook.url == "https://93.184.216.34/"
    page = client.post(
        url,
        form(
            "https://93.184.216.34/in",
            customer_facing="on",
            company=world.companies["A"].pk,
            events=[Event.MESSAGE_CREATED],
        ),
    )
    assert page.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.url, webhook.customer_facing, webhook.company) == (
        "https://93.184.216.34/in",
        True,
        world.companies["A"],
    )
