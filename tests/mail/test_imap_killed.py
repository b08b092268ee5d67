"""A worker killed in the middle of a poll loses nothing and files nothing twice.

`manage.py poll_mail` runs as a real process against a real Dovecot and its own database (this
suite's kind: SQLite in a temporary VAR_DIR, or a PostgreSQL database of its own), stops at a
point of the poll (the test-only SERVICEDESK_MAIL_POLL_PAUSE hook in mail/imap.py) and is killed
there with SIGKILL — no cleanup, no rollback handler, as a crashed host would. Then it is started
again without the hook.
"""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from servicedesk.mail.imap import PAUSE_ENV
from tests.mail.inbound_helpers import make_email

BASE_DIR = Path(__file__).resolve().parents[2]
SEEN = "\\Seen"

SETUP = """
from servicedesk.customers.models import Criticality, TicketType
from servicedesk.mail.models import Mailbox, SenderRule
from tests.factories import CompanyFactory, CriticalityFactory, MembershipFactory
TicketType.objects.get_or_create(code="incident", defaults={"name_ru": "Инцидент"})
if not Criticality.objects.filter(is_default=True).exists():
    CriticalityFactory(is_default=True)
Mailbox.objects.update(is_active=False)  # an earlier test's
company = CompanyFactory(name=%(login)r, code=%(login)r)
MembershipFactory(company=company, user__email=%(login)r + "@alpha.example")
mailbox = Mailbox(name="Support", address=%(login)r + "@desk.example.com", imap_host="127.0.0.1",
                  imap_port=%(port)d, imap_security="none", imap_login=%(login)r)
mailbox.set_imap_password(%(password)r)
mailbox.save()
SenderRule.objects.create(mailbox=mailbox, pattern=%(login)r + "@alpha.example", company=company)
"""

REPORT = """
import json
from servicedesk.mail.models import InboundMessage
from servicedesk.tickets.models import Ticket
rows = InboundMessage.objects.filter(mailbox__imap_login=%(login)r)
print(json.dumps({
    "messages": list(rows.values_list("state", "imap_uid")),
    "tickets": list(
        Ticket.objects.filter(company__name=%(login)r).values_list("subject", flat=True)
    ),
}))
"""


class Site:
    """A separate installation (database + VAR_DIR) the subprocesses share."""

    def __init__(self, var_dir: Path, database_url: str) -> None:
        self.env = {
            **os.environ,
            "DEBUG": "true",
            "VAR_DIR": str(var_dir),
            "HUEY_IMMEDIATE": "true",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.env.pop(PAUSE_ENV, None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)

    def manage(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,  # a guard against a hang: migrating takes minutes on a busy machine
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def report(self, login: str) -> dict:
        out = self.manage("shell", "-c", REPORT % {"login": login})
        return json.loads(out.strip().splitlines()[-1])

    def poll_until_paused(self, point: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "poll_mail"],
            cwd=BASE_DIR,
            env={**self.env, PAUSE_ENV: point},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != f"paused {point}":
            process.kill()
            raise AssertionError(f"the poll did not pause: {line!r} {process.stderr.read()}")
        return process


@pytest.fixture(scope="module")
def site(tmp_path_factory, worker_id):
    url = os.environ.get("DATABASE_URL", "")
    database_url = ""
    if url.startswith("postgres"):
        import psycopg

        base, _slash, _name = url.rpartition("/")
        name = f"servicedesk_killed_{worker_id}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        database_url = f"{base}/{name}"
    try:
        site = Site(tmp_path_factory.mktemp("killed") / "var", database_url)
        site.manage("migrate", "--noinput", "-v0")
        yield site
    finally:
        if database_url:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _setup(site, imap_server) -> str:
    """A mailbox of its own (a fresh IMAP login) for the test, the earlier ones switched off."""
    user = imap_server.new_user()
    site.manage(
        "shell",
        "-c",
        SETUP % {"port": imap_server.port, "login": user, "password": imap_server.password},
    )
    return user


def test_killed_between_fetch_and_commit(site, imap_server):
    user = _setup(site, imap_server)
    uid = imap_server.append(
        user, make_email(sender=f"{user}@alpha.example", subject="Printer is broken")
    )

    # Killed after the fetch, before anything was stored: nothing here, still unseen there.
    worker = site.poll_until_paused("after_fetch")
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    assert site.report(user) == {"messages": [], "tickets": []}
    assert SEEN not in imap_server.flags(user)[uid]

    # Restarted: filed once, then marked seen.
    assert "fetched=1 new=1 processed=1" in site.manage("poll_mail")
    assert site.report(user) == {
        "messages": [["processed", str(uid)]],
        "tickets": ["Printer is broken"],
    }
    assert SEEN in imap_server.flags(user)[uid]


def test_killed_after_the_commit_before_the_server_was_told(site, imap_server):
    user = _setup(site, imap_server)
    uid = imap_server.append(
        user, make_email(sender=f"{user}@alpha.example", subject="Printer is broken")
    )

    # Killed after the ticket committed: the server was not told, so it is still unseen there.
    worker = site.poll_until_paused("after_commit")
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    filed = {"messages": [["processed", str(uid)]], "tickets": ["Printer is broken"]}
    assert site.report(user) == filed
    assert SEEN not in imap_server.flags(user)[uid]

    # Restarted: fetched again, recognised, nothing filed twice; now marked seen.
    assert "fetched=1 new=0 processed=1" in site.manage("poll_mail")
    assert site.report(user) == filed
    assert SEEN in imap_server.flags(user)[uid]
