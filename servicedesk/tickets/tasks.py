"""Background jobs about tickets. They take ids and re-read the state. (Who is told about a
ticket's changes is the notifications app's work: notifications/events.py.)"""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="23"))
def tickets_auto_close() -> None:
    """Hourly: close the tickets resolved more than TICKET_AUTO_CLOSE_DAYS ago that the customer
    neither accepted nor answered (services.tickets_close_resolved; safe to run twice)."""
    from servicedesk.tickets.services import tickets_close_resolved

    tickets_close_resolved(now=timezone.now(), days=settings.TICKET_AUTO_CLOSE_DAYS)
