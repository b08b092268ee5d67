"""Message digests: with an hourly or daily digest chosen, message emails wait and go out as one
email listing them (hourly: at every run; daily: at NOTIFICATION_DIGEST_HOUR in the person's
time zone); the bell still rings at once; a digest is sent once, and leaves out what its reader
may no longer see."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from servicedesk.accounts.models import Membership
from servicedesk.conversations.services import message_post
from servicedesk.notifications.digests import digests_send
from servicedesk.notifications.models import (
    Digest,
    DigestEntry,
    Notification,
    NotificationSettings,
)
from servicedesk.notifications.tasks import notification_digests
from tests.mail_server import html_part, text_part
from tests.notifications.conftest import mail_to, working_ticket

pytestmark = pytest.mark.django_db
MORNING = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 08:00 in Moscow (the provider's zone)


def choose(user, digest: str) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"message_digest": digest})


def test_an_hourly_digest_lists_the_messages_of_several_tickets(cast, smtp_email, commit):
    choose(cast.contact, Digest.HOURLY)
    first = working_ticket(cast)
    second = working_ticket(cast, number="00001235", subject="Printer jams")
    with time_machine.travel(MORNING - timedelta(minutes=40), tick=False):
        commit(message_post, by=cast.engineer, ticket=first, body="Part ordered.")
        commit(message_post, by=cast.other_engineer, ticket=second, body="On my way.")
        commit(message_post, by=cast.engineer, ticket=first, body="Part arrived.")

    # No message email for Clara yet (her colleague gets his one by one); her bell rang.
    assert "clara@gamma.test" not in mail_to(smtp_email)
    assert Notification.objects.filter(user=cast.contact).count() == 3
    assert DigestEntry.objects.filter(user=cast.contact).count() == 3

    with time_machine.travel(MORNING, tick=False):
        notification_digests.call_local()

    digests = mail_to(smtp_email)["clara@gamma.test"]
    assert len(digests) == 1
    digest = digests[0]
    assert digest["Subject"] == "3 new messages on 2 tickets"
    text = text_part(digest)
    assert text.index("#00001234 Boiler is cold") < text.index("#00001235 Printer jams")
    assert text.index("Part ordered.") < text.index("Part arrived.") < text.index("On my way.")
    assert "Eric Engineer · 2 Mar 2026, 07:20" in text  # in the reader's zone (Moscow)
    assert "http://127.0.0.1:8000/portal/tickets/00001235/" in text
    assert "Part arrived." in html_part(digest)
    assert digest["Auto-Submitted"] == "auto-generated"
    assert not DigestEntry.objects.exists()
    # Once: running again sends nothing.
    with time_machine.travel(MORNING + timedelta(minutes=1), tick=False):
        assert digests_send(MORNING + timedelta(minutes=1)) == []
    assert len(mail_to(smtp_email)["clara@gamma.test"]) == 1


def test_a_digest_of_one_ticket_names_it_and_threads_with_it(cast, smtp_email, commit):
    choose(cast.contact, Digest.HOURLY)
    ticket = working_ticket(cast)
    commit(message_post, by=cast.engineer, ticket=ticket, body="Part ordered.")

    digests_send(MORNING)

    digest = mail_to(smtp_email)["clara@gamma.test"][0]
    assert digest["Subject"] == "[#00001234] 1 new message: Boiler is cold"
    assert digest["References"].startswith(f"<ticket-{ticket.pk}.")


def test_a_daily_digest_waits_for_the_morning_in_the_readers_zone(cast, smtp_email, commit):
    choose(cast.contact, Digest.DAILY)
    cast.contact.time_zone = "Asia/Novosibirsk"  # UTC+7: 08:00 there is 01:00 UTC
    cast.contact.save()
    ticket = working_ticket(cast)
    with time_machine.travel(MORNING - timedelta(hours=6), tick=False):
        commit(message_post, by=cast.engineer, ticket=ticket, body="Part ordered.")

    assert digests_send(MORNING) == []  # 12:00 in Novosibirsk
    assert digests_send(MORNING.replace(hour=1) + timedelta(days=1)) != []  # 08:00 there
    assert len(mail_to(smtp_email)["clara@gamma.test"]) == 1


def test_a_missed_morning_does_not_hold_a_daily_digest_for_ever(cast, smtp_email, commit):
    choose(cast.contact, Digest.DAILY)
    ticket = working_ticket(cast)
    with time_machine.travel(MORNING, tick=False):
        commit(message_post, by=cast.engineer, ticket=ticket, body="Part ordered.")

    assert digests_send(MORNING + timedelta(hours=23)) == []  # 07:00: not yet
    # The 08:00 run did not happen (the worker was down): at 10:00 it is over a day late.
    assert digests_send(MORNING + timedelta(hours=26)) != []


def test_what_the_reader_can_no_longer_see_is_left_out(cast, smtp_email, commit):
    choose(cast.colleague, Digest.HOURLY)
    ticket = working_ticket(cast)
    commit(message_post, by=cast.engineer, ticket=ticket, body="Part ordered.")
    Membership.objects.filter(user=cast.colleague).delete()  # he left the company

    assert digests_send(MORNING) == []
    assert "ruslan@gamma.test" not in mail_to(smtp_email)
    assert not DigestEntry.objects.exists()


def test_back_to_one_email_per_message_flushes_what_waited(cast, smtp_email, commit):
    choose(cast.contact, Digest.DAILY)
    ticket = working_ticket(cast)
    commit(message_post, by=cast.engineer, ticket=ticket, body="Part ordered.")
    choose(cast.contact, Digest.IMMEDIATELY)

    assert len(digests_send(MORNING + timedelta(hours=3))) == 1
    commit(message_post, by=cast.engineer, ticket=ticket, body="Part arrived.")
    subjects = [m["Subject"] for m in mail_to(smtp_email)["clara@gamma.test"]]
    assert subjects == [
        "[#00001234] 1 new message: Boiler is cold",
        "[#00001234] New message: Boiler is cold",
    ]


def test_staff_digests_list_internal_notes_customers_never(cast, smtp_email, commit):
    choose(cast.engineer, Digest.HOURLY)
    choose(cast.contact, Digest.HOURLY)
    ticket = working_ticket(cast)
    commit(message_post, by=cast.other_engineer, ticket=ticket, body="Note: SECRET", internal=True)
    commit(message_post, by=cast.other_engineer, ticket=ticket, body="Public reply")

    digests_send(MORNING)

    received = mail_to(smtp_email)
    staff = text_part(received["eric@provider.test"][0])
    assert "Note: SECRET" in staff and "internal note" in staff and "Public reply" in staff
    customer = text_part(received["clara@gamma.test"][0])
    assert "Public reply" in customer
    assert "SECRET" not in customer and "internal note" not in customer
