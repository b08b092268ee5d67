"""Numbers under concurrency: parallel creations through the real service, each in its own
thread and database connection, get unique, consecutive numbers (SQLite and PostgreSQL).

On SQLite the threads work on a file copy of the test database, opened with the production
options (WAL, IMMEDIATE transactions, a busy timeout): the in-memory test database is shared
through SQLite's shared cache, whose table locks fail at once instead of waiting, which is not
how the application ever runs.
"""

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection, connections

from servicedesk.accounts.models import User
from servicedesk.customers.models import Company, Criticality, TicketType
from servicedesk.tickets.models import Origin, Ticket, TicketEvent, TicketSequence
from servicedesk.tickets.services import TicketData, ticket_create
from tests.factories import CompanyFactory, MembershipFactory

N = 12
T = TypeVar("T")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _in_own_connection(database: Path | None, work: Callable[[], T]) -> T:
    """Run `work` with this thread's own connection (to `database` on SQLite), then close it."""
    if database is not None:
        own = connections["default"]
        own.settings_dict = {**own.settings_dict, "NAME": str(database)}
    try:
        return work()
    finally:
        connections.close_all()


def _file_copy_of_test_database(tmp_path: Path) -> Path | None:
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    path = tmp_path / "race.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    # The app's connections ask for WAL when they open (settings' init_command). Switched here
    # once, beforehand: two threads opening at once would each try to switch the file, and one
    # of them, holding a read lock while asking for the write lock, gets "database is locked"
    # at once, busy timeout or not.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return path


def test_parallel_creations_get_unique_consecutive_numbers(settings: Any, tmp_path: Path) -> None:
    # Given a customer, the reference data and an empty counter
    settings.TICKET_NUMBER_MASK = "########"
    company = CompanyFactory()
    user = MembershipFactory(company=company).user
    TicketType.objects.create(code="race-type", name_ru="Гонка")
    Criticality.objects.create(code="race-criticality", name_ru="Гонка")
    database = _file_copy_of_test_database(tmp_path)
    barrier = threading.Barrier(N)

    def create(i: int) -> str:
        data = TicketData(
            subject=f"Race {i}",
            ticket_type=TicketType.objects.get(code="race-type"),
            criticality=Criticality.objects.get(code="race-criticality"),
            company=Company.objects.get(pk=company.pk),
        )
        by = User.objects.get(pk=user.pk)
        barrier.wait(timeout=30)  # everyone asks for a number at the same moment
        return ticket_create(by=by, data=data, origin=Origin.PORTAL).number

    # When N threads create tickets at once
    with ThreadPoolExecutor(max_workers=N) as pool:
        futures = [
            pool.submit(_in_own_connection, database, lambda i=i: create(i)) for i in range(N)
        ]
        numbers = [f.result(timeout=120) for f in futures]

    # Then every number is unique and they are exactly 1..N, with nothing half-made
    def stored() -> tuple[int, int, int]:
        return (
            Ticket.objects.count(),
            TicketEvent.objects.filter(kind=TicketEvent.Kind.CREATED).count(),
            TicketSequence.objects.get(key="########").last_value,
        )

    assert sorted(numbers) == [f"{i:08d}" for i in range(1, N + 1)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(_in_own_connection, database, stored).result() == (N, N, N)
