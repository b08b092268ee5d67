"""core/inserts.py writes a new row as save() does — the same columns, the key back on the
instance, the signals (or none, as bulk_create) — from a statement compiled once; what the
statement cannot say goes through the ORM; a failed insert leaves nothing and marks the
transaction."""

import copy
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from servicedesk.core import inserts
from servicedesk.tickets.models import Ticket, TicketEvent, TicketFollower
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _columns(obj: Any) -> dict[str, Any]:
    """Every column of the row as the database holds it."""
    row = type(obj).objects.filter(pk=obj.pk).values().get()
    row.pop("id")
    return row


def test_a_row_is_written_as_save_writes_it() -> None:
    ticket = TicketFactory()
    by_save = TicketEvent(ticket=ticket, actor=ticket.contact, kind=TicketEvent.Kind.CREATED)
    by_save.save(force_insert=True)
    by_insert = TicketEvent(ticket=ticket, actor=ticket.contact, kind=TicketEvent.Kind.CREATED)

    inserts.insert(by_insert)

    assert by_insert.pk is not None and by_insert.pk != by_save.pk
    assert not by_insert._state.adding and by_insert._state.db == "default"
    saved, inserted = _columns(by_save), _columns(by_insert)
    assert inserted.pop("created_at") >= saved.pop("created_at")  # auto_now_add, set anew
    assert inserted == saved


def test_a_ticket_with_every_kind_of_field_reads_back_as_it_was_given() -> None:
    model = TicketFactory(description="Текст", due_at=None)
    model.pk, model.number, model._state.adding = None, "X-1", True  # a copy to insert
    given = model_to_dict(model)
    inserts.insert(model)
    again = Ticket.objects.get(pk=model.pk)
    assert model_to_dict(again) == {**given, "id": model.pk}
    assert again.created_at == model.created_at and again.updated_at == model.updated_at


