"""Load-test Servicedesk the way real traffic arrives: every page made afresh (bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/run.py [--app-dir /work/wt/before] [--only queue] [--duration 3]

Needs a database filled by `manage.py bench_data` (DJANGO_SETTINGS_MODULE=bench.settings).
Serves the code in --app-dir (default: this tree) with bench.settings from this tree: gunicorn
(sync workers, DEBUG off, a random SECRET_KEY, static files collected into a temporary VAR_DIR
and served by WhiteNoise). Signs in CUSTOMERS customers of as many companies and the STAFF staff
accounts through the login form, builds for each row a list of (user, request) pairs, and runs
wrk with a Lua script that rotates over the list, so that consecutive requests come from
different people for different pages. Each row's queries per request are read from the
X-Bench-Queries header (bench/middleware.py) on a sample of its requests. Prints a markdown
table; raw wrk output goes to var/bench-wrk.log.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html.parser
import http.cookiejar
import math
import os
import random
import re
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
QUERY_HEADER = "X-Bench-Queries"
SEARCH_WORDS = (
    "насос", "котёл", "компрессор", "кондиционер", "принтер", "сервер", "чиллер", "давление",
    "шум", "pump", "boiler", "printer", "server", "leak", "filter",
)  # fmt: skip
# The knowledge base (articles from `bench/kb_search.py`'s fill): what customers type into its
# search box, and a new ticket's subject and description for the suggestions beside the form.
KB_QUERIES = (
    "принтер не печатает", "замена картриджа", "касса не проходит оплата", "кондиционер течёт",
    "котёл", "vpn", "ноутбук не подключается к wi-fi", "сервер перегревается", "пропуск",
    "турникет не открывает", "камера зависает", "printer", "router keeps rebooting",
    "ИБП пищит", "монитор", "сканер штрихкодов", "почта", "обновление 1С", "принтр",
    "маршрутизатор",
)  # fmt: skip
KB_SUBJECTS = (
    ("Принтер не печатает", "После замены картриджа печать не идёт, горит индикатор ошибки."),
    ("Касса не принимает карты", "Терминал выдаёт ошибку при оплате, перезагрузка не помогла."),
    ("Кондиционер течёт", "С внутреннего блока капает вода на пол в серверной."),
    ("Не работает VPN", "Клиент не подключается к сети из дома, пишет ошибку авторизации."),
    ("Турникет не открывается", "Пропуск не считывается на входе, индикатор мигает красным."),
)
PORTAL_VIEWS = ("company", "mine", "recent")
QUEUE_VIEWS = ("all", "new", "overdue", "due_soon", "waiting", "mine")
STATUSES = ("open", "finished", "new", "assigned", "in_progress", "waiting", "resolved", "closed")
PAGE_SIZE = 25  # the lists' default page size
SIZES = ("", "", "", "50", "100")  # mostly the default
PORTAL_SORTS = ("number", "subject", "status", "created", "due")
QUEUE_SORTS = (
    "number",
    "company",
    "subject",
    "status",
    "created",
    "due",
    "assignee",
    "criticality",
)


@dataclass
class Req:
    """One request of a row: who (an index into the signed-in clients) asks for what."""

    user: int
    path: str
    body: str = ""  # a POST's urlencoded form; empty for a GET
    natural: str = ""  # the address without the `_r` that makes each entry unique


@dataclass
class Row:
    name: str
    kind: str  # what the row measures, for the README's legend
    requests: list[Req]
    expect: int = 200
    post: bool = False


@dataclass
class Result:
    name: str
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    requests: int = 0
    distinct: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    queries: dict[int, int] = field(default_factory=dict)  # queries a request → samples
    reference: float = 0.0  # the floor's req/s around this row
    cpu_ms: float = 0.0  # the app's (gunicorn's) CPU a request
    reference_cpu_ms: float = 0.0  # the floor's, around this row
    note: str = ""


# --- Serving ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_path(tmp: Path) -> Path:
    """A directory holding only this tree's `bench` package: first on the path, it brings the
    bench app to whatever tree is served (that tree's own bench/ then never shadows it)."""
    link_dir = tmp / "benchpath"
    link_dir.mkdir()
    (link_dir / "bench").symlink_to(ROOT / "bench")
    return link_dir


def server_env(var_dir: Path, link_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=str(link_dir),
        DEBUG="false",
        SECRET_KEY=os.urandom(32).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),  # static files, media, the queue's file: all temporary
        # Plain HTTP on the loopback: no redirect to HTTPS, cookies without Secure.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def start_server(
    env: dict[str, str], app_dir: Path, port: int, workers: int
) -> subprocess.Popen[bytes]:
    manage = [str(PY), "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=app_dir, env=env, check=True)  # noqa: S603
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=app_dir, env=env, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [
            str(GUNICORN),
            "config.wsgi",
            f"--workers={workers}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=app_dir,
        env=env,
        start_new_session=True,
    )
    for _ in range(150):
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
    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.email = email
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(
        self, path: str, data: dict[str, str] | str | None = None
    ) -> tuple[int, str, dict[str, str]]:
        body = None
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data).encode()
        elif isinstance(data, str):
            body = data.encode()
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        if body is not None:
            req.add_header("Origin", self.base)
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=60) as response:
                text = response.read().decode("utf-8", "replace")
                return response.status, text, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.jar if c.name == name), "")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def login(self) -> Client:
        _status, page, _headers = self.request("/accounts/login/")
        status, _page, _headers = self.request(
            "/accounts/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
        )
        if status != 302 or not self.cookie("sessionid"):
            raise SystemExit(f"Could not sign in {self.email} (HTTP {status}).")
        return self


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
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if tag == "select" and self._select:
            if not self.fields.get(self._select) and self._first_option:
                self.fields[self._select] = self._first_option
            self._select = None


