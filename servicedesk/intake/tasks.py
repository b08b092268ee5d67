"""Background delivery of a guest's confirmation: thin, by id, safe to run twice (the email is
queued once per filing in the outbound log; the SMS is re-sent only by a retry after a
failure)."""

from huey.contrib.djhuey import db_task

from servicedesk.core.sms import send_sms
from servicedesk.intake.models import GuestFiling, GuestLink


def _filing(filing_id: int) -> GuestFiling | None:
    return GuestFiling.objects.select_related("ticket", "contact").filter(pk=filing_id).first()


@db_task()
def guest_confirmation_email(filing_id: int) -> None:
    from servicedesk.intake.services import confirmation_email_queue
    from servicedesk.mail.services import outbound_send

    filing = _filing(filing_id)
    if filing is None:
        return
    row = confirmation_email_queue(filing)
    if row is not None:
        outbound_send(row)


@db_task()
def guest_link_email(link_id: int) -> None:
    """A new status link staff sent (intake.services.guest_link_resend)."""
    from servicedesk.intake.services import guest_link_email_queue
    from servicedesk.mail.services import outbound_send

    link = GuestLink.objects.select_related("ticket", "contact").filter(pk=link_id).first()
    if link is None:
        return
    row = guest_link_email_queue(link)
    if row is not None:
        outbound_send(row)


@db_task(retries=3, retry_delay=60)
def guest_confirmation_sms(filing_id: int) -> None:
    from servicedesk.intake.services import confirmation_sms_text

    filing = _filing(filing_id)
    if filing is None or not filing.contact.phone or not filing.contact.is_active:
        return
    send_sms(filing.contact.phone.as_e164, confirmation_sms_text(filing))
