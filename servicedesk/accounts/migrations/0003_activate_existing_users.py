"""Users who already have a password of their own count as activated."""

from django.db import migrations
from django.db.models import F


def activate(apps, schema_editor):
    user = apps.get_model("accounts", "User")
    user.objects.filter(activated_at__isnull=True).exclude(password__startswith="!").exclude(
        password=""
    ).update(activated_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_invitations_access_requests_audit")]

    operations = [migrations.RunPython(activate, migrations.RunPython.noop)]
