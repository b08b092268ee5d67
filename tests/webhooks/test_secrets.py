"""A webhook's signing secret is encrypted at rest (core/crypto.py, the webhooks' own derived
key), still signs every delivery and is still shown once; a secret the installation's key no
longer reads fails the delivery with a clear error in the log and on the page, and a new secret
mends it. The data migration encrypts secrets stored in clear and can decrypt them back. Mail's
derived key is the one it always was (stored IMAP passwords stay readable)."""

from __future__ import annotations

import base64
import hashlib
import importlib

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.urls import reverse

from servicedesk.core import crypto
from servicedesk.mail.models import Mailbox
from servicedesk.webhooks.models import PING, Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import webhook_ping
from tests.conftest import login
from tests.webhooks.helpers import file_ticket, hook

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("local_allowed", "english"),
]
State = WebhookDelivery.State
migration = importlib.import_module(
    "servicedesk.webhooks.migrations.0003_webhook_secret_encrypt_existing"
)


def stored(webhook: Webhook) -> str:
    return Webhook.objects.values_list("secret_encrypted", flat=True).get(pk=webhook.pk)


def test_the_secret_is_encrypted_at_rest_and_still_signs(world, receiver, commit, settings):
    webhook = hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    secret = webhook.secret

    raw = stored(webhook)
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in raw and secret[6:20] not in raw
    assert Webhook.objects.get(pk=webhook.pk).secret == secret
    assert Webhook.objects.get(pk=webhook.pk).secret_hint == f"{secret[:10]}…{secret[-4:]}"
    # Its own derived key: the same token is not readable as a mailbox password.
    with pytest.raises(crypto.SecretUnreadableError):
        crypto.decrypt(raw, purpose=crypto.MAIL)

    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    assert receiver.signature_ok == [True]  # signed with the decrypted secret

    # A new ENCRYPTION_KEY with the old key (here SECRET_KEY) among its fallbacks still reads it.
    settings.ENCRYPTION_KEY = "a-new-encryption-key"
    settings.ENCRYPTION_KEY_FALLBACKS = [settings.SECRET_KEY]
    assert Webhook.objects.get(pk=webhook.pk).secret == secret


def test_an_unreadable_secret_fails_the_delivery_with_a_clear_error(
    world, receiver, commit, settings, client
):
    admin = world.users["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    webhook = hook(admin, receiver, Event.TICKET_CREATED)
    settings.ENCRYPTION_KEY = "rotated-without-fallbacks"  # the old key is gone

    commit(webhook_ping, by=admin, webhook=webhook)
    commit(file_ticket, world.users["cust_a"], world.companies["A"])

    assert receiver.requests == []  # nothing unsigned went out
    ping, event = WebhookDelivery.objects.order_by("pk")
    assert (ping.event, ping.state, ping.attempts) == (PING, State.FAILED, 1)
    assert (event.event, event.state, event.attempts) == ("ticket.created", State.PENDING, 1)
    for delivery in (ping, event):
        assert delivery.response_code is None
        assert delivery.error == (
            "The webhook's secret cannot be read: the encryption key has changed. Make a new "
            "secret on the webhook's page and give it to the receiver."
        )
    webhook.refresh_from_db()
    assert webhook.failures == 2

    login(client, admin)
    detail = reverse("backoffice:webhook_detail", args=[webhook.pk])
    page = client.get(detail)
    assert page.status_code == 200
    assert 'data-testid="secret-unreadable"' in page.content.decode()
    assert 'data-testid="secret-hint"' not in page.content.decode()

    # A new secret (stored with the key now in use) mends it.
    page = client.post(reverse("backoffice:webhook_secret", args=[webhook.pk]), follow=True)
    webhook.refresh_from_db()
    receiver.secret = webhook.secret
    assert webhook.secret in page.content.decode()
    commit(webhook_ping, by=admin, webhook=webhook)
    assert receiver.events() == [PING] and receiver.signature_ok == [True]
    assert 'data-testid="secret-hint"' in client.get(detail).content.decode()


def test_the_migration_encrypts_secrets_kept_in_clear_and_reverses(world, receiver, settings):
    webhook = hook(world.users["admin"], receiver, Event.TICKET_CREATED)
    plain = "whsec_" + "k" * 43
    Webhook.objects.filter(pk=webhook.pk).update(secret_encrypted=plain)  # as 0001 stored it
    already = hook(world.users["admin"], receiver, Event.TICKET_CREATED, path="/other")
    already_raw = stored(already)

    migration.encrypt_secrets(apps, None)

    assert stored(webhook) != plain and plain not in stored(webhook)
    assert Webhook.objects.get(pk=webhook.pk).secret == plain
    assert stored(already) == already_raw  # encrypted already: left alone
    migration.encrypt_secrets(apps, None)  # run twice: nothing changes
    assert Webhook.objects.get(pk=webhook.pk).secret == plain

    migration.decrypt_secrets(apps, None)
    assert stored(webhook) == plain
    assert stored(already) == already.secret

    # Reversing with a key that cannot read a secret stops, naming the webhook.
    migration.encrypt_secrets(apps, None)
    settings.ENCRYPTION_KEY = "another-key"
    with pytest.raises(RuntimeError, match=f"Webhook {webhook.pk}"):
        migration.decrypt_secrets(apps, None)


def test_mail_keeps_the_key_it_always_had(settings):
    """An IMAP password encrypted by the former servicedesk/mail/crypto.py (the same salt and
    derivation, written out here) is read as before."""
    settings.MAIL_SECRET_KEY = ""
    key = hashlib.pbkdf2_hmac(
        "sha256", settings.SECRET_KEY.encode(), b"servicedesk.mail.mailbox-secret", 100_000
    )
    token = Fernet(base64.urlsafe_b64encode(key)).encrypt(b"app-password-42").decode()

    assert Mailbox(imap_password=token).imap_password_plain() == "app-password-42"
    # MAIL_SECRET_KEY (the earlier name) is still read; ENCRYPTION_KEY comes first.
    settings.MAIL_SECRET_KEY = "mail-only-key"
    mailbox = Mailbox()
    mailbox.set_imap_password("other")
    settings.ENCRYPTION_KEY = "general-key"
    settings.ENCRYPTION_KEY_FALLBACKS = ["mail-only-key"]
    assert mailbox.imap_password_plain() == "other"
    settings.ENCRYPTION_KEY_FALLBACKS = []
    with pytest.raises(crypto.SecretUnreadableError):
        mailbox.imap_password_plain()
