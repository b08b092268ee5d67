"""Load-test Servicedesk as production serves it (see bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench .venv/bin/python bench/run.py

Needs a database filled by `manage.py bench_data`. Starts gunicorn (4 sync workers, DEBUG off, a
random SECRET_KEY, static files collected into a temporary directory and served by WhiteNoise),
signs in the big customer and a staff user through the login form, runs wrk against each
endpoint, prints a markdown table, and checks the rows the creation runs made.
"""

import argparse
import html.parser
import http.cookiejar
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PASSWORD = "bench-password"  # noqa: S105 (see bench_data)
BIG = "bench-big@example.test"
STAFF = "bench-staff@example.test"


@dataclass
class Result:
    name: str
    rps: float = 0.0
    p50: str = "-"
    p90: str = "-"
    p99: str = "-"
    requests: int = 0
    errors: int = 0
    note: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # CPU ms per request, by process kind


# --- Serving ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=os.urandom(32).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),  # static files, media, the queue's file: all temporary
        BENCH_FLOOR="true",
        # Plain HTTP on the loopback: no redirect to HTTPS, cookies without Secure.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    subprocess.run(  # noqa: S603
        [str(PY), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(  # noqa: S603
        [str(PY), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(GUNICORN),
            "config.wsgi",
            f"--workers={workers}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except OSError:  # refused, reset, timed out: not up yet
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not answer /healthz")


# --- A browser-ish client -----------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.jar if c.name == name), "")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def login(self, email: str) -> None:
        status, page = self.request("/accounts/login/")
        token = csrf_token(page)
        status, _page = self.request(
            "/accounts/login/",
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if status != 302 or not self.cookie("sessionid"):
            raise SystemExit(f"Could not sign in {email} (HTTP {status}).")


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise SystemExit("No CSRF token in the page.")
    return match.group(1)


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the ticket form (no files)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action", "")
            self._in_form = a.get("method", "").lower() == "post" and (
                not action or "tickets/new" in action
            )
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type", "text") not in {"file", "submit", "button"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = value
            elif value and self._first_option is None:
                self._first_option = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if tag == "select" and self._select:
            if not self.fields.get(self._select) and self._first_option:
                self.fields[self._select] = self._first_option
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# --- wrk ----------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


# Which processes the machine's CPU went to during a run, per request (ms): the app's workers,
# PostgreSQL, Redis, the load generator, everything else. Read from /proc (Linux): each
# process's own time and its ended children's (a PostgreSQL backend that closed its connection
# counts in the postmaster's); wrk, this script's child, from this script's children's usage.
CPU_KINDS = {"gunicorn": "app", "python": "app", "postgres": "postgres", "redis-server": "redis"}


def cpu_by_kind() -> dict[str, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        if stat.parent.name == me:
            continue
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        kind = CPU_KINDS.get(comm.split(":")[0].strip(), "other")
        used = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        totals[kind] = totals.get(kind, 0.0) + used / ticks
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals["wrk"] = children.ru_utime + children.ru_stime
    return totals


def run_wrk(
    name: str, url: str, cookie: str, args: argparse.Namespace, script: Path | None = None
) -> Result:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "--timeout=10s",
        "-H",
        f"Cookie: {cookie}",
    ]
    if script is not None:
        command += ["-s", str(script)]
    cpu_before = cpu_by_kind()
    output = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    cpu_after = cpu_by_kind()
    with (ROOT / "var" / "bench-wrk.log").open("a") as log:
        log.write(f"\n## {name}: {url}\n{output}")
    result = Result(name)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        result.requests = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.errors += int(m.group(1))
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result.errors += sum(int(g) for g in m.groups())
    for pct, attr in (("50", "p50"), ("90", "p90"), ("99", "p99")):
        if m := re.search(rf"^\s+{pct}%\s+([\d.]+(?:us|ms|s))\s*$", output, re.MULTILINE):
            setattr(result, attr, f"{to_ms(m.group(1)):.1f}")
    if result.requests:
        result.cpu = {
            kind: (cpu_after.get(kind, 0.0) - cpu_before.get(kind, 0.0)) * 1000 / result.requests
            for kind in ("app", "postgres", "redis", "wrk", "other")
        }
    return result


POST_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = {origin}
wrk.headers["Referer"] = {referer}
"""


# Every request a new address (an unknown parameter the pages ignore): never from the page
# cache, so the row shows what making the page costs (core/pagecache.py).
COLD_SCRIPT = """
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, {path} .. math.random(1, 1000000000) .. "-" .. n)
end
"""


def cold_script(tmp: Path, name: str, path: str) -> Path:
    script = tmp / f"{name}.lua"
    separator = "&" if "?" in path else "?"
    script.write_text(COLD_SCRIPT.format(path=lua_string(f"{path}{separator}_cold=")))
    return script


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def post_script(tmp: Path, name: str, body: dict[str, str], base: str, path: str) -> Path:
    script = tmp / f"{name}.lua"
    script.write_text(
        POST_SCRIPT.format(
            body=lua_string(urllib.parse.urlencode(body)),
            origin=lua_string(base),
            referer=lua_string(base + path),
        )
    )
    return script


# --- The run ------------------------------------------------------------------------------------


def db_counts() -> dict[str, int]:
    from django.db.models import Count

    from servicedesk.tickets.models import Ticket, TicketSequence

    # Requests wrk left in flight finish within a moment; then count in one snapshot.
    time.sleep(1)
    totals = Ticket.objects.aggregate(
        tickets=Count("pk"), distinct_numbers=Count("number", distinct=True)
    )
    return {
        "tickets": totals["tickets"],
        "last_number": TicketSequence.objects.filter(key="########")
        .values_list("last_value", flat=True)
        .first()
        or 0,
        "floor_rows": TicketSequence.objects.filter(key__startswith="bench-floor-").count(),
        "distinct_numbers": totals["distinct_numbers"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--search", default="насос")
    parser.add_argument(
        "--only", default="", help="run only the endpoints whose name contains this text"
    )
    parser.add_argument(
        "--no-cold",
        dest="cold",
        action="store_false",
        help="skip the rows that measure the cached pages with every request a cache miss",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bin/debian-deps deps/debian-bench.txt")
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to the database bench_data filled.")

    tmp = Path(tempfile.mkdtemp(prefix="sd-bench-"))
    env = server_env(tmp)
    os.environ.update({k: env[k] for k in ("VAR_DIR", "SECRET_KEY", "DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from servicedesk.accounts.models import User
    from servicedesk.conversations.models import Message
    from servicedesk.tickets.management.commands.bench_data import DETAIL_SUBJECT
    from servicedesk.tickets.models import Ticket

    big = User.objects.get(email=BIG)
    company_id = big.memberships.values_list("company_id", flat=True).get()
    # The ticket bench_data gave 20 messages (else the company's newest).
    sample = (
        Ticket.objects.filter(company_id=company_id, subject=DETAIL_SUBJECT).first()
        or Ticket.objects.filter(company_id=company_id).order_by("-created_at").first()
    )
    if sample is None:
        raise SystemExit("No tickets: run manage.py bench_data first.")
    total = Ticket.objects.count()
    last_id = (
        Message.objects.filter(ticket=sample, is_internal=False)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )
    company_total = Ticket.objects.filter(company_id=company_id).count()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, args.workers)
    results: list[Result] = []
    notes: list[str] = []
    try:
        customer, staff = Client(base), Client(base)
        customer.login(BIG)
        staff.login(STAFF)
        q = urllib.parse.quote(args.search)
        gets = [
            ("floor: bare view, logged in", "/bench/floor/", customer),
            # view= given: a bare /portal/ redirects to the list the user looked at last.
            ("customer: ticket list (default view)", "/portal/?view=company", customer),
            (
                f"customer: list filtered + searched «{args.search}»",
                f"/portal/?view=company&status=in_progress&q={q}",
                customer,
            ),
            ("customer: ticket detail", f"/portal/tickets/{sample.number}/", customer),
            ("staff: queue (default view)", "/backoffice/tickets/?view=all", staff),
            ("staff: queue, overdue", "/backoffice/tickets/?view=overdue", staff),
            (
                f"staff: queue filtered + searched «{args.search}»",
                f"/backoffice/tickets/?view=all&status=open&company={company_id}&q={q}",
                staff,
            ),
            ("staff: ticket page", f"/backoffice/tickets/{sample.number}/", staff),
            # Issue 6: the inbox over 5,000 conversations (bench_data's INBOX_CONVERSATIONS),
            # the staff account's over every ticket with messages, and what an idle open page
            # asks for: the pulse (badge + bell, every PULSE_SECONDS) and the chat poll with
            # nothing new (every POLL_SECONDS; 204 from the cache).
            ("customer: Messages inbox", "/portal/messages/", customer),
            ("customer: Messages inbox, unread", "/portal/messages/?filter=unread", customer),
            ("staff: Messages inbox", "/backoffice/messages/", staff),
            ("customer: pulse (badge + bell), idle", "/portal/pulse/?bell=1", customer),
            (
                "customer: chat poll, nothing new (204)",
                f"/portal/tickets/{sample.number}/messages/poll/?after={last_id}&read={last_id}",
                customer,
            ),
        ]
        # The pages kept whole in the cache, measured again with every request a miss.
        cold = {path for _name, path, _client in gets[1:9]} | {"/portal/messages/"}
        for name, path, client in gets:
            if args.only not in name and "floor" not in name:
                continue
            status, _page = client.request(path)
            if status not in (200, 204):
                results.append(Result(name, note=f"skipped: HTTP {status}"))
                continue
            results.append(run_wrk(name, base + path, client.cookie_header(), args))
            if args.cold and path in cold:
                script = cold_script(tmp, f"cold-{len(results)}", path)
                cookie = client.cookie_header()
                results.append(run_wrk(f"{name}, not cached", base + path, cookie, args, script))

        # POSTs: the floor's one-row form, then the real creation form (with --only, when the
        # creation's name matches; the floor's POST is measured with it).
        create_name = "customer: create ticket (form POST)"
        posts = args.only in create_name
        status, page = customer.request("/bench/floor/")
        token = customer.cookie("csrftoken")
        if not token:
            # The floor page has no form; a login-page visit sets the cookie for the session.
            customer.request("/accounts/login/")
            token = customer.cookie("csrftoken")
        before = db_counts()
        floor_body = {"csrfmiddlewaretoken": token}
        status, _page = customer.request("/bench/floor/", floor_body)
        if not posts:
            pass
        elif status == 200:
            script = post_script(tmp, "floor", floor_body, base, "/bench/floor/")
            url = base + "/bench/floor/"
            r = run_wrk(
                "floor: bare form POST, one row", url, customer.cookie_header(), args, script
            )
            after = db_counts()
            saved = after["floor_rows"] - before["floor_rows"] - 1
            r.note = f"rows saved {saved} for {r.requests} answered"
            results.append(r)
        else:
            results.append(Result("floor: bare form POST", note=f"skipped: HTTP {status}"))

        status, page = customer.request("/portal/tickets/new/")
        if not posts:
            pass
        elif status != 200:
            results.append(
                Result("customer: create ticket (form POST)", note=f"skipped: HTTP {status}")
            )
            notes.append("/portal/tickets/new/ did not answer 200: creation not measured.")
        else:
            fields_parser = FormFields()
            fields_parser.feed(page)
            body = fields_parser.fields | {
                # Not the searched word: the rows stay, and must not swell the searched lists.
                "subject": "Bench: created by the benchmark",
                "description": "Created by bench/run.py.",
            }
            before = db_counts()
            status, _page = customer.request("/portal/tickets/new/", body)
            if status != 302:
                skipped = f"skipped: the form answered HTTP {status}, not 302"
                results.append(Result("customer: create ticket (form POST)", note=skipped))
                notes.append(f"Creation form fields sent: {sorted(body)}")
            else:
                script = post_script(tmp, "create", body, base, "/portal/tickets/new/")
                url = base + "/portal/tickets/new/"
                r = run_wrk(
                    "customer: create ticket (form POST)",
                    url,
                    customer.cookie_header(),
                    args,
                    script,
                )
                after = db_counts()
                created = after["tickets"] - before["tickets"] - 1
                numbers = after["last_number"] - before["last_number"] - 1
                duplicated = after["tickets"] - after["distinct_numbers"]
                answered = r.requests - r.errors
                ok = (
                    duplicated == 0
                    and numbers == created
                    and 0 <= created - answered <= args.connections
                )
                r.note = (
                    f"{created} rows for {answered} answered, {numbers} numbers used, "
                    f"{duplicated} duplicates: {'OK' if ok else 'MISMATCH'}"
                )
                results.append(r)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    from django.db import connection

    print(
        f"\n{time.strftime('%Y-%m-%d')}, {connection.vendor}, {total} tickets "
        f"(the big customer's company: {company_total}), gunicorn {args.workers} sync workers, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {os.cpu_count()} cores\n"
    )
    print("| endpoint | req/s | p50 ms | p90 ms | p99 ms | requests | errors | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r.name} | {r.rps:.0f} | {r.p50} | {r.p90} | {r.p99} | {r.requests} "
            f"| {r.errors} | {r.note} |"
        )
    print(
        "\nWhere the CPU went, ms per request (app: the gunicorn workers; other: the kernel's "
        "own threads and the rest of the machine):\n"
    )
    print("| endpoint | app | postgres | redis | wrk | other | total |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r.cpu:
            cells = " | ".join(
                f"{r.cpu[k]:.2f}" for k in ("app", "postgres", "redis", "wrk", "other")
            )
            print(f"| {r.name} | {cells} | {sum(r.cpu.values()):.2f} |")
    for note in notes:
        print(f"\n{note}")
    idle = {r.name: r for r in results if r.rps}
    pulse = next((r for name, r in idle.items() if name.startswith("customer: pulse")), None)
    poll = next((r for name, r in idle.items() if name.startswith("customer: chat poll")), None)
    if pulse and poll:
        from servicedesk.conversations.chat import POLL_SECONDS, PULSE_SECONDS

        per_minute = 60 / POLL_SECONDS + 60 / PULSE_SECONDS
        # Server time a minute of one idle user costs, at the measured throughput (the
        # machine's capacity divided among the requests): 1 / req/s each.
        cost_ms = (60 / POLL_SECONDS) * 1000 / poll.rps + (60 / PULSE_SECONDS) * 1000 / pulse.rps
        print(
            f"\nIdle user with a ticket open: {per_minute:.0f} requests a minute "
            f"({60 / POLL_SECONDS:.0f} chat polls, {60 / PULSE_SECONDS:.0f} pulses), "
            f"{cost_ms:.0f} ms of this machine's capacity a minute; "
            f"{60_000 / cost_ms:.0f} such users per machine at full load. "
            f"Another page open: {60 / PULSE_SECONDS:.0f} pulses a minute."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
