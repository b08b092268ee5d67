"""How many incoming emails a second the pipeline takes (bench/README.md, "Incoming mail").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench \\
        .venv/bin/python bench/mail_inbound.py [--messages 400] [--seed 1]

On a bench_data database: `--messages` emails through `mail.inbound.inbound_receive` — stored
raw (file + row), parsed, threaded and turned into what they become, each in its own
transaction, exactly as the pipe, the webhook and IMAP polling call it. Half are new emails
from different customers (a ticket each, with a small PNG and the confirmation queued), half
are replies to those tickets: through the signed reply address, or by In-Reply-To naming the
confirmation we sent. The worker's jobs (notifications, sending) are queued in memory and not
run: they are the worker's time, not the pipeline's. Also the parser alone, over the test
corpus. Files go to a temporary MEDIA_ROOT, removed at the end; the rows stay (a bench
database is disposable). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from huey.contrib.djhuey import HUEY  # noqa: E402
from huey.storage import MemoryStorage  # noqa: E402

from servicedesk.accounts.models import Membership, User  # noqa: E402
from servicedesk.mail import parsing  # noqa: E402
from servicedesk.mail.addresses import reply_address  # noqa: E402
from servicedesk.mail.inbound import inbound_receive  # noqa: E402
from servicedesk.mail.models import InboundMessage, Mailbox, OutboundMessage, SenderRule  # noqa: E402
from servicedesk.tickets.models import Ticket  # noqa: E402

ADDRESS = "bench-inbound@bench-desk.example.test"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(2000)
CORPUS = ROOT / "tests" / "mail" / "corpus"


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def new_email(sender: User, n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"{sender.full_name} <{sender.email}>"
    message["To"] = ADDRESS
    message["Subject"] = f"Не работает принтер на этаже {n}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.test>"
    message["Date"] = "Mon, 07 Dec 2026 10:00:00 +0300"
    message.set_content(f"Добрый день!\n\nПринтер на этаже {n} не печатает.\n\nС уважением,\nИван")
    message.add_alternative(
        f"<p>Добрый день!</p><p>Принтер на этаже {n} не печатает.</p><p>С уважением,<br>Иван</p>",
        subtype="html",
    )
    message.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")
    return message.as_bytes()


def reply_email(sender: User, ticket: Ticket, by_token: bool) -> bytes:
    message = EmailMessage()
    message["From"] = f"{sender.full_name} <{sender.email}>"
    message["Subject"] = f"Re: [#{ticket.number}] {ticket.subject}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.test>"
    if by_token:
        message["To"] = reply_address(ticket.pk, user_id=sender.pk)
    else:
        message["To"] = ADDRESS
        sent = OutboundMessage.objects.filter(ticket=ticket).values_list("message_id", flat=True)
        message["In-Reply-To"] = sent.first() or ""
    message.set_content(
        "Перезагрузили, не помогло.\n\n"
        f"пн, 7 дек. 2026 г. в 10:00, Support <{ADDRESS}>:\n> Перезагрузите принтер.\n"
    )
    return message.as_bytes()


def row(name: str, count: int, seconds: float, queries: int) -> str:
    rate = count / seconds if seconds else 0.0
    per = f"{queries / count:.1f}" if queries else "—"
    return f"| {name} | {count} | {seconds:.2f} | **{rate:.0f}** | {per} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    random.seed(options.seed)
    media = tempfile.mkdtemp(prefix="bench-mail-")
    settings.MEDIA_ROOT = media
    settings.MAIL_REPLY_ADDRESS = ADDRESS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    HUEY.immediate = False
    HUEY.storage = MemoryStorage("bench-mail")

    mailbox, _ = Mailbox.objects.get_or_create(
        address=ADDRESS, defaults={"name": "Bench", "flood_per_minute": 5, "flood_per_hour": 30}
    )
    if not mailbox.rules.exists():
        SenderRule.objects.create(mailbox=mailbox, pattern="*@example.test")
    single = Membership.objects.values("user_id").order_by().distinct()
    candidates = list(
        User.objects.filter(email__startswith="bench-customer-", is_active=True, pk__in=single)
        .order_by("?")
        .values_list("pk", flat=True)[: options.messages]
    )
    people = list(User.objects.filter(pk__in=candidates))
    half = min(len(people), options.messages // 2)
    if half == 0:
        sys.exit("No bench customers: load the data set first (manage.py bench_data).")

    tickets_before = Ticket.objects.count()
    counter = QueryCounter()
    results = []

    corpus = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    start = time.perf_counter()
    parsed = 0
    for _round in range(5):
        for raw in corpus:
            with contextlib.suppress(parsing.ParseError):
                parsing.parse_message(raw)
            parsed += 1
    results.append(row("parse only (the test corpus)", parsed, time.perf_counter() - start, 0))

    new = [(person, new_email(person, n)) for n, person in enumerate(people[:half])]
    created: list[tuple[User, Ticket]] = []
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        for person, raw in new:
            message = inbound_receive(mailbox=mailbox, raw=raw, source="pipe")
            if message.ticket is not None:
                created.append((person, message.ticket))
        seconds = time.perf_counter() - start
    results.append(row("new email → ticket", len(new), seconds, counter.count))
    filed = sum(1 for _p, _t in created)

    replies = [(p, reply_email(p, t, by_token=i % 2 == 0)) for i, (p, t) in enumerate(created)]
    counter.count = 0
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        states = [
            inbound_receive(mailbox=mailbox, raw=raw, source="pipe").reason for _p, raw in replies
        ]
        seconds = time.perf_counter() - start
    results.append(row("reply → chat message", len(replies), seconds, counter.count))
    both = len(new) + len(replies)
    results.append(row("all of the above", both, sum_seconds(results[1:]), 0))

    print(f"Tickets in the database: {tickets_before:,} before, {Ticket.objects.count():,} after")
    print(f"New tickets filed: {filed}/{len(new)}; replies threaded: {states.count('reply')}")
    print(f"Inbound rows: {InboundMessage.objects.filter(mailbox=mailbox).count():,}\n")
    print("| pipeline | messages | seconds | messages/s | queries/message |")
    print("|---|---:|---:|---:|---:|")
    for line in results:
        print(line)
    shutil.rmtree(media, ignore_errors=True)


def sum_seconds(rows: list[str]) -> float:
    return sum(float(r.split("|")[3]) for r in rows)


if __name__ == "__main__":
    main()
