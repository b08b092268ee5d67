"""What polling an idle IMAP mailbox costs (bench/README.md, "Polling an idle mailbox").

    [DATABASE_URL=postgres://…] .venv/bin/python bench/mail_poll.py [--polls 50]
        [--host H --port P --login L --password X --security ssl|starttls|none]

Without --host it starts a throwaway Dovecot on loopback (tests/imap_server.py, Debian's
dovecot-imapd), so the figures are the poller's own, not a network's. Each poll is
`mail.imap.mailbox_poll` exactly as the worker runs it every minute: the lock, the mailbox row,
connect, log in, select the folder, search for unseen mail, log out, the poll status written.
Measured per poll: wall time, IMAP commands sent (each one a round trip: counted through
imaplib's `imaplib.send` audit event), database queries. Then the same with N messages waiting,
to show what one message adds. Prints a markdown table. Adds a mailbox
`bench-poll@bench-desk.example.test` (use a disposable database).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
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

from servicedesk.mail.imap import mailbox_poll  # noqa: E402
from servicedesk.mail.models import Mailbox, SenderRule  # noqa: E402

ADDRESS = "bench-poll@bench-desk.example.test"


class Counter:
    def __init__(self) -> None:
        self.imap = 0
        self.queries = 0

    def audit(self, event: str, args: tuple) -> None:  # type: ignore[type-arg]
        if event == "imaplib.send" and args[1] != b"\r\n":  # a literal's end is no command
            self.imap += 1

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.queries += 1
        return execute(sql, params, many, context)


def email(n: int) -> bytes:
    return (
        f"From: Bench <bench-{n}@example.test>\r\nTo: {ADDRESS}\r\n"
        f"Subject: Poll bench {n}\r\nMessage-ID: <poll-{n}-{time.time_ns()}@example.test>\r\n"
        f"Date: Mon, 07 Dec 2026 10:00:00 +0300\r\n\r\nThe printer on floor {n} is broken.\r\n"
    ).encode()


CPU: list[float] = []  # this process's CPU time per poll of the last measure(), ms


def measure(mailbox: Mailbox, counter: Counter, polls: int) -> tuple[list[float], float, float]:
    times: list[float] = []
    CPU.clear()
    counter.imap = counter.queries = 0
    with connection.execute_wrapper(counter):
        for _ in range(polls):
            start, cpu = time.perf_counter(), time.process_time()
            result = mailbox_poll(mailbox.pk)
            times.append((time.perf_counter() - start) * 1000)
            CPU.append((time.process_time() - cpu) * 1000)
            if result.error:
                sys.exit(f"The poll failed: {result.error}")
    return times, counter.imap / polls, counter.queries / polls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polls", type=int, default=50)
    parser.add_argument("--waiting", type=int, default=20, help="messages for the busy poll")
    parser.add_argument("--host", default="")
    parser.add_argument("--port", type=int, default=993)
    parser.add_argument("--security", default="ssl", choices=["ssl", "starttls", "none"])
    parser.add_argument("--login", default="")
    parser.add_argument("--password", default="")
    options = parser.parse_args()

    media = tempfile.mkdtemp(prefix="bench-poll-")
    settings.MEDIA_ROOT = media
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    HUEY.immediate = False
    HUEY.storage = MemoryStorage("bench-poll")
    server = process = None
    if options.host:
        host, port, security = options.host, options.port, options.security
        login, password = options.login, options.password
    else:
        from tests.imap_server import start_dovecot

        server, process = start_dovecot()
        host, port, security = server.host, server.port, "none"
        login, password = server.new_user(), server.password
    counter = Counter()
    sys.addaudithook(counter.audit)
    try:
        mailbox, _ = Mailbox.objects.update_or_create(
            address=ADDRESS,
            defaults={
                "name": "Bench poll",
                "imap_host": host,
                "imap_port": port,
                "imap_security": security,
                "imap_login": login,
                "is_active": True,
                "unknown_sender": Mailbox.UnknownSender.HOLD,
            },
        )
        mailbox.set_imap_password(password)
        mailbox.save()
        SenderRule.objects.filter(mailbox=mailbox).delete()  # everything is held: no tickets

        mailbox_poll(mailbox.pk)  # warm up (connection, imports), and empty the folder
        idle, idle_imap, idle_queries = measure(mailbox, counter, options.polls)
        rows = [
            (
                f"idle, empty folder ({options.polls} polls)",
                statistics.median(idle),
                sorted(idle)[int(len(idle) * 0.95) - 1],
                idle_imap,
                idle_queries,
                statistics.median(CPU),
            )
        ]
        if server is not None and options.waiting:
            for n in range(options.waiting):
                server.append(login, email(n))
            busy, busy_imap, busy_queries = measure(mailbox, counter, 1)
            rows.append(
                (
                    f"{options.waiting} messages waiting (1 poll)",
                    busy[0],
                    busy[0],
                    busy_imap,
                    busy_queries,
                    CPU[0],
                )
            )
            after, after_imap, after_queries = measure(mailbox, counter, options.polls)
            rows.append(
                (
                    f"idle, {options.waiting} read messages kept ({options.polls} polls)",
                    statistics.median(after),
                    sorted(after)[int(len(after) * 0.95) - 1],
                    after_imap,
                    after_queries,
                    statistics.median(CPU),
                )
            )
        print(f"Server: {host}:{port} ({security}); database: {connection.vendor}\n")
        print("| poll | median ms | p95 ms | our CPU ms | IMAP commands | DB queries |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, median, p95, imap, queries, cpu in rows:
            print(f"| {name} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {imap:.0f} | {queries:.0f} |")
    finally:
        if process is not None:
            from tests.imap_server import stop_dovecot

            stop_dovecot(process)
            shutil.rmtree(server.directory, ignore_errors=True)  # type: ignore[union-attr]
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