# --- The rotation list and wrk ------------------------------------------------------------------


def rotation_lines(requests: list[Req], cookies: list[str]) -> list[str]:
    """The lines wrk's script reads: method, cookie, path, body, tab-separated."""
    lines = []
    for req in requests:
        parts = ("POST" if req.body else "GET", cookies[req.user], req.path, req.body)
        if any("\t" in p or "\n" in p for p in parts):
            raise ValueError(f"A tab or newline in a request: {req!r}")
        lines.append("\t".join(parts))
    return lines


LUA = """
local file = %(file)s
local base = %(base)s
local step = %(threads)d
local threads = {}
local count = 0
setup = function(thread)
  thread:set("offset", count)
  count = count + 1
  table.insert(threads, thread)
end
local items = {}
local i = 0
statuses = {}
init = function(args)
  for line in io.lines(file) do
    local method, cookie, path, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    table.insert(items, {method, cookie, path, body})
  end
  i = offset
end
request = function()
  local item = items[(i %% #items) + 1]
  i = i + step
  local headers = {Cookie = item[2]}
  local body = nil
  if item[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Origin"] = base
    headers["Referer"] = base .. item[3]
    body = item[4]
  end
  return wrk.format(item[1], item[3], headers, body)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do
      io.write(string.format("STATUS %%d %%d\\n", status, n))
    end
  end
  io.write(string.format("LATENCY %%d %%d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_script(tmp: Path, name: str, lines: list[str], base: str, threads: int) -> Path:
    data = tmp / f"{name}.tsv"
    data.write_text("\n".join(lines) + "\n")
    script = tmp / f"{name}.lua"
    script.write_text(
        LUA % {"file": lua_string(str(data)), "base": lua_string(base), "threads": threads}
    )
    return script


def group_cpu_seconds(pgrp: int) -> float:
    """CPU time (user + system, with ended children's) of the processes in a process group:
    gunicorn's master and workers. Unlike requests/s, it hardly moves with what else the
    machine runs; from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgrp:  # field 5 of stat: the process group
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


SERVER_PGRP = 0  # set once gunicorn runs (its own session: the group is its pid)


def run_wrk(name: str, base: str, script: Path, args: argparse.Namespace, duration: int) -> Result:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout=10s",
        "-s",
        str(script),
        base + "/",
    ]
    cpu_before = group_cpu_seconds(SERVER_PGRP) if SERVER_PGRP else 0.0
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    cpu_used = group_cpu_seconds(SERVER_PGRP) - cpu_before if SERVER_PGRP else 0.0
    log = ROOT / "var" / "bench-wrk.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("a") as out:
        out.write(f"\n## {time.strftime('%Y-%m-%d %H:%M:%S')} {name}\n{output}")
    result = Result(name)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        result.requests = int(m.group(1))
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result.errors += sum(int(g) for g in m.groups())
    for status, n in re.findall(r"^STATUS (\d+) (\d+)$", output, re.MULTILINE):
        result.statuses[int(status)] = result.statuses.get(int(status), 0) + int(n)
    if result.requests:
        result.cpu_ms = cpu_used * 1000 / result.requests
    if m := re.search(r"^LATENCY (\d+) (\d+)$", output, re.MULTILINE):
        result.p50, result.p99 = int(m.group(1)) / 1000, int(m.group(2)) / 1000  # µs → ms
    return result


