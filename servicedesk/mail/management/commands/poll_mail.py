"""`manage.py poll_mail [--mailbox ID|address] [--limit N]`: poll the active IMAP mailboxes now,
in this process (the worker does it every minute: mail.tasks.mail_poll_all). Prints one line per
mailbox; exit code 1 when a poll failed (its error is also on the mail health page)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from servicedesk.mail.imap import mailbox_poll, mailboxes_to_poll
from servicedesk.mail.models import Mailbox


class Command(BaseCommand):
    help = "Poll the active IMAP mailboxes now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="Only this mailbox (id or address).")
        parser.add_argument("--limit", type=int, default=None, help="At most N messages each.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["mailbox"] or "")
        if name:
            found = Mailbox.objects.filter(
                Q(address__iexact=name) | Q(pk=int(name) if name.isdigit() else None)
            ).first()
            if found is None:
                raise CommandError(f"No mailbox {name!r}.")
            ids = [found.pk]
        else:
            ids = mailboxes_to_poll()
        failed = False
        for pk in ids:
            result = mailbox_poll(pk, limit=options["limit"])
            if result.locked:
                line = "busy (another poll is running)"
            elif result.error:
                failed = True
                line = f"error: {result.error}"
            else:
                states = " ".join(f"{k}={v}" for k, v in sorted(result.states.items()))
                line = f"fetched={result.fetched} new={result.stored} {states}".strip()
            self.stdout.write(f"mailbox {pk}: {line}")
        if failed:
            sys.exit(1)
