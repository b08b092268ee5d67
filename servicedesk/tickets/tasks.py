"""Background jobs about tickets. They take ids and re-read the state."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from servicedesk.core.mail import send_mail_template
from servicedesk.tickets.models import Ticket


@db_task(retries=3, retry_delay=60)
def ticket_created_notify(ticket_id: int) -> None:
    """Tell the contact their ticket is registered: the number and what was filed."""
    ticket = (
        Ticket.objects.select_related(
            "contact",
            "company",
            "ticket_type",
            "criticality",
            "site",
            "equipment",
            "work_type",
            "contract",
            "product",
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or not ticket.contact.email or not ticket.contact.is_active:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("portal:ticket_detail", args=[ticket.number])
    send_mail_template(
        "tickets/email/ticket_created",
        {"ticket": ticket, "link": link, "user": ticket.contact},
        to=[ticket.contact.email],
        language=ticket.contact.language or None,
    )


@db_periodic_task(crontab(minute="23"))
def tickets_auto_close() -> None:
    """Hourly: close the tickets resolved more than TICKET_AUTO_CLOSE_DAYS ago that the customer
    neither accepted nor answered (services.tickets_close_resolved; safe to run twice)."""
    from servicedesk.tickets.services import tickets_close_resolved

    tickets_close_resolved(now=timezone.now(), days=settings.TICKET_AUTO_CLOSE_DAYS)