# --- What is asked for --------------------------------------------------------------------------


@dataclass
class People:
    customers: list[str]  # emails; index i is client i
    staff: list[str]  # emails; client len(customers) + j
    company_of: list[int]  # the customer's company
    tickets: dict[int, list[str]]  # company → ticket numbers of it (a sample)
    company_total: dict[int, int]  # company → its tickets
    sites: dict[int, list[int]]
    equipment: dict[int, list[int]]
    all_tickets: list[str]  # a sample of every company's, for staff
    types: list[int]
    criticalities: list[int]
    work_types: list[int]
    engineers: list[int]  # staff user ids, for the assignee filter


def choose_people(n_customers: int, n_staff: int, rng: random.Random) -> People:
    """CUSTOMERS customers of as many companies (the five big ones first, then a random draw
    from the rest, so small companies come in too), and the bench's staff accounts."""
    from django.db.models import Count

    from servicedesk.accounts.models import Membership, Role, User
    from servicedesk.customers.models import Criticality, Equipment, Site, TicketType, WorkType
    from servicedesk.tickets.models import Ticket

    by_company: dict[int, list[str]] = {}
    for company, email in (
        Membership.objects.filter(user__email__startswith="bench-customer-", user__is_active=True)
        .order_by("company_id", "user_id")
        .values_list("company_id", "user__email")
    ):
        by_company.setdefault(company, []).append(email)
    companies = sorted(by_company)
    if len(companies) < n_customers:
        raise SystemExit(f"Only {len(companies)} companies have customers; need {n_customers}.")
    chosen = companies[:5] + rng.sample(companies[5:], n_customers - 5)
    totals = dict(
        Ticket.objects.filter(company_id__in=chosen)
        .values("company_id")
        .annotate(n=Count("pk"))
        .values_list("company_id", "n")
    )
    tickets: dict[int, list[str]] = {}
    for company in chosen:
        # A spread sample: every k-th of the company's tickets by id (new and old ones).
        ids = list(
            Ticket.objects.filter(company_id=company).order_by("pk").values_list("pk", flat=True)
        )
        step = max(1, len(ids) // 40)
        picked = ids[::step][:40]
        tickets[company] = list(
            Ticket.objects.filter(pk__in=picked).values_list("number", flat=True)
        )
    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample_ids = rng.sample(range(1, top + 1), min(top, 4000))
    all_tickets = list(Ticket.objects.filter(pk__in=sample_ids).values_list("number", flat=True))
    sites: dict[int, list[int]] = {c: [] for c in chosen}
    for pk, company in Site.objects.filter(company_id__in=chosen).values_list("pk", "company_id"):
        sites[company].append(pk)
    equipment: dict[int, list[int]] = {c: [] for c in chosen}
    for pk, company in Equipment.objects.filter(company_id__in=chosen).values_list(
        "pk", "company_id"
    ):
        equipment[company].append(pk)
    staff = list(
        User.objects.filter(email__startswith="bench-staff-", is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)[:n_staff]
    )
    if len(staff) < n_staff:
        raise SystemExit(f"Only {len(staff)} bench-staff-N accounts; run the new bench_data.")
    return People(
        customers=[rng.choice(by_company[c]) for c in chosen],
        staff=staff,
        company_of=chosen,
        tickets=tickets,
        company_total={c: totals.get(c, 0) for c in chosen},
        sites=sites,
        equipment=equipment,
        all_tickets=all_tickets,
        types=list(TicketType.objects.filter(is_active=True).values_list("pk", flat=True)),
        criticalities=list(Criticality.objects.filter(is_active=True).values_list("pk", flat=True)),
        work_types=list(WorkType.objects.filter(is_active=True).values_list("pk", flat=True)),
        engineers=list(
            User.objects.filter(email__startswith="bench-staff-", role=Role.ENGINEER).values_list(
                "pk", flat=True
            )
        ),
    )


def qs(**params: Any) -> str:
    return urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})


