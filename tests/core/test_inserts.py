"""core/inserts.py writes a new row as save() does — the same columns, the key back on the
instance, the signals (or none, as bulk_create) — from a statement compiled once; what the
statement cannot say goes through the ORM; a failed insert leaves nothing and marks the
transaction."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

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
    ticket = TicketFactory()
    event = TicketEvent(ticket=ticket, kind=TicketEvent.Kind.CREATED, created_at=Now())
    inserts.insert(event, signals=False)
    assert TicketEvent.objects.filter(pk=event.pk, created_at__isnull=False).exists()


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
