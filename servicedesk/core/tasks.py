"""Housekeeping jobs run by the Huey consumer (started by `make run` / `bin/serve`)."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="15"))
def sessions_clear_expired() -> None:
    """Delete expired sessions nightly, so the session table does not grow without bound."""
    call_command("clearsessions")
