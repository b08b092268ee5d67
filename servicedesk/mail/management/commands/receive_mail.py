"""`manage.py receive_mail [--mailbox ID|address] < message`: the pipe for a mail server.

Postfix, for instance: `support: "|/srv/servicedesk/.venv/bin/python /srv/servicedesk/manage.py
receive_mail --mailbox support@desk.example.com"` in /etc/aliases. The message is stored first,
then processed. Exit codes (sysexits.h, which MTAs understand): 0 stored (whatever became of it:
processed, held, rejected, ignored, or failed and listed for admins), 64 usage (no such
mailbox, several mailboxes and none named), 65 data (empty input or over the size limit),
75 temporary failure (the database or storage is down: the MTA keeps the message and retries).
"""

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from servicedesk.mail.inbound import inbound_receive
from servicedesk.mail.models import InboundMessage, Mailbox

EX_USAGE, EX_DATAERR, EX_TEMPFAIL = 64, 65, 75


class Command(BaseCommand):
    help = "Receive one email from standard input into a mailbox (a mail server's pipe)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="The mailbox's id or address.")

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = self._mailbox(str(options["mailbox"] or ""))
        limit = int(settings.MAIL_INBOUND_MAX_BYTES)
        raw = sys.stdin.buffer.read(limit + 1)
        if not raw.strip():
            self._exit(EX_DATAERR, "No message on standard input.")
        if len(raw) > limit:
            self._exit(EX_DATAERR, f"The message is larger than {limit} bytes.")
        try:
            message = inbound_receive(mailbox=mailbox, raw=raw, source=InboundMessage.Source.PIPE)
        except Exception as error:
            self._exit(EX_TEMPFAIL, f"Could not store the message: {error}")
        line = f"{message.state} {message.reason}".strip()
        if message.ticket_id:
            line += f" ticket={message.ticket_id}"
        self.stdout.write(f"Stored #{message.pk}: {line}")

    def _mailbox(self, name: str) -> Mailbox:
        mailboxes = Mailbox.objects.filter(is_active=True)
        if name:
            found = (
                mailboxes.filter(pk=int(name))
                if name.isdigit()
                else mailboxes.filter(address__iexact=name)
            ).first()
            if found is None:
                self._exit(EX_USAGE, f"No active mailbox {name!r}.")
            return found  # type: ignore[return-value]
        every = list(mailboxes[:2])
        if len(every) != 1:
            self._exit(EX_USAGE, "Name the mailbox: --mailbox ID or address.")
        return every[0]

    def _exit(self, code: int, text: str) -> None:
        self.stderr.write(text)
        sys.exit(code)
