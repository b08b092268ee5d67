"""The benchmark's data generator, small: the shape the benchmark relies on."""

from collections.abc import Sequence

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from bench.bulk_load import indexes_deferred
from bench.management.commands.bench_data import (
    DETAIL_MESSAGES,
    DETAIL_SUBJECT,
    LOADED_TABLES,
    PARTICIPANT_TABLES,
    Command,
)
from servicedesk.accounts.models import User
from servicedesk.conversations.models import Message, Participant
from servicedesk.customers.models import Company
from servicedesk.tickets.models import Ticket, TicketSequence

pytestmark = pytest.mark.django_db


def test_generates_companies_customers_tickets_and_messages() -> None:
    call_command(Command(), tickets=400, companies=4, customers=10, messages=2, batch=150)
    assert Company.objects.filter(code__startswith="bench-").count() == 4
    assert User.objects.filter(email__startswith="bench-customer-").count() == 10
    assert Ticket.objects.count() == 400
    assert TicketSequence.objects.get().last_value == 400
    assert len(set(Ticket.objects.values_list("number", flat=True))) == 400
    sample = Ticket.objects.get(subject=DETAIL_SUBJECT)
    assert sample.company.code == "bench-0"
    assert Message.objects.filter(ticket=sample).count() == DETAIL_MESSAGES
    # Messages keep their own times: after the ticket, in order.
    first = Message.objects.filter(ticket=sample).order_by("created_at").first()
    assert first is not None and first.created_at > sample.created_at
    assert Message.objects.count() > DETAIL_MESSAGES
    # Read markers: every ticket with a public message has its contact's; the big customer
    # follows colleagues' conversations too; unread only where the other side spoke last.
    with_public = Ticket.objects.filter(messages__is_internal=False).distinct()
    contacts = Participant.objects.filter(user_id=F("ticket__contact_id"))
    assert contacts.count() == with_public.count() > 0
    big = User.objects.get(email="bench-big@example.test")
    followed = Participant.objects.filter(user=big).exclude(ticket__contact=big)
    assert followed.exists()
    assert not followed.exclude(ticket__company__code="bench-0").exists()
    for row in Participant.objects.filter(unread__gt=0).select_related("last_message")[:50]:
        assert row.last_message is not None and row.last_message.author_id != row.user_id
        assert row.last_read_id < row.last_message_id
    sample_staff = Participant.objects.get(ticket=sample, user__email="bench-staff@example.test")
    assert sample_staff.last_message_id == (
        Message.objects.filter(ticket=sample).order_by("-created_at", "-id").first().pk  # type: ignore[union-attr]
    )
    # A second run refuses to mix with existing data.
    with pytest.raises(CommandError):
        call_command(Command(), tickets=1, companies=1, customers=1)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the indexes are dropped on PostgreSQL only"
)


def schema(tables: Sequence[str]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The tables' indexes and constraints as PostgreSQL describes them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
            " FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(tables)],
        )
        return indexes, cursor.fetchall()


BIG_TABLES = (*LOADED_TABLES, *PARTICIPANT_TABLES)
SMALL = {"tickets": 60, "companies": 2, "customers": 3, "messages": 2, "batch": 25}


@postgresql_only
def test_the_load_runs_without_secondary_indexes_and_foreign_keys() -> None:
    indexes, constraints = schema(BIG_TABLES)
    with indexes_deferred(BIG_TABLES):
        during_indexes, during_constraints = schema(BIG_TABLES)
    names = {row[1] for row in during_indexes}
    # Primary keys, unique constraints (ON CONFLICT needs participant_unique) and the partial
    # indexes stay; the rest go, and so do the foreign keys.
    assert names == {
        "tickets_ticket_pkey",
        "tickets_ticket_number_key",
        "ticket_open_due",
        "ticket_open_number",
        "ticket_open_created",
        "ticket_company_resolved",
        "ticket_report_done",
        "tickets_ticketevent_pkey",
        "conversations_message_pkey",
        "conversations_participant_pkey",
        "participant_unique",
        "participant_unread",
    }
    assert len(indexes) > 40
    assert {row[2].split(" ")[0] for row in during_constraints} == {"PRIMARY", "UNIQUE", "CHECK"}
    assert schema(BIG_TABLES) == (indexes, constraints)


@postgresql_only
def test_indexes_and_foreign_keys_are_as_the_migrations_made_them_after_the_load() -> None:
    before = schema(BIG_TABLES)
    call_command(Command(), **SMALL)
    assert Ticket.objects.count() == 60
    assert schema(BIG_TABLES) == before


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_set_ends_vacuumed_so_index_only_scans_skip_the_table() -> None:
    # Given a load outside any transaction, as `manage.py bench_data` runs
    call_command(Command(), **SMALL)
    # Then every page of the tickets is marked all-visible (VACUUM), not only counted (ANALYZE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class WHERE oid = 'tickets_ticket'::regclass"
        )
        pages, visible = cursor.fetchone()
    assert pages > 0 and visible == pages


@postgresql_only
@pytest.mark.parametrize("step", ["_messages", "_participants"])
def test_a_load_that_fails_half_way_still_restores_them(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = schema(BIG_TABLES)

    def fail(*args: object) -> None:
        raise RuntimeError("half-way")

    monkeypatch.setattr(Command, step, fail)
    with pytest.raises(RuntimeError, match="half-way"):
        call_command(Command(), **SMALL)
    assert Ticket.objects.count() == 60  # the failure came after the tickets
    assert schema(BIG_TABLES) == before


def test_makes_staff_accounts_and_gives_engineers_the_tickets_past_new() -> None:
    from servicedesk.accounts.models import Role
    from servicedesk.tickets.models import Status

    call_command(Command(), **SMALL)
    staff = User.objects.filter(email__startswith="bench-staff-")
    assert staff.count() == 20
    assert set(staff.values_list("role", flat=True)) == {Role.DISPATCHER, Role.ENGINEER}
    assert all(u.check_password("bench-password") for u in staff[:2])
    engineers = set(staff.filter(role=Role.ENGINEER).values_list("pk", flat=True))
    assert not Ticket.objects.filter(status=Status.NEW, assignee__isnull=False).exists()
    past_new = Ticket.objects.exclude(status=Status.NEW)
    assert past_new.exists()
    assert set(past_new.values_list("assignee_id", flat=True)) <= engineers
