"""`manage.py bench_data --tickets N`: a realistic data set for the benchmark (bench/README.md).

Companies with a skewed share of tickets (a few big ones with ~5% each, a long tail), sites and
equipment per company, customer users with memberships, tickets with their timeline events,
messages, conversation participants (INSERT … SELECT). The rest goes in with bulk_create; on
PostgreSQL the tickets, events and messages with COPY instead, and the big tables without their
secondary indexes and foreign keys, built again at the end (bulk_load.py). Numbers are given out
in order and the counter (TicketSequence) is set once at the end. Fixed accounts for the load
script: bench-big@example.test (a whole-company member of the biggest company),
bench-staff@example.test (a dispatcher, the author of staff's messages) and STAFF more
(bench-staff-0..19@example.test: STAFF_DISPATCHERS dispatchers, the rest engineers, who are the
assignees of the tickets past "new"), all with the password `bench-password`, like the customers.
"""

import itertools
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from bench.bulk_load import Copy, indexes_deferred, reserve_ids
from servicedesk.accounts.models import Membership, Role, User
from servicedesk.conversations.models import Message
from servicedesk.customers.models import Company, Criticality, Equipment, Site, TicketType, WorkType
from servicedesk.tickets import numbering
from servicedesk.tickets.models import Origin, Status, Ticket, TicketEvent, TicketSequence

OLD = timedelta(days=60)
DEADLINE_HOURS = (4, 8, 24, 48, 72)
DETAIL_SUBJECT = "Bench: the ticket page measured (20 messages)"
DETAIL_MESSAGES = 20
INBOX_CONVERSATIONS = 5000  # the big customer's inbox (issue 6 measures it)
PASSWORD = "bench-password"  # noqa: S105 (a throwaway data set)
BIG_SHARE = 0.05
BIG_COMPANIES = 5
STAFF = 20  # bench/run.py logs each in: the back office measured with many users
STAFF_DISPATCHERS = 5

SUBJECTS_RU = [
    "Не работает {eq}", "Течь в {place}", "Ошибка при запуске {eq}", "Плановое обслуживание {eq}",
    "Шумит {eq}", "Замена фильтра {eq}", "Нет давления в {place}", "Сбой питания в {place}",
    "Не включается {eq}", "Требуется диагностика {eq}", "Перегрев {eq}", "Протечка в {place}",
]  # fmt: skip
SUBJECTS_EN = [
    "{eq} does not start", "Leak in the {place}", "{eq} error on start-up", "Service the {eq}",
    "{eq} is noisy", "Replace the filter of the {eq}", "No pressure in the {place}",
]  # fmt: skip
EQUIPMENT_RU = ["насос", "котёл", "компрессор", "кондиционер", "принтер", "сервер", "чиллер"]
EQUIPMENT_EN = ["pump", "boiler", "compressor", "air conditioner", "printer", "server", "chiller"]
PLACES_RU = ["котельной", "цеху", "офисе", "серверной", "складе", "лаборатории"]
PLACES_EN = ["boiler room", "workshop", "office", "server room", "warehouse", "lab"]
SENTENCES = [
    "Давление падает после включения.", "Появился посторонний шум и вибрация.",
    "Индикатор ошибки горит красным.", "Оборудование отключается через несколько минут.",
    "Просим направить инженера как можно скорее.", "Фото прилагаем.",
    "The unit shuts down after a few minutes.", "The error light is on.",
    "Please send an engineer this week.", "It started after the power cut yesterday.",
]  # fmt: skip
STATUSES = [
    (Status.CLOSED, 55), (Status.RESOLVED, 10), (Status.IN_PROGRESS, 10),
    (Status.ASSIGNED, 8), (Status.NEW, 10), (Status.WAITING, 5), (Status.CANCELLED, 2),
]  # fmt: skip
# What the generator gives of a ticket and of an event; the other columns take their defaults.
TICKET_COLUMNS = (
    "number", "subject", "description", "ticket_type_id", "criticality_id", "company_id",
    "contact_id", "created_by_id", "site_id", "equipment_id", "work_type_id", "status", "origin",
    "created_at", "updated_at", "resolved_at", "closed_at", "first_response_due_at",
    "first_responded_at", "due_at", "assignee_id",
)  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "actor_id", "kind", "field", "old_value", "new_value", "created_at")
_CONTACT, _STATUS, _CREATED = (
    TICKET_COLUMNS.index(c) for c in ("contact_id", "status", "created_at")
)
# The big tables, loaded without their secondary indexes and foreign keys (bulk_load.py). The
# participants are written from the messages by a query that reads the messages' indexes, so
# those come back first.
LOADED_TABLES = ("tickets_ticket", "tickets_ticketevent", "conversations_message")
PARTICIPANT_TABLES = ("conversations_participant",)


