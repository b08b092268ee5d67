"""The worker's side of outgoing mail: send one queued email, every minute pick up the ones
whose retry is due, every night forget the ones sent long ago."""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from servicedesk.mail.services import outbound_due, outbound_prune, outbound_send


@db_task()
def mail_send(outbound_id: int) -> None:
    """One attempt at the row (a no-op when it was sent already or is not due)."""
    outbound_send(outbound_id)


@db_task()
def mail_send_many(outbound_ids: list[int]) -> None:
    """One attempt at each row, in one task (e.g. the SLA check's emails for a chunk)."""
    for pk in outbound_ids:
        outbound_send(pk)


@db_periodic_task(crontab(minute="*"))
@lock_task("mail-retry-due")
def mail_retry_due() -> None:
    """Every minute: one more attempt at each queued email whose time has come."""
    for pk in outbound_due(timezone.now()):
        mail_send(pk)


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("mail-prune")
def mail_prune() -> None:
    """Every night: sent emails older than MAIL_KEEP_DAYS leave the outbound log."""
    outbound_prune(now=timezone.now(), days=settings.MAIL_KEEP_DAYS)


# --- Incoming mail (issue 17) ------------------------------------------------------------------


@db_periodic_task(crontab(minute="*/5"))
@lock_task("mail-inbound-stuck")
def mail_inbound_stuck() -> None:
    """Every five minutes: messages stored but never processed (the process that stored them
    died before it could) are processed now; processing is idempotent."""
    from servicedesk.mail.inbound import inbound_process_stuck

    inbound_process_stuck(now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def mail_poll_all() -> None:
    """Every minute: a poll of each active IMAP mailbox, each in its own task."""
    from servicedesk.mail.imap import mailboxes_to_poll

    for pk in mailboxes_to_poll():
        mail_poll(pk)


@db_task()
def mail_poll(mailbox_id: int) -> None:
    """One poll of one mailbox; a no-op while another worker polls it (mail/imap.py's lock)."""
    from servicedesk.mail.imap import mailbox_poll

    mailbox_poll(mailbox_id)
