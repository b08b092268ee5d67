"""Encrypt the signing secrets stored in clear before 0002 (core/crypto.py, the webhooks'
purpose). Reversible while the key is there: going back decrypts them; a secret the key no
longer reads stops the reversal with an error naming the webhook (nothing is lost: make it a
new secret first, or restore the key)."""

from typing import Any

from django.db import migrations

from servicedesk.core import crypto

# Written out, not imported: this migration must keep reading what it wrote.
PURPOSE = "servicedesk.webhooks.signing-secret"


def _readable(value: str) -> bool:
    try:
        crypto.decrypt(value, purpose=PURPOSE)
    except crypto.SecretUnreadableError:
        return False
    return True


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    Webhook = apps.get_model("webhooks", "Webhook")
    for pk, value in Webhook.objects.values_list("pk", "secret_encrypted").iterator():
        if value and not _readable(value):  # in clear (whsec_…)
            encrypted = crypto.encrypt(value, purpose=PURPOSE)
            Webhook.objects.filter(pk=pk).update(secret_encrypted=encrypted)


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    Webhook = apps.get_model("webhooks", "Webhook")
    for pk, value in Webhook.objects.values_list("pk", "secret_encrypted").iterator():
        try:
            plain = crypto.decrypt(value, purpose=PURPOSE)
        except crypto.SecretUnreadableError as error:
            raise RuntimeError(
                f"Webhook {pk}: its secret cannot be decrypted with the current key; "
                "make it a new secret (or restore the key) before reversing this migration."
            ) from error
        Webhook.objects.filter(pk=pk).update(secret_encrypted=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_webhook_secret_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