@contextmanager
def explicit_timestamps(*fields: Any) -> Iterator[None]:
    """Let generated rows carry their own created_at/updated_at instead of "now"."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def company_weights(count: int) -> list[float]:
    """A few companies with ~5% of all tickets each, the rest a long (Zipf-like) tail."""
    big = min(BIG_COMPANIES, max(count - 1, 0))
    tail = [1 / (rank + 1) ** 0.8 for rank in range(count - big)]
    scale = (1 - BIG_SHARE * big) / sum(tail) if tail else 0
    return [BIG_SHARE] * big + [w * scale for w in tail]


def ticket_events(ids: Sequence[int], rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The tickets' timelines as EVENT_COLUMNS tuples: CREATED by the contact, then (in the
    same order, so the events' ids follow the same pattern as ever) STATUS_CHANGED an hour
    later for each ticket that is no longer new."""
    created = [
        (pk, row[_CONTACT], TicketEvent.Kind.CREATED.value, "", "", "", row[_CREATED])
        for pk, row in zip(ids, rows, strict=True)
    ]
    changed = [
        (
            pk,
            None,
            TicketEvent.Kind.STATUS_CHANGED.value,
            "status",
            Status.NEW.value,
            row[_STATUS],
            row[_CREATED] + timedelta(hours=1),
        )
        for pk, row in zip(ids, rows, strict=True)
        if row[_STATUS] != Status.NEW
    ]
    return created + changed


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Command(BaseCommand):
    help = "Generate a benchmark data set (companies, sites, equipment, customers, tickets)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--companies", type=int, default=1000)
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=4)
        parser.add_argument(
            "--messages", type=float, default=5.0, help="messages per ticket on average"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Ticket.objects.exists() or Company.objects.filter(code="bench-0").exists():
            raise CommandError("The database already holds tickets or bench data; use a fresh one.")
        if options["companies"] < 1 or options["customers"] < options["companies"]:
            raise CommandError("Need at least one company and a customer per company.")
        self.rng = random.Random(options["seed"])
        self.batch = options["batch"]
        started = time.monotonic()
        stamp = [
            Company._meta.get_field("created_at"),
            Company._meta.get_field("updated_at"),
            Ticket._meta.get_field("created_at"),
            Ticket._meta.get_field("updated_at"),
            TicketEvent._meta.get_field("created_at"),
        ]
        with explicit_timestamps(*stamp):
            companies = self._companies(options["companies"])
            places = self._sites_and_equipment(companies)
            members = self._customers(companies, options["customers"])
        self._step("companies, sites, equipment, customers", started)
        with indexes_deferred(PARTICIPANT_TABLES):
            with indexes_deferred(LOADED_TABLES):
                with explicit_timestamps(*stamp):
                    self._tickets(options["tickets"], companies, places, members)
                self._step("tickets", started)
                self._messages(options["messages"], companies[0])
                self._step("messages", started)
            self._step("indexes and foreign keys of tickets, events, messages", started)
            self._participants(companies[0])
            self._step("conversation participants", started)
        self._step("indexes and foreign keys of participants", started)
        if connection.vendor == "postgresql":
            self._vacuum()
            self._step("vacuum and statistics", started)
        self._step(f"total ({options['tickets']} tickets)", started)

    def _vacuum(self) -> None:
        """Fresh statistics: with the planner's guesses from empty tables, a ticket's timeline
        query hash-joins every user (9 ms instead of 0.1 ms). And a vacuum, which nothing else
        may run (autovacuum can be off, as on the benchmark machine): until it marks the pages
        all-visible, every index-only scan also reads the table. VACUUM cannot run inside a
        transaction (a test's): there ANALYZE alone."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")

    def _messages(self, average: float, big: Company) -> None:
        """0..2×average messages a ticket, alternating the contact and a staff member, a few
        of staff's internal; the big company's newest ticket gets DETAIL_MESSAGES and the
        subject DETAIL_SUBJECT, for the detail page's benchmark. PostgreSQL: COPY."""
        rng = self.rng
        staff = User.objects.get(email="bench-staff@example.test").pk
        sample = Ticket.objects.filter(company=big).order_by("-created_at", "-id").first()
        if sample is not None:
            Ticket.objects.filter(pk=sample.pk).update(subject=DETAIL_SUBJECT)
        top = max(0, round(2 * average))

        def rows(chunk: list[tuple[int, int, Any]]) -> Iterator[tuple[Any, ...]]:
            for pk, contact, created in chunk:
                count = DETAIL_MESSAGES if sample and pk == sample.pk else rng.randint(0, top)
                for n in range(count):
                    customer_turn = n % 2 == 0
                    yield (
                        pk,
                        contact if customer_turn else staff,
                        " ".join(rng.choices(SENTENCES, k=rng.randint(1, 3))),
                        not customer_turn and rng.random() < 0.1,
                        created + timedelta(minutes=30 * (n + 1)),
                    )

        def chunks() -> Iterator[list[tuple[int, int, Any]]]:
            # Read a chunk, then write its messages: the connection cannot read while a COPY
            # is open on it.
            last = 0
            while True:
                chunk = list(
                    Ticket.objects.filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", "contact_id", "created_at")[:20_000]
                )
                if not chunk:
                    return
                last = chunk[-1][0]
                yield chunk

        columns = ("ticket_id", "author_id", "body", "is_internal", "created_at")
        if connection.vendor == "postgresql":
            copy = Copy(Message, columns)
            for chunk in chunks():
                copy.write(rows(chunk))
            return
        field = Message._meta.get_field("created_at")
        with explicit_timestamps(field):
            for chunk in chunks():
                Message.objects.bulk_create(
                    [Message(**dict(zip(columns, row, strict=True))) for row in rows(chunk)],
                    batch_size=self.batch,
                )

    def _participants(self, big: Company) -> None:
        """Read markers as `message_post` keeps them: the contact of every ticket with public
        messages, the staff account on every ticket with messages, and the big customer on
        the INBOX_CONVERSATIONS newest tickets of their company (colleagues' tickets they
        follow), so their inbox holds that many conversations. An open ticket whose last
        message came from the other side is unread (1) for the reader. Plain SQL, both
        databases: one INSERT … SELECT each; someone who has a row already
        (e.g. the big customer as the contact of one of the newest tickets) keeps it."""
        staff = User.objects.get(email="bench-staff@example.test").pk
        reader = User.objects.get(email="bench-big@example.test").pk
        running = [s.value for s in Status if s not in (Status.CLOSED, Status.CANCELLED)]
        marks = ", ".join(["%s"] * len(running))

        def insert(
            user: str,
            public_only: bool,
            where: str = "",
            params: Sequence[Any] = (),
            tickets: Sequence[int] = (),
        ) -> None:
            # `tickets` filters the messages before the window numbers them: the planner does
            # not carry a filter on t.id over to them, and at 1M tickets each batch of the big
            # customer's would number all ~5M messages (3 s) to keep 500 tickets' worth.
            internal = "AND NOT is_internal" if public_only else ""
            only = f"AND ticket_id IN ({', '.join(['%s'] * len(tickets))})" if tickets else ""
            unread = f"m.author_id <> {user} AND t.status IN ({marks})"
            sql = f"""
                INSERT INTO conversations_participant
                    (ticket_id, user_id, last_message_id, last_message_at, last_read_id,
                     unread, created_at)
                SELECT t.id, {user}, m.id, m.created_at,
                       CASE WHEN {unread} THEN 0 ELSE m.id END,
                       CASE WHEN {unread} THEN 1 ELSE 0 END,
                       t.created_at
                FROM (
                    SELECT ticket_id, id, author_id, created_at, ROW_NUMBER() OVER (
                        PARTITION BY ticket_id ORDER BY created_at DESC, id DESC) AS rn
                    FROM conversations_message WHERE TRUE {internal} {only}
                ) m
                JOIN tickets_ticket t ON t.id = m.ticket_id
                WHERE m.rn = 1 {where}
                ON CONFLICT (ticket_id, user_id) DO NOTHING
            """  # noqa: S608 (no outside input: column names and placeholders only)
            with connection.cursor() as cursor:
                cursor.execute(sql, [*running, *running, *tickets, *params])

        insert("t.contact_id", True)
        insert(str(staff), False, "AND t.contact_id <> %s", [staff])
        newest = list(
            Ticket.objects.filter(company=big, messages__is_internal=False)
            .exclude(contact_id=reader)
            .distinct()
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[:INBOX_CONVERSATIONS]
        )
        for ids in batched(newest, 500):
            insert(str(reader), True, tickets=ids)

    def _step(self, what: str, since: float) -> None:
        self.stdout.write(f"{what}: {time.monotonic() - since:.1f} s")

    def _companies(self, count: int) -> list[Company]:
        now = timezone.now()
        return Company.objects.bulk_create(
            [
                Company(
                    name=f"Bench Company {i}", code=f"bench-{i}", created_at=now, updated_at=now
                )
                for i in range(count)
            ],
            batch_size=self.batch,
        )

    def _sites_and_equipment(
        self, companies: list[Company]
    ) -> dict[int, list[tuple[int | None, int | None]]]:
        """Per company: the (site, equipment) pairs tickets can be on."""
        rng = self.rng
        sites = Site.objects.bulk_create(
            [
                Site(company=c, name=f"{c.name}, site {n}", address=f"Bench street {n}")
                for c in companies
                for n in range(rng.randint(1, 4))
            ],
            batch_size=self.batch,
        )
        for site in sites:
            site.path = f"{site.pk}/"
        Site.objects.bulk_update(sites, ["path"], batch_size=self.batch)
        equipment = Equipment.objects.bulk_create(
            [
                Equipment(
                    company_id=s.company_id,
                    site=s,
                    name=f"{rng.choice(EQUIPMENT_RU)} {n}",
                    serial_number=f"BN-{s.pk}-{n}",
                    passport_token=f"bench-{s.pk}-{n}",
                )
                for s in sites
                for n in range(rng.randint(0, 5))
            ],
            batch_size=self.batch,
        )
        places: dict[int, list[tuple[int | None, int | None]]] = {
            c.pk: [(None, None)] for c in companies
        }
        for s in sites:
            places[s.company_id].append((s.pk, None))
        for e in equipment:
            places[e.company_id].append((e.site_id, e.pk))
        return places

    def _customers(self, companies: list[Company], count: int) -> dict[int, list[int]]:
        """Customers per company: one each at least, the rest by the companies' weights."""
        password = make_password(PASSWORD)
        weights = company_weights(len(companies))
        homes = list(companies) + self.rng.choices(companies, weights, k=count - len(companies))
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench-customer-{i}@example.test",
                    full_name=f"Bench Customer {i}",
                    role=Role.CUSTOMER,
                    password=password,
                    activated_at=timezone.now(),
                )
                for i in range(count)
            ],
            batch_size=self.batch,
        )
        big = User.objects.create(
            email="bench-big@example.test",
            full_name="Bench Big Customer",
            role=Role.CUSTOMER,
            password=password,
            activated_at=timezone.now(),
        )
        User.objects.create(
            email="bench-staff@example.test",
            full_name="Bench Dispatcher",
            role=Role.DISPATCHER,
            password=password,
            activated_at=timezone.now(),
        )
        User.objects.bulk_create(
            [
                User(
                    email=f"bench-staff-{i}@example.test",
                    full_name=f"Bench {'Dispatcher' if i < STAFF_DISPATCHERS else 'Engineer'} {i}",
                    role=Role.DISPATCHER if i < STAFF_DISPATCHERS else Role.ENGINEER,
                    password=password,
                    activated_at=timezone.now(),
                )
                for i in range(STAFF)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, company=c) for u, c in zip(users, homes, strict=True)]
            + [Membership(user=big, company=companies[0])],
            batch_size=self.batch,
        )
        members: dict[int, list[int]] = {}
        for u, c in zip(users, homes, strict=True):
            members.setdefault(c.pk, []).append(u.pk)
        members[companies[0].pk].append(big.pk)
        return members

    def _tickets(
        self,
        count: int,
        companies: list[Company],
        places: dict[int, list[tuple[int | None, int | None]]],
        members: dict[int, list[int]],
    ) -> None:
        """Tickets with their events, a batch a transaction. PostgreSQL: COPY, the tickets with
        ids taken from their sequence beforehand, since the events refer to them."""
        started = time.monotonic()
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            ticket_copy = Copy(Ticket, ("id", *TICKET_COLUMNS))
            event_copy = Copy(TicketEvent, EVENT_COLUMNS)
        done = 0
        for rows in self._ticket_rows(count, companies, places, members):
            with transaction.atomic():
                if postgresql:
                    ids = reserve_ids(Ticket, len(rows))
                    ticket_copy.write((pk, *row) for pk, row in zip(ids, rows, strict=True))
                    event_copy.write(ticket_events(ids, rows))
                else:
                    tickets = Ticket.objects.bulk_create(
                        [Ticket(**dict(zip(TICKET_COLUMNS, row, strict=True))) for row in rows],
                        batch_size=self.batch,
                    )
                    TicketEvent.objects.bulk_create(
                        [
                            TicketEvent(**dict(zip(EVENT_COLUMNS, event, strict=True)))
                            for event in ticket_events([t.pk for t in tickets], rows)
                        ],
                        batch_size=self.batch,
                    )
            done += len(rows)
            if done % (self.batch * 10) == 0 or done == count:
                rate = done / (time.monotonic() - started)
                self.stdout.write(f"  {done} tickets ({rate:.0f}/s)")
        TicketSequence.objects.update_or_create(
            key=numbering.sequence_key(settings.TICKET_NUMBER_MASK, timezone.localdate()),
            defaults={"last_value": count},
        )

    def _ticket_rows(
        self,
        count: int,
        companies: list[Company],
        places: dict[int, list[tuple[int | None, int | None]]],
        members: dict[int, list[int]],
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Batches of tickets as TICKET_COLUMNS tuples. The random draws come in a fixed order
        (that of the fields below): the same seed gives the same data set on either path."""
        rng = self.rng
        mask = settings.TICKET_NUMBER_MASK
        today = timezone.localdate()
        types = list(TicketType.objects.values_list("pk", flat=True))
        criticalities = list(Criticality.objects.values_list("pk", flat=True))
        work_types = [None, *WorkType.objects.values_list("pk", flat=True)]
        origins = Origin.values
        engineers = list(
            User.objects.filter(email__startswith="bench-staff-", role=Role.ENGINEER).values_list(
                "pk", flat=True
            )
        )
        company_ids = [c.pk for c in companies]
        cum = list(itertools.accumulate(company_weights(len(companies))))
        statuses, status_weights = zip(*STATUSES, strict=True)
        now = timezone.now()
        span = timedelta(days=3 * 365).total_seconds()
        # Ticket i is i-th oldest: created_at grows with the number, as in real life.
        offsets = sorted(rng.random() * span for _ in range(count))
        for start in range(0, count, self.batch):
            rows = []
            for i in range(start, min(start + self.batch, count)):
                company = rng.choices(company_ids, cum_weights=cum)[0]
                site, equipment = rng.choice(places[company])
                created = now - timedelta(seconds=span - offsets[i])
                if now - created > OLD:
                    # Old tickets are done, as in a desk that works: the queue holds the
                    # last two months' open tickets, not three years of them.
                    status = Status.CLOSED if rng.random() < 0.92 else Status.CANCELLED
                else:
                    status = rng.choices(statuses, status_weights)[0]
                resolved = (
                    created + timedelta(hours=rng.randint(1, 96))
                    if status in (Status.RESOLVED, Status.CLOSED)
                    else None
                )
                lang = rng.random() < 0.8
                eq = rng.choice(EQUIPMENT_RU if lang else EQUIPMENT_EN)
                place = rng.choice(PLACES_RU if lang else PLACES_EN)
                subject = rng.choice(SUBJECTS_RU if lang else SUBJECTS_EN).format(
                    eq=eq, place=place
                )
                description = " ".join(rng.choices(SENTENCES, k=rng.randint(1, 6)))
                ticket_type = rng.choice(types)
                criticality = rng.choice(criticalities)
                contact = rng.choice(members[company])
                work_type = rng.choice(work_types)
                origin = rng.choice(origins)
                # SLA deadlines as the rules would give them (the rules are not generated:
                # the periodic check and the queue's views need the dates).
                first_response_due = created + timedelta(hours=rng.choice((1, 4)))
                first_responded = (
                    created + timedelta(minutes=rng.randint(5, 300))
                    if status != Status.NEW
                    else None
                )
                due = created + timedelta(hours=rng.choice(DEADLINE_HOURS))
                closed = (
                    resolved + timedelta(days=1) if resolved and status == Status.CLOSED else None
                )
                # Past "new" a ticket has an engineer (the queue's "mine" for each of them).
                assignee = rng.choice(engineers) if engineers and status != Status.NEW else None
                rows.append(
                    (
                        numbering.render(mask, today, i + 1),
                        subject[:1].upper() + subject[1:],
                        description,
                        ticket_type,
                        criticality,
                        company,
                        contact,
                        contact,  # created_by
                        site,
                        equipment,
                        work_type,
                        status.value,  # the plain code: COPY would write an enum's name
                        origin,
                        created,
                        created,  # updated_at
                        resolved,
                        closed,
                        first_response_due,
                        first_responded,
                        due,
                        assignee,
                    )
                )
            yield rows