def build_rows(p: People, rng: random.Random, size: int, max_page: int) -> list[Row]:
    """Each row's list of requests, SIZE long (shuffled: consecutive requests come from
    different people), every (person, address) pair distinct as far as the data allows."""
    customers = range(len(p.customers))
    staff = range(len(p.customers), len(p.customers) + len(p.staff))
    everyone = [*customers, *staff]

    def pages(company: int) -> int:
        return max(1, min(max_page, math.ceil(p.company_total[company] / PAGE_SIZE)))

    def distinct(make: Any) -> list[Req]:
        """SIZE draws; each GET gets a parameter no page reads (`_r`), different for each
        entry, so that no request of the list is the same address for the same person as
        another (a whole-page cache, where there is one, never answers from what the row
        itself asked before). `natural` keeps the address without it."""
        out = []
        for n in range(size):
            req = make()
            if not req.body:
                joiner = "&" if "?" in req.path else "?"
                req = Req(req.user, f"{req.path}{joiner}_r={n}", natural=req.path)
            out.append(req)
        return out

    def portal_list(first_page: bool) -> Req:
        u = rng.choice(customers)
        company = p.company_of[u]
        view = rng.choice(PORTAL_VIEWS)
        last = pages(company)
        page = 1 if first_page or last < 2 else rng.randint(2, last)
        sort = rng.choice(("", "", *PORTAL_SORTS, *(f"-{k}" for k in PORTAL_SORTS)))
        params = qs(view=view, sort=sort, size=rng.choice(SIZES), page=page if page > 1 else None)
        return Req(u, f"/portal/?{params}")

    def portal_filtered() -> Req:
        u = rng.choice(customers)
        company = p.company_of[u]
        filters: dict[str, Any] = {}
        for name, values in (
            ("status", STATUSES),
            ("type", p.types),
            ("criticality", p.criticalities),
            ("site", p.sites[company]),
            ("equipment", p.equipment[company]),
            ("work_type", p.work_types),
        ):
            if values and rng.random() < 0.35:
                filters[name] = rng.choice(values)
        if not filters:
            filters["status"] = rng.choice(STATUSES)
        return Req(u, f"/portal/?{qs(view='company', **filters, page=rng.choice((None, 2)))}")

    def portal_search() -> Req:
        u = rng.choice(customers)
        extra = {"status": rng.choice(STATUSES)} if rng.random() < 0.3 else {}
        return Req(u, f"/portal/?{qs(view='company', q=rng.choice(SEARCH_WORDS), **extra)}")

    def portal_detail() -> Req:
        u = rng.choice(customers)
        numbers = p.tickets[p.company_of[u]]
        return Req(u, f"/portal/tickets/{urllib.parse.quote(rng.choice(numbers))}/")

    def kb_search() -> Req:
        return Req(rng.choice(customers), f"/portal/kb/?{qs(q=rng.choice(KB_QUERIES))}")

    def kb_suggest() -> Req:
        subject, description = rng.choice(KB_SUBJECTS)
        # As typed: the subject whole, the description cut where the customer is at
        typed = description[: rng.randint(0, len(description))]
        params = qs(subject=subject, description=typed)
        return Req(rng.choice(customers), f"/portal/tickets/new/suggest/?{params}")

    def portal_inbox() -> Req:
        u = rng.choice(customers)
        return Req(u, "/portal/messages/" + rng.choice(("", "", "?filter=unread")))

    def queue(first_page: bool) -> Req:
        u = rng.choice(staff)
        page = 1 if first_page else rng.randint(2, max_page)
        sort = rng.choice(("", "", *QUEUE_SORTS, *(f"-{k}" for k in QUEUE_SORTS)))
        view = rng.choice(QUEUE_VIEWS)
        params = qs(view=view, sort=sort, size=rng.choice(SIZES), page=page if page > 1 else None)
        return Req(u, f"/backoffice/tickets/?{params}")

    def queue_filtered() -> Req:
        u = rng.choice(staff)
        filters: dict[str, Any] = {}
        for name, values in (
            ("status", STATUSES),
            ("type", p.types),
            ("criticality", p.criticalities),
            ("company", p.company_of),
            ("assignee", p.engineers),
        ):
            if rng.random() < 0.35:
                filters[name] = rng.choice(values)
        if not filters:
            filters["company"] = rng.choice(p.company_of)
        view = rng.choice(QUEUE_VIEWS)
        return Req(u, f"/backoffice/tickets/?{qs(view=view, **filters)}")

    def queue_search() -> Req:
        u = rng.choice(staff)
        extra: dict[str, Any] = {}
        if rng.random() < 0.5:
            extra["company"] = rng.choice(p.company_of)
        if rng.random() < 0.3:
            extra["status"] = rng.choice(STATUSES)
        return Req(u, f"/backoffice/tickets/?{qs(view='all', q=rng.choice(SEARCH_WORDS), **extra)}")

    def staff_detail() -> Req:
        u = rng.choice(staff)
        return Req(u, f"/backoffice/tickets/{urllib.parse.quote(rng.choice(p.all_tickets))}/")

    def staff_inbox() -> Req:
        u = rng.choice(staff)
        return Req(u, "/backoffice/messages/" + rng.choice(("", "", "?filter=unread")))

    def floor() -> Req:
        return Req(rng.choice(everyone), "/bench/floor/")

    return [
        Row("floor: bare view, logged in (GET)", "floor", distinct(floor)),
        Row(
            "portal: ticket list, page 1 (company / mine / recent)",
            "list",
            distinct(lambda: portal_list(True)),
        ),
        Row("portal: ticket list, pages 2..N", "list", distinct(lambda: portal_list(False))),
        Row(
            "portal: filtered list (status, type, criticality, site…)",
            "list",
            distinct(portal_filtered),
        ),
        Row("portal: searched list (± status)", "list", distinct(portal_search)),
        Row("portal: ticket page", "detail", distinct(portal_detail)),
        Row("portal: Messages inbox (all / unread)", "inbox", distinct(portal_inbox)),
        Row("portal: knowledge base search", "kb", distinct(kb_search)),
        Row("portal: article suggestions while typing a ticket", "kb", distinct(kb_suggest)),
        Row("back office: queue, page 1 (6 views)", "queue", distinct(lambda: queue(True))),
        Row("back office: queue, pages 2..N", "queue", distinct(lambda: queue(False))),
        Row("back office: filtered queue", "queue", distinct(queue_filtered)),
        Row("back office: searched queue (± company, status)", "queue", distinct(queue_search)),
        Row("back office: ticket page", "detail", distinct(staff_detail)),
        Row("back office: Messages inbox (all / unread)", "inbox", distinct(staff_inbox)),
    ]


