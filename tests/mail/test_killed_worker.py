"""A worker killed between reading a message and committing what it became: the real
`manage.py receive_mail` in its own process, killed (SIGKILL) while its transaction is open,
then run again — one stored message, one ticket, nothing lost (SQLite and PostgreSQL).

On SQLite the process works on a file copy of the test database (as tests/tickets/
test_numbering_race.py does), read back here after it ends.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.mail.models import Mailbox, SenderRule
from tests.factories import CompanyFactory, MembershipFactory
from tests.mail.inbound_helpers import make_email

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]

# The worker: the real command; with PAUSE_AT set it stops inside the open transaction, after
# the ticket's rows are written, until it is killed.
WORKER = """
import os, sys, time
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
from servicedesk.mail import inbound
pause = os.environ.get("PAUSE_AT")
if pause:
    original = inbound._keep_original
    def keep_then_hang(*args, **kwargs):
        original(*args, **kwargs)
        open(pause, "w").write("in the transaction")
        time.sleep(120)
    inbound._keep_original = keep_then_hang
from django.core.management import call_command
call_command("receive_mail", "--mailbox", sys.argv[1])
"""


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", path
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", None


def _rows(sql: str, path: Path | None) -> list[tuple]:
    if path is not None:
        with sqlite3.connect(path) as db:
            return list(db.execute(sql).fetchall())
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def test_a_worker_killed_mid_way_loses_nothing_and_duplicates_nothing(tmp_path):
    company = CompanyFactory()
    MembershipFactory(company=company, user__email="ivan@alpha.example")
    TicketType.objects.create(code="kill-type", name_ru="Тип")
    Criticality.objects.create(code="kill-criticality", name_ru="Обычная")
    mailbox = Mailbox.objects.create(name="Support", address="support@desk.example.com")
    SenderRule.objects.create(mailbox=mailbox, pattern="*@alpha.example", company=company)
    url, path = _database_url(tmp_path)
    marker = tmp_path / "paused"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path / "var"),
        "HUEY_IMMEDIATE": "true",
        "MAIL_REPLY_ADDRESS": "support@desk.example.com",
    }
    raw = make_email()

    def worker(pause: bool) -> subprocess.Popen[bytes]:
        env = {**environment, **({"PAUSE_AT": str(marker)} if pause else {})}
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", WORKER, str(mailbox.pk)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        return process

    # Killed inside the transaction: the message is stored, its ticket never committed.
    first = worker(pause=True)
    assert first.stdin is not None
    first.stdin.write(raw)
    first.stdin.close()
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        assert time.monotonic() < deadline, "the worker never reached the transaction"
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _rows("SELECT state, attempts FROM mail_inboundmessage", path) == [("received", 0)]
    assert _rows("SELECT COUNT(*) FROM tickets_ticket", path) == [(0,)]
    assert _rows("SELECT COUNT(*) FROM tickets_ticketattachment", path) == [(0,)]

    # Run again (the MTA retries; IMAP would fetch it again): processed once.
    for _ in range(2):
        again = worker(pause=False)
        _out, err = again.communicate(input=raw, timeout=120)
        assert again.returncode == 0, err.decode()
    assert _rows("SELECT state, attempts FROM mail_inboundmessage", path) == [("processed", 1)]
    assert _rows("SELECT COUNT(*) FROM tickets_ticket", path) == [(1,)]
