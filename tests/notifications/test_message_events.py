"""Messages on a ticket: a public message reaches the other side (and the followers on both),
with an excerpt; an internal note reaches the assignee and staff followers only — no customer
ever gets an email, a notification, an excerpt or a digest line of it."""

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.conversations.services import message_post
from servicedesk.mail.addresses import reply_address_parse
from servicedesk.mail.models import OutboundMessage
from servicedesk.notifications.digests import digests_send
from servicedesk.notifications.models import Digest, Notification, NotificationSettings
from servicedesk.tickets.models import Status
from tests.conftest import login
from tests.mail_server import html_part, text_part
from tests.notifications.conftest import mail_to, working_ticket

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def test_a_staff_message_reaches_the_customers_with_an_excerpt(cast, smtp_email, commit):
    ticket = working_ticket(cast)
    ticket.followers.create(user=cast.dispatcher)

    message = commit(
        message_post,
        by=cast.engineer,
        ticket=ticket,
        body="We ordered the part.\nIt arrives on <b>Monday</b>.",
    )

    received = mail_to(smtp_email)
    assert sorted(received) == ["clara@gamma.test", "dora@provider.test", "ruslan@gamma.test"]
    email = received["clara@gamma.test"][0]
    assert email["Subject"] == "[#00001234] New message: Boiler is cold"
    text, html = text_part(email), html_part(email)
    assert "Eric Engineer wrote on ticket 00001234 «Boiler is cold»:" in text
    assert "We ordered the part.\nIt arrives on <b>Monday</b>." in text
    assert "It arrives on &lt;b&gt;Monday&lt;/b&gt;." in html  # escaped in HTML
    assert "http://127.0.0.1:8000/portal/tickets/00001234/#messages" in text
    staff = received["dora@provider.test"][0]
    # Dora reads Russian; the staff subject names the author. (An encoded subject parses with
    # the folding space in front: strip it.)
    assert staff["Subject"].strip() == "[#00001234] Новое сообщение (Eric Engineer): Boiler is cold"
    assert "/backoffice/tickets/00001234/#messages" in text_part(staff)
    assert "Здравствуйте, Руслан Коллега!" in text_part(received["ruslan@gamma.test"][0])
    notes = Notification.objects.filter(message=message)
    assert sorted(notes.values_list("user__email", "kind")) == [
        ("clara@gamma.test", Kind.MESSAGE_NEW),
        ("dora@provider.test", Kind.MESSAGE_NEW),
        ("ruslan@gamma.test", Kind.MESSAGE_NEW),
    ]


def test_a_customer_message_reaches_the_assignee_not_the_author(cast, smtp_email, commit):
    ticket = working_ticket(cast)

    commit(message_post, by=cast.contact, ticket=ticket, body="Still cold.")

    received = mail_to(smtp_email)
    # The engineer; the colleague who follows; not Clara herself, not the dispatchers.
    assert sorted(received) == ["eric@provider.test", "ruslan@gamma.test"]
    email = received["eric@provider.test"][0]
    assert email["Subject"] == "[#00001234] New message from Clara Contact: Boiler is cold"
    assert "Still cold." in text_part(email)


def test_an_unassigned_tickets_customer_message_reaches_the_dispatchers(cast, smtp_email, commit):
    ticket = working_ticket(cast, status=Status.NEW)

    commit(message_post, by=cast.contact, ticket=ticket, body="Any news?")

    assert sorted(mail_to(smtp_email)) == [
        "ada@provider.test",
        "dora@provider.test",
        "ruslan@gamma.test",
    ]


def test_an_internal_note_never_reaches_a_customer(cast, smtp_email, commit, settings):
    settings.MAIL_REPLY_ADDRESS = "support@desk.example.com"
    ticket = working_ticket(cast, assignee=cast.other_engineer)
    ticket.followers.create(user=cast.engineer)
    NotificationSettings.objects.create(user=cast.contact, message_digest=Digest.HOURLY)

    note = commit(
        message_post,
        by=cast.other_engineer,
        ticket=ticket,
        body="SECRET: the customer broke it.",
        internal=True,
    )

    received = mail_to(smtp_email)
    assert sorted(received) == ["eric@provider.test"]
    email = received["eric@provider.test"][0]
    assert email["Subject"] == "[#00001234] Internal note: Boiler is cold"
    assert "SECRET: the customer broke it." in text_part(email)
    assert "(the customer does not see it)" in text_part(email)
    # A reply to it is routed back as an internal note.
    token = reply_address_parse(str(email["Reply-To"]))
    assert token is not None and token.internal
    # Nothing for any customer: no email, no bell, no digest line.
    customers = [cast.contact, cast.colleague, cast.stranger]
    assert not OutboundMessage.objects.filter(user__in=customers).exists()
    assert not Notification.objects.filter(user__in=customers).exists()
    assert digests_send(note.created_at) == []
    assert list(Notification.objects.values_list("user", "kind")) == [
        (cast.engineer.pk, Kind.NOTE_NEW)
    ]
    # The customer's pages show nothing of it either.
    client = login(Client(), cast.contact)
    page = client.get(reverse("portal:notifications")).content.decode()
    assert "SECRET" not in page and 'data-testid="notification"' not in page


def test_a_customer_never_reads_a_notes_excerpt_even_from_a_wrong_row(cast, client):
    """Defence in depth: should a row ever point a customer at a note, its text stays out."""
    ticket = working_ticket(cast)
    note = message_post(by=cast.engineer, ticket=ticket, body="SECRET plan", internal=True)
    Notification.objects.create(
        user=cast.contact, kind=Kind.MESSAGE_NEW, ticket=ticket, message=note, actor=cast.engineer
    )
    login(client, cast.contact)

    page = client.get(reverse("portal:notifications")).content.decode()

    assert "Eric Engineer wrote on 00001234" in page
    assert "SECRET" not in page


def test_files_sent_with_a_message_are_named(cast, smtp_email, commit, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    ticket = working_ticket(cast)

    commit(
        message_post,
        by=cast.engineer,
        ticket=ticket,
        body="",
        files=[SimpleUploadedFile("meter.png", png, content_type="image/png")],
    )

    email = mail_to(smtp_email)["clara@gamma.test"][0]
    assert "Files: meter.png" in text_part(email)
    assert "meter.png" in html_part(email) and "<blockquote" not in html_part(email)
