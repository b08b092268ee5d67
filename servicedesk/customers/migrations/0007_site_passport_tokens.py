"""Every existing site gets its own passport token (data only; 0006 added the column)."""

import secrets

from django.db import migrations


def fill_tokens(apps, schema_editor):
    site = apps.get_model("customers", "Site")
    for pk in site.objects.filter(passport_token__isnull=True).values_list("pk", flat=True):
        site.objects.filter(pk=pk).update(passport_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_passport_and_presence")]

    operations = [migrations.RunPython(fill_tokens, migrations.RunPython.noop)]
