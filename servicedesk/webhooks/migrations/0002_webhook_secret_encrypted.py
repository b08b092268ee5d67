"""Webhook.secret → Webhook.secret_encrypted (a longer text column). The schema only: the next
migration encrypts the secrets already stored."""

from django.db import migrations, models

import servicedesk.webhooks.models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_webhooks_and_deliveries"),
    ]

    operations = [
        migrations.RenameField(
            model_name="webhook", old_name="secret", new_name="secret_encrypted"
        ),
        migrations.AlterField(
            model_name="webhook",
            name="secret_encrypted",
            field=models.TextField(
                default=servicedesk.webhooks.models.secret_new_encrypted,
                editable=False,
                verbose_name="secret (encrypted)",
            ),
        ),
    ]
