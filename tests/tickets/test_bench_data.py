"""The benchmark's data generator, small: the shape the benchmark relies on."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from servicedesk.accounts.models import User
from servicedesk.conversations.models import Message, Participant
from servicedesk.customers.models import Company
from servicedesk.tickets.management.commands.bench_data import DETAIL_MESSAGES, DETAIL_SUBJECT
from servicedesk.tickets.models import Ticket, TicketSequence

pytestmark = pytest.mark.django_db


def test_generates_companies_customers_tickets_and_messages() -> None:
    call_command("bench_data", tickets=400, companies=4, customers=10, messages=2, batch=150)
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
        call_command("bench_data", tickets=1, companies=1, customers=1)