def test_signals_as_save_or_none_as_bulk_create() -> None:
    ticket = TicketFactory()
    heard: list[tuple[str, Any]] = []

    def on_pre(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(("pre", instance.pk))

    def on_post(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post", (instance.pk, created)))

    pre_save.connect(on_pre, sender=TicketFollower)
    post_save.connect(on_post, sender=TicketFollower)
    try:
        follower = TicketFollower(ticket=ticket, user=UserFactory())
        inserts.insert(follower)
        inserts.insert(TicketFollower(ticket=ticket, user=UserFactory()), signals=False)
    finally:
        pre_save.disconnect(on_pre, sender=TicketFollower)
        post_save.disconnect(on_post, sender=TicketFollower)
    assert heard == [("pre", None), ("post", (follower.pk, True))]
    assert TicketFollower.objects.filter(ticket=ticket).count() == 2


def test_the_statement_is_compiled_once(monkeypatch) -> None:
    ticket = TicketFactory()
    inserts.insert(TicketEvent(ticket=ticket, kind=TicketEvent.Kind.CREATED))
    monkeypatch.setattr(inserts, "_compile", lambda *a: pytest.fail("compiled again"))
    inserts.insert(TicketEvent(ticket=ticket, kind=TicketEvent.Kind.CREATED))
    assert TicketEvent.objects.filter(ticket=ticket).count() == 2


def test_an_expression_as_a_value_goes_through_the_orm() -> None:
    # (a value the cached statement was given as it is would not reach the database as "ab")
    ticket = TicketFactory()
    event = TicketEvent(
        ticket=ticket, kind=TicketEvent.Kind.CREATED, old_value=Concat(Value("a"), Value("b"))
    )
    inserts.insert(event, signals=False)
    assert TicketEvent.objects.get(pk=event.pk).old_value == "ab"


def test_an_unsaved_related_object_is_refused_as_save_refuses_it() -> None:
    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.insert(TicketEvent(ticket=TicketFactory.build(), kind=TicketEvent.Kind.CREATED))


def test_a_failed_insert_leaves_nothing_and_marks_the_transaction() -> None:
    ticket = TicketFactory()
    TicketFollower.objects.create(ticket=ticket, user=ticket.contact)
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            inserts.insert(TicketFollower(ticket=ticket, user=ticket.contact))
        marked = transaction.get_rollback()  # the block rolls back as it ends
    assert marked
    assert TicketFollower.objects.filter(ticket=ticket).count() == 1


# --- a row with the rows that point at it ---------------------------------------------------------


def _new_ticket(like: Ticket | None = None) -> Ticket:
    """A ticket not yet written, with everything a real one has (what `like` has, if given)."""
    model = copy.copy(like) if like is not None else TicketFactory(description="Текст")
    model._state = copy.copy(model._state)
    model.pk, model._state.adding = None, True
    model.number = f"N-{Ticket.objects.count()}-{id(model)}"
    return model


def _family(ticket: Ticket) -> list[Any]:
    return [
        TicketEvent(ticket=ticket, actor=ticket.contact, kind=TicketEvent.Kind.CREATED),
        TicketFollower(ticket=ticket, user=ticket.contact),
    ]


def test_a_family_is_written_as_its_rows_one_by_one() -> None:
    one_by_one = _new_ticket()
    together = _new_ticket(like=one_by_one)
    inserts.insert(one_by_one)
    for row in _family(one_by_one):
        inserts.insert(row, signals=False)
    event, follower = rows = _family(together)

    inserts.insert_family(together, rows)

    assert together.pk is not None and not together._state.adding
    for row in rows:
        assert row.pk is not None and not row._state.adding and row._state.db == "default"
        assert row.ticket_id == together.pk and row.ticket is together  # the parent kept
    theirs = {
        "ticket": _columns(one_by_one),
        "event": _columns(TicketEvent.objects.get(ticket=one_by_one)),
        "follower": _columns(TicketFollower.objects.get(ticket=one_by_one)),
    }
    ours = {"ticket": _columns(together), "event": _columns(event), "follower": _columns(follower)}
    for name in ours:
        for column in ("created_at", "updated_at", "number", "ticket_id"):
            mine, other = ours[name].pop(column, None), theirs[name].pop(column, None)
            assert (mine is None) == (other is None), (name, column)
        assert ours[name] == theirs[name], name
    assert _columns(event)["ticket_id"] == together.pk
    assert Ticket.objects.get(pk=together.pk).number == together.number


def test_a_family_is_one_statement_on_postgresql_and_one_transaction_elsewhere() -> None:
    ticket = _new_ticket()
    with CaptureQueriesContext(connection) as queries:
        inserts.insert_family(ticket, _family(ticket))
    kinds = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert kinds == ["WITH"]
    else:
        assert [k for k in kinds if k not in {"SAVEPOINT", "RELEASE"}] == ["INSERT"] * 3
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1
    assert TicketFollower.objects.filter(ticket=ticket).count() == 1


def test_a_family_sends_the_parents_signals_only() -> None:
    heard: list[tuple[str, str, Any]] = []

    def on_pre(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(("pre", sender.__name__, instance.pk))

    def on_post(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post", sender.__name__, (instance.pk is not None, created)))

    loud, quiet = _new_ticket(), _new_ticket()
    loud_rows, quiet_rows = _family(loud), _family(quiet)
    pre_save.connect(on_pre)
    post_save.connect(on_post)
    try:
        inserts.insert_family(loud, loud_rows)
        loud_heard = list(heard)
        heard.clear()
        inserts.insert_family(quiet, quiet_rows, signals=False)
    finally:
        pre_save.disconnect(on_pre)
        post_save.disconnect(on_post)
    assert loud_heard == [("pre", "Ticket", None), ("post", "Ticket", (True, True))]
    assert heard == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_row_leaves_none_of_the_family() -> None:
    # Outside any transaction, as a request files a ticket: the statement is all or nothing
    ticket = _new_ticket()
    rows = [*_family(ticket), TicketFollower(ticket=ticket, user=ticket.contact)]  # twice
    with pytest.raises(IntegrityError):
        inserts.insert_family(ticket, rows)
    assert not Ticket.objects.filter(number=ticket.number).exists()
    # and the connection is usable for the next one
    again = _new_ticket()
    inserts.insert_family(again, _family(again))
    assert TicketFollower.objects.filter(ticket=again).count() == 1


def test_an_unsaved_related_object_in_a_family_is_refused_before_anything_is_written() -> None:
    ticket = _new_ticket()
    stranger = UserFactory.build()
    before = Ticket.objects.count()
    with pytest.raises(ValueError, match="unsaved related object 'actor'"):
        inserts.insert_family(
            ticket, [TicketEvent(ticket=ticket, actor=stranger, kind=TicketEvent.Kind.CREATED)]
        )
    assert Ticket.objects.count() == before and ticket.pk is None


def test_a_row_that_does_not_point_at_the_parent_is_refused() -> None:
    ticket, other = _new_ticket(), TicketFactory()
    with pytest.raises(ValueError, match="does not point at"):
        inserts.insert_family(ticket, [TicketFollower(ticket=other, user=other.contact)])
    assert ticket.pk is None


def test_a_family_with_an_expression_goes_in_row_by_row() -> None:
    ticket = _new_ticket()
    event = TicketEvent(
        ticket=ticket, kind=TicketEvent.Kind.CREATED, old_value=Concat(Value("a"), Value("b"))
    )
    with CaptureQueriesContext(connection) as queries:
        inserts.insert_family(ticket, [event])
    assert sum(q["sql"].startswith("INSERT") for q in queries.captured_queries) == 2
    assert TicketEvent.objects.get(pk=event.pk, ticket=ticket).old_value == "ab"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only")
def test_a_familys_statement_is_made_once(monkeypatch) -> None:
    first = _new_ticket()
    inserts.insert_family(first, _family(first))
    monkeypatch.setattr(inserts, "_make_family_statement", lambda *a: pytest.fail("made again"))
    monkeypatch.setattr(inserts, "_compile", lambda *a: pytest.fail("compiled again"))
    second = _new_ticket()
    inserts.insert_family(second, _family(second))
    assert TicketFollower.objects.filter(ticket=second).count() == 1
