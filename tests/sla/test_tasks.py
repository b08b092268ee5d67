"""The periodic SLA check: who is told what, once per ticket and threshold, in their language;
waiting and finished tickets are left alone; the number of queries does not grow with tickets."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.services import outbound_due, outbound_send
from servicedesk.sla.models import SlaNotification
from servicedesk.sla.tasks import sla_check, sla_check_run
from servicedesk.tickets.models import Status
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 12, tzinfo=UTC)
Kind = SlaNotification.Kind


@pytest.fixture
def dispatchers():
    return [
        UserFactory(dispatcher=True, email="anna@provider.test", language="en"),
        UserFactory(dispatcher=True, email="boris@provider.test", language="ru"),
    ]


@pytest.fixture(autouse=True)
def _others():
    # Nobody else hears about deadlines.
    UserFactory(dispatcher=True, inactive=True, email="gone@provider.test")
    UserFactory(engineer=True, email="eng@provider.test")
    UserFactory(admin=True, email="admin@provider.test")


def due_in(minutes: int, **fields):
    return TicketFactory(due_at=NOW + timedelta(minutes=minutes), **fields)


def kinds():
    return sorted(SlaNotification.objects.values_list("ticket__subject", "kind"))


def test_warns_and_reports_breaches_once(dispatchers, settings):
    settings.SLA_WARNING_MINUTES = 60
    soon = due_in(30, subject="soon", number="00001234")
    due_in(90, subject="later")
    late = due_in(-5, subject="late")
    unanswered = TicketFactory(
        subject="unanswered", first_response_due_at=NOW + timedelta(minutes=10)
    )
    TicketFactory(
        subject="answered",
        first_response_due_at=NOW - timedelta(minutes=10),
        first_responded_at=NOW - timedelta(minutes=20),
    )

    result = sla_check_run(NOW)

    assert kinds() == [
        ("late", Kind.RESOLUTION_BREACH),
        ("soon", Kind.RESOLUTION_WARNING),
        ("unanswered", Kind.RESPONSE_WARNING),
    ]
    assert result.emails == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["anna@provider.test", "boris@provider.test"] * 3
    )
    english = next(
        m for m in mail.outbox if m.to == ["anna@provider.test"] and "00001234" in m.subject
    )
    assert english.subject == "[#00001234] Resolution due soon: soon"
    assert "30 minutes left" in english.body
    html = english.alternatives[0]
    assert html[1] == "text/html" and "#00001234" in html[0]
    assert english.extra_headers["Auto-Submitted"] == "auto-generated"
    # Boris reads Russian: not the English wording.
    russian = next(
        m for m in mail.outbox if m.to == ["boris@provider.test"] and "00001234" in m.subject
    )
    assert russian.subject.startswith("[#00001234] ")
    assert '<html lang="ru">' in russian.alternatives[0][0]
    assert '<html lang="en">' in english.alternatives[0][0]
    assert "Resolution due soon" not in russian.subject or not _russian_catalogue()

    # Running again, or a minute later, says nothing new.
    mail.outbox.clear()
    sla_check_run(NOW)
    sla_check_run(NOW + timedelta(minutes=1))
    assert mail.outbox == []

    # Half an hour later: the warned ticket breaches, the next one comes into the window, the
    # unanswered one is overdue — each the next threshold, told once.
    before = set(kinds())
    sla_check_run(NOW + timedelta(minutes=31))
    assert set(kinds()) - before == {
        ("soon", Kind.RESOLUTION_BREACH),
        ("later", Kind.RESOLUTION_WARNING),
        ("unanswered", Kind.RESPONSE_BREACH),
    }
    assert len(mail.outbox) == 3 * 2
    assert late.sla_notifications.count() == 1
    assert soon.sla_notifications.count() == 2
    assert unanswered.sla_notifications.count() == 2


def _russian_catalogue() -> bool:
    from django.utils import translation

    with translation.override("ru"):
        return translation.gettext("Resolution due soon") != "Resolution due soon"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.WAITING, "sla_paused_at": NOW - timedelta(hours=1)},
        {"status": Status.RESOLVED},
        {"status": Status.CLOSED},
        {"status": Status.CANCELLED},
    ],
)
def test_waiting_and_finished_tickets_are_skipped(dispatchers, fields):
    due_in(-5, first_response_due_at=NOW - timedelta(minutes=5), **fields)
    due_in(10, **fields)
    sla_check_run(NOW)
    assert (SlaNotification.objects.count(), mail.outbox) == (0, [])


def test_no_dispatchers_still_records_the_threshold():
    due_in(-5)
    sla_check_run(NOW)
    assert SlaNotification.objects.count() == 1
    assert mail.outbox == []


def test_a_failed_delivery_is_kept_and_retried(dispatchers, monkeypatch):
    """SMTP down: the check goes on, the emails wait in the outbound log (where administrators
    see them) and go out on a later attempt, once; the threshold is not told twice."""
    due_in(-5)
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    assert sla_check_run(NOW).emails == 2
    rows = list(OutboundMessage.objects.order_by("to"))
    assert [(r.to, r.status, r.attempts, r.kind) for r in rows] == [
        ("anna@provider.test", OutboundMessage.Status.QUEUED, 1, Kind.RESOLUTION_BREACH),
        ("boris@provider.test", OutboundMessage.Status.QUEUED, 1, Kind.RESOLUTION_BREACH),
    ]
    assert (SlaNotification.objects.count(), mail.outbox) == (1, [])
    monkeypatch.undo()
    sla_check_run(NOW + timedelta(minutes=1))
    assert OutboundMessage.objects.count() == 2
    later = max(r.next_attempt_at for r in rows)
    for pk in outbound_due(later):
        outbound_send(pk, now=later)
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@provider.test", "boris@provider.test"]
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {
        OutboundMessage.Status.SENT
    }


def _sending_later(monkeypatch) -> list[int]:
    """The check's own queries are measured; the worker's sending (one task per chunk, run at
    once in tests) is run after the measured block by `_send`."""
    queued: list[int] = []
    monkeypatch.setattr("servicedesk.sla.tasks.mail_send_many", queued.extend)
    return queued


def _send(queued: list[int]) -> None:
    from servicedesk.mail.tasks import mail_send_many

    mail_send_many(queued)


def _check_queries(django_assert_max_num_queries, monkeypatch, count: int) -> int:
    for n in range(count):
        due_in(-n - 1, first_response_due_at=NOW + timedelta(minutes=n + 1))
    queued = _sending_later(monkeypatch)
    with django_assert_max_num_queries(1000) as context:
        sla_check_run(NOW)
    assert len(queued) == count * 2 * 2
    SlaNotification.objects.all().delete()
    return len(context)


def test_queries_do_not_grow_with_tickets(dispatchers, django_assert_max_num_queries, monkeypatch):
    few = _check_queries(django_assert_max_num_queries, monkeypatch, 3)
    many = _check_queries(django_assert_max_num_queries, monkeypatch, 30)
    assert few == many


def test_tickets_are_handled_in_chunks(dispatchers, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr("servicedesk.sla.tasks.CHUNK_SIZE", 5)
    for n in range(12):
        due_in(-n - 1, first_response_due_at=NOW + timedelta(minutes=n + 1))
    queued = _sending_later(monkeypatch)
    # The dispatchers and their preferences; per chunk a select, an insert and a confirming
    # select (plus the test's savepoint and release), the outbound log's insert and the ids
    # it gave, and the bell's insert; per threshold a
    # last, empty select. 12 tickets: 3 chunks for each of the two thresholds found, 4
    # thresholds in all.
    chunks, thresholds = 2 * 3, 4
    with django_assert_max_num_queries(2 + chunks * 8 + thresholds * 3):
        result = sla_check_run(NOW)
    assert result.notified == {Kind.RESPONSE_WARNING: 12, Kind.RESOLUTION_BREACH: 12}
    _send(queued)
    assert len(mail.outbox) == 12 * 2 * 2


def test_the_periodic_task_uses_the_current_time(dispatchers):
    due_in(-5)
    with time_machine.travel(NOW, tick=False):
        sla_check()
    assert SlaNotification.objects.get().created_at == NOW
    assert len(mail.outbox) == 2