# --- The run ------------------------------------------------------------------------------------


def db_counts() -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count

    from servicedesk.tickets.models import Ticket, TicketSequence

    time.sleep(2)  # requests wrk left in flight finish meanwhile
    connection.close()  # a fresh snapshot
    totals = Ticket.objects.aggregate(
        tickets=Count("pk"), distinct_numbers=Count("number", distinct=True)
    )
    return {
        "tickets": totals["tickets"],
        "floor_rows": TicketSequence.objects.filter(key__startswith="bench-floor-").count(),
        "distinct_numbers": totals["distinct_numbers"],
    }


def sample_queries(row: Row, clients: list[Client], count: int) -> tuple[dict[int, int], str]:
    """Queries per request from the header, on COUNT requests of the row spread over its list
    (made afresh: the list holds each only once, and wrk starts elsewhere). Also what answered
    otherwise than expected."""
    step = max(1, len(row.requests) // count)
    seen: list[int] = []
    wrong: list[str] = []
    for req in row.requests[::-step][:count]:  # from the end: wrk starts at the front
        status, _page, headers = clients[req.user].request(req.path, req.body or None)
        if status != row.expect:
            wrong.append(f"{status} {req.path}")
        if QUERY_HEADER in headers:
            seen.append(int(headers[QUERY_HEADER]))
    spread: dict[int, int] = {}
    for n in seen:
        spread[n] = spread.get(n, 0) + 1
    return spread, "; ".join(wrong[:3])


def queries_cell(spread: dict[int, int]) -> str:
    """ "7" when every sample ran 7 queries; "4–11 (4×9, 5×2, 11×1)" when they differed."""
    if not spread:
        return "-"
    low, high = min(spread), max(spread)
    if low == high:
        return str(low)
    detail = ", ".join(f"{n}×{spread[n]}" for n in sorted(spread))
    return f"{low}–{high} ({detail})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the tree to serve")
    parser.add_argument("--duration", type=int, default=20, help="seconds a row")
    parser.add_argument(
        "--floor-duration", type=int, default=8, help="seconds of the floor before/after a row"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10, help="deepest list page asked for")
    parser.add_argument("--list-size", type=int, default=20_000, help="requests a row's list")
    parser.add_argument("--samples", type=int, default=12, help="query-count samples a row")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--only", default="", help="only the rows whose name holds this text")
    parser.add_argument("--smoke", action="store_true", help="3 s a row, 20+5 people")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.customers, args.staff, args.list_size = 3, 20, 5, 2000
        args.floor_duration = 2
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bin/debian-deps deps/debian-bench.txt")
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to the database bench_data filled.")
    app_dir = args.app_dir.resolve()

    tmp = Path(tempfile.mkdtemp(prefix="sd-bench-"))
    link_dir = bench_path(tmp)
    env = server_env(tmp / "var", link_dir)
    os.environ.update({k: env[k] for k in ("VAR_DIR", "SECRET_KEY", "DEBUG")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # This process reads the served tree's models: its code, with this tree's bench package.
    sys.path[:] = [str(link_dir), str(app_dir), *(p for p in sys.path[1:] if p != str(ROOT))]
    import django

    django.setup()
    from django.db import connection

    rng = random.Random(args.seed)
    load_start = os.getloadavg()
    started = time.time()
    people = choose_people(args.customers, args.staff, rng)
    rows = build_rows(people, rng, args.list_size, args.pages)
    commit = subprocess.run(  # noqa: S603
        ["git", "-C", str(app_dir), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, app_dir, port, args.workers)
    global SERVER_PGRP  # one server a run
    SERVER_PGRP = server.pid
    results: list[Result] = []
    floors: list[Result] = []
    notes: list[str] = []
    try:
        emails = [*people.customers, *people.staff]
        signing_in = time.time()
        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            clients = list(pool.map(lambda e: Client(base, e).login(), emails))
        took = time.time() - signing_in
        print(f"signed in {len(clients)} people in {took:.0f} s", flush=True)

        # The creation form per customer, as their browser would fill it in; one POST each
        # checks it is accepted (302), and the floor's POST gets each one's CSRF token.
        create_reqs: list[Req] = []
        floor_post_reqs: list[Req] = []
        want_posts = any(args.only in n for n in ("create ticket", "floor: bare POST"))
        for i in range(len(people.customers) if want_posts else 0):
            client = clients[i]
            status, page, _headers = client.request("/portal/tickets/new/")
            if status != 200:
                notes.append(f"{client.email}: the form answered {status}")
                continue
            form = FormFields()
            form.feed(page)
            subject = f"Bench {rng.choice(SEARCH_WORDS[:7])} создана {i}"
            body = form.fields | {"subject": subject, "description": "Created by bench/run.py."}
            encoded = urllib.parse.urlencode(body)
            status, _page, _headers = client.request("/portal/tickets/new/", encoded)
            if status != 302:
                notes.append(f"{client.email}: the creation form answered {status}, not 302")
                continue
            create_reqs.append(Req(i, "/portal/tickets/new/", encoded))
            token = urllib.parse.urlencode({"csrfmiddlewaretoken": client.cookie("csrftoken")})
            floor_post_reqs.append(Req(i, "/bench/floor/", token))
        cookies = [c.cookie_header() for c in clients]
        floor_get = rows.pop(0)
        floor_post = Row("floor: bare POST, one row", "floor", floor_post_reqs, post=True)
        rows.append(
            Row("portal: create ticket (the real form POST)", "create", create_reqs, 302, True)
        )
        chosen = [
            row
            for row in rows
            if (not args.only or args.only in row.name) and (want_posts or not row.post)
        ]

        def measure(row: Row, duration: int) -> Result:
            """Sample the row's query counts, run wrk over its list, check what came back."""
            if not row.requests:
                return Result(row.name, note="skipped: no requests")
            queries, wrong = sample_queries(row, clients, args.samples)
            before = db_counts() if row.post else {}  # after the samples' own rows
            lines = rotation_lines(row.requests, cookies)
            script = write_script(tmp, f"row{len(results)}", lines, base, args.threads)
            print(f"{row.name}: {len(row.requests)} requests in the list …", flush=True)
            r = run_wrk(row.name, base, script, args, duration)
            r.queries = queries
            r.distinct = len({(q.user, q.natural or q.path, q.body) for q in row.requests})
            good = r.statuses.get(row.expect, 0)
            other = {s: n for s, n in r.statuses.items() if s != row.expect}
            if other:
                r.note += f"other statuses {other}; "
            if wrong:
                r.note += f"samples: {wrong}; "
            if r.requests > len(row.requests) and not row.post:  # POSTs never repeat a page
                r.note += f"list wrapped ({r.requests} requests, {len(row.requests)} in it); "
            if row.kind == "create":
                after = db_counts()
                created = after["tickets"] - before["tickets"]
                duplicated = after["tickets"] - after["distinct_numbers"]
                ok = duplicated == 0 and 0 <= created - good <= args.connections
                r.note += (
                    f"{created} tickets for {good} answered 302, {duplicated} duplicate "
                    f"numbers: {'OK' if ok else 'MISMATCH'}"
                )
            elif row.post:
                after = db_counts()
                saved = after["floor_rows"] - before["floor_rows"]
                r.note += f"{saved} rows for {good} answered"
            return r

        # Each row between two measurements of its floor (the bare GET for pages, the bare
        # POST for creation), and its share taken against their mean: on a shared machine
        # the floor itself moves by half within minutes.
        last_floor: dict[bool, Result] = {}
        for row in chosen:
            floor = floor_post if row.post else floor_get
            if row.post not in last_floor:
                last_floor[row.post] = measure(floor, args.floor_duration)
                floors.append(last_floor[row.post])
            r = measure(row, args.duration)
            after_floor = measure(floor, args.floor_duration)
            floors.append(after_floor)
            r.reference = (last_floor[row.post].rps + after_floor.rps) / 2
            r.reference_cpu_ms = (last_floor[row.post].cpu_ms + after_floor.cpu_ms) / 2
            last_floor[row.post] = after_floor
            results.append(r)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    load_end = os.getloadavg()
    from servicedesk.tickets.models import Ticket

    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, commit {commit} "
        f"({app_dir}), {connection.vendor}, {Ticket.objects.count():,} tickets, "
        f"REDIS_URL={os.environ.get('REDIS_URL', '') or 'unset'}; gunicorn {args.workers} sync "
        f"workers; wrk -t{args.threads} -c{args.connections} -d{args.duration}s a row, "
        f"{args.floor_duration}s a floor; "
        f"{len(people.customers)} customers of as many companies + {len(people.staff)} staff; "
        f"{os.cpu_count()} cores; load average {load_start[0]:.2f} at the start, "
        f"{load_end[0]:.2f} at the end; took {(time.time() - started) / 60:.1f} min.\n"
    )
    for kind in ("bare view, logged in (GET)", "bare POST, one row"):
        runs = [f for f in floors if kind in f.name and f.rps]
        if runs:
            rates = sorted(f.rps for f in runs)
            q = queries_cell(runs[0].queries)
            print(
                f"Floor, {kind}: {len(runs)} runs of {args.floor_duration} s, "
                f"{rates[0]:.0f}–{rates[-1]:.0f} req/s (median {rates[len(rates) // 2]:.0f}), "
                f"p50 {runs[0].p50:.1f}–{max(f.p50 for f in runs):.1f} ms, {q} queries.\n"
            )
    print(
        "Share of the floor: each row against the mean of the floor measured just before and "
        "just after it (pages: the bare GET; creation: the bare POST). App CPU: gunicorn's "
        "(master and workers) CPU time during the row over its requests; the floor's beside "
        "it. It moves much less than req/s with the machine's other load.\n"
    )
    print(
        "| row | req/s | floor req/s | share of floor | p50 ms | p99 ms | app CPU ms/req "
        "(floor) | queries/request | distinct (person, page) | note |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        share = f"{100 * r.rps / r.reference:.0f}%" if r.reference and r.rps else "-"
        print(
            f"| {r.name} | {r.rps:.0f} | {r.reference:.0f} | {share} | {r.p50:.1f} "
            f"| {r.p99:.1f} | {r.cpu_ms:.1f} ({r.reference_cpu_ms:.1f}) "
            f"| {queries_cell(r.queries)} | {r.distinct} "
            f"| {r.note.rstrip('; ')} |"
        )
    for note in notes[:10]:
        print(f"\n{note}")
    if len(notes) > 10:
        print(f"\n… and {len(notes) - 10} more such notes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
