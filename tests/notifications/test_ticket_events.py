"""Who is told what about a ticket's life, by email (through a real SMTP server) and on the bell:
filing, assignment, status changes, the proposed solution, closing (by the customer or by
itself). Nobody hears about their own action, another company's people never hear anything,
each email is in its reader's language with the number in the subject and the thread headers."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from django.core import mail
from django.db.models import Q
from django.test import Client

from servicedesk.accounts.models import User
from servicedesk.customers.models import Criticality, TicketType
from servicedesk.mail.addresses import reply_address_parse, thread_root_id
from servicedesk.mail.models import OutboundMessage
from servicedesk.notifications.models import Notification
from servicedesk.tickets.models import Origin, Status, Ticket
from servicedesk.tickets.services import (
    TicketData,
    ticket_accept_resolution,
    ticket_assign,
    ticket_bulk,
    ticket_create,
    ticket_transition,
    tickets_close_resolved,
)
from tests.conftest import login
from tests.mail_server import html_part, text_part
from tests.notifications.conftest import Cast, mail_to, working_ticket

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def bell(ticket: Ticket) -> list[tuple[str, str]]:
    """(person's email, kind) of the ticket's notifications."""
    return sorted(
        Notification.objects.filter(ticket=ticket).values_list("user__email", "kind"), key=str
    )


def file_ticket(cast: Cast, by=None, **data) -> Ticket:
    data.setdefault("subject", "Printer jams")
    return ticket_create(
        by=by or cast.contact,
        contact=cast.contact,
        data=TicketData(
            description="It jams on every page.",
            ticket_type=TicketType.objects.first(),
            criticality=Criticality.objects.first(),
            company=cast.company,
            **data,
        ),
        origin=Origin.PORTAL if by is None else Origin.PHONE,
    )


def assert_threaded(message: EmailMessage, ticket: Ticket) -> None:
    root = thread_root_id(ticket.pk)
    assert message["In-Reply-To"] == root
    assert message["References"] == root
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Message-ID"].endswith("@localhost>")


# --- Filing ----------------------------------------------------------------------------------


def test_a_new_ticket_tells_the_contact_and_the_dispatchers(cast, smtp_email, commit):
    ticket = commit(file_ticket, cast)

    received = mail_to(smtp_email)
    # The contact's receipt, the two holders of the dispatch permission; nobody else.
    assert sorted(received) == ["ada@provider.test", "clara@gamma.test", "dora@provider.test"]
    receipt = received["clara@gamma.test"][0]
    assert receipt["Subject"] == f"[#{ticket.number}] Your ticket is registered: Printer jams"
    text = text_part(receipt)
    assert "Hello, Clara Contact!" in text
    assert f"Your ticket is registered under number {ticket.number}." in text
    assert "It jams on every page." in text
    assert f"http://127.0.0.1:8000/portal/tickets/{ticket.number}/" in text
    assert '<html lang="en">' in html_part(receipt)
    english = received["ada@provider.test"][0]
    assert english["Subject"] == f"[#{ticket.number}] New ticket: Printer jams"
    assert f"/backoffice/tickets/{ticket.number}/" in text_part(english)
    assert "/portal/" not in text_part(english)
    russian = received["dora@provider.test"][0]
    assert russian["Subject"].strip() == f"[#{ticket.number}] Новая заявка: Printer jams"
    assert "Здравствуйте, Дора Диспетчер!" in text_part(russian)
    assert '<html lang="ru">' in html_part(russian)
    for message in smtp_email.messages:
        assert_threaded(message, ticket)
        assert message["Reply-To"] is None  # MAIL_REPLY_ADDRESS is not set
    assert len({m["Message-ID"] for m in smtp_email.messages}) == 3
    # The bell: the dispatchers, and the colleague who sees all the company's tickets (in the
    # app only, by default); not the contact, who filed it themselves.
    assert bell(ticket) == [
        ("ada@provider.test", Kind.TICKET_CREATED),
        ("dora@provider.test", Kind.TICKET_CREATED),
        ("ruslan@gamma.test", Kind.COMPANY_TICKET),
    ]
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_staff_filing_for_a_customer_are_not_told_themselves(cast, smtp_email, commit):
    ticket = commit(file_ticket, cast, by=cast.dispatcher)

    assert sorted(mail_to(smtp_email)) == ["ada@provider.test", "clara@gamma.test"]
    assert ("dora@provider.test", Kind.TICKET_CREATED) not in bell(ticket)
    # The contact did not file it: the receipt and the bell.
    assert ("clara@gamma.test", Kind.TICKET_CREATED) in bell(ticket)


def test_inactive_people_and_people_without_email_hear_nothing(cast, smtp_email, commit):
    cast.admin.is_active = False
    cast.admin.save()
    cast.dispatcher.email = None
    cast.dispatcher.phone = "+79120000001"
    cast.dispatcher.save()

    ticket = commit(file_ticket, cast)

    assert sorted(mail_to(smtp_email)) == ["clara@gamma.test"]
    # No address: still the bell. Inactive: nothing.
    assert [e for e, _k in bell(ticket) if e != "ruslan@gamma.test"] == [None]


def test_reply_to_and_message_id_domain_when_configured(cast, smtp_email, commit, settings):
    settings.MAIL_REPLY_ADDRESS = "Service desk <support@desk.example.com>"
    settings.MAIL_MESSAGE_ID_DOMAIN = "desk.example.com"

    ticket = commit(file_ticket, cast)

    for message in smtp_email.messages:
        reply_to = message["Reply-To"]
        assert reply_to.addresses[0].domain == "desk.example.com"
        # Per recipient since issue 17: the token names the ticket and the person.
        assert reply_to.addresses[0].username.startswith("support+u")
        token = reply_address_parse(str(reply_to))
        assert token is not None and (token.ticket_id, token.internal) == (ticket.pk, False)
        recipient = User.objects.get(email=message["To"].addresses[0].addr_spec)
        assert token.user_id == recipient.pk
        assert message["Message-ID"].endswith("@desk.example.com>")
        assert message["References"] == thread_root_id(ticket.pk)
        assert message["References"].endswith("@desk.example.com>")


# --- Assignment and status -------------------------------------------------------------------


def test_assignment_tells_the_assignee_and_the_customer_reads_in_progress(cast, smtp_email, commit):
    ticket = working_ticket(cast, status=Status.NEW)

    commit(ticket_assign, by=cast.dispatcher, ticket=ticket, assignee=cast.engineer)

    received = mail_to(smtp_email)
    assert sorted(received) == ["clara@gamma.test", "eric@provider.test", "ruslan@gamma.test"]
    assigned = received["eric@provider.test"][0]
    assert assigned["Subject"] == "[#00001234] Assigned to you: Boiler is cold"
    assert "Дора Диспетчер assigned ticket 00001234 to you." in text_part(assigned)
    assert_threaded(assigned, ticket)
    # The customer's side: New → "In progress" (Assigned reads so), in each one's language.
    status = received["clara@gamma.test"][0]
    assert status["Subject"] == "[#00001234] In progress: Boiler is cold"
    assert "New → In progress" in text_part(status)
    assert "/portal/tickets/00001234/" in text_part(status)
    assert "Дора" not in text_part(status)  # who changed it is staff's business
    assert '<html lang="ru">' in html_part(received["ruslan@gamma.test"][0])
    assert bell(ticket) == [
        ("clara@gamma.test", Kind.STATUS_CHANGED),
        ("eric@provider.test", Kind.TICKET_ASSIGNED),
        ("ruslan@gamma.test", Kind.STATUS_CHANGED),
    ]
    note = Notification.objects.get(user=cast.contact)
    assert (note.actor, note.data) == (cast.dispatcher, {"old": "new", "new": "assigned"})


def test_a_step_the_customer_does_not_see_tells_only_staff(cast, smtp_email, commit):
    ticket = working_ticket(cast, status=Status.ASSIGNED)
    ticket.followers.create(user=cast.dispatcher)

    commit(ticket_transition, by=cast.engineer, ticket=ticket, code="start")

    # Assigned and In progress read the same to customers: only the staff follower hears.
    assert sorted(mail_to(smtp_email)) == ["dora@provider.test"]
    assert bell(ticket) == [("dora@provider.test", Kind.STATUS_CHANGED)]


def test_waiting_for_the_customer(cast, smtp_email, commit):
    ticket = working_ticket(cast)

    commit(ticket_transition, by=cast.engineer, ticket=ticket, code="wait")

    received = mail_to(smtp_email)
    assert sorted(received) == ["clara@gamma.test", "ruslan@gamma.test"]
    message = received["clara@gamma.test"][0]
    assert message["Subject"] == "[#00001234] Waiting for your reply: Boiler is cold"
    assert_threaded(message, ticket)


def test_the_proposed_solution_with_accept_and_reply(cast, smtp_email, commit):
    ticket = working_ticket(cast)

    commit(
        ticket_transition,
        by=cast.engineer,
        ticket=ticket,
        code="resolve",
        resolution="Replaced the thermostat.",
    )

    received = mail_to(smtp_email)
    assert sorted(received) == ["clara@gamma.test", "ruslan@gamma.test"]
    message = received["clara@gamma.test"][0]
    assert message["Subject"] == "[#00001234] Solution proposed: Boiler is cold"
    text, html = text_part(message), html_part(message)
    assert "Replaced the thermostat." in text and "Replaced the thermostat." in html
    page = "http://127.0.0.1:8000/portal/tickets/00001234/"
    assert f"Accept the solution: {page}#resolution" in text
    assert f"Reply: {page}#messages" in text
    assert f'href="{page}#resolution"' in html and f'href="{page}#messages"' in html
    assert "closes by itself in 7 days" in text
    assert bell(ticket) == [
        ("clara@gamma.test", Kind.TICKET_RESOLVED),
        ("ruslan@gamma.test", Kind.TICKET_RESOLVED),
    ]
    # The links land on the proposed solution (with its Accept button) and on the chat.
    portal = login(Client(), cast.contact).get("/portal/tickets/00001234/").content.decode()
    assert 'id="resolution"' in portal and 'data-testid="accept"' in portal
    assert 'id="messages"' in portal


def test_accepting_closes_and_everyone_of_the_customer_gets_the_survey(cast, smtp_email, commit):
    ticket = working_ticket(cast, status=Status.RESOLVED, resolution="Done.")

    commit(ticket_accept_resolution, by=cast.contact, ticket=ticket)

    received = mail_to(smtp_email)
    # The colleague and the engineer are told; the contact, who accepted, gets the closing email
    # too: it carries the survey, as when the ticket closes any other way (issue 22).
    assert sorted(received) == ["clara@gamma.test", "eric@provider.test", "ruslan@gamma.test"]
    own = received["clara@gamma.test"][0]
    assert own["Subject"] == "[#00001234] Ticket closed: Boiler is cold"
    assert "http://127.0.0.1:8000/survey/" in text_part(own)
    closed = received["ruslan@gamma.test"][0]
    assert closed["Subject"].strip() == "[#00001234] Заявка закрыта: Boiler is cold"
    assert "http://127.0.0.1:8000/survey/" in text_part(closed)
    staff = received["eric@provider.test"][0]
    assert staff["Subject"] == "[#00001234] Closed: Boiler is cold"
    assert "Solution proposed" not in text_part(staff)  # staff read their own stage names
    assert "Resolved → Closed" in text_part(staff)
    assert "Changed by Clara Contact." in text_part(staff)
    assert "/survey/" not in text_part(staff)
    assert bell(ticket) == [
        ("eric@provider.test", Kind.STATUS_CHANGED),
        ("ruslan@gamma.test", Kind.TICKET_CLOSED),
    ]


def test_closing_by_itself_tells_the_customer_with_the_survey(cast, smtp_email, commit):
    resolved = datetime(2026, 3, 1, tzinfo=UTC)
    ticket = working_ticket(cast, status=Status.RESOLVED, resolution="Done.", resolved_at=resolved)

    commit(tickets_close_resolved, now=resolved + timedelta(days=8), days=7)

    received = mail_to(smtp_email)
    assert sorted(received) == ["clara@gamma.test", "eric@provider.test", "ruslan@gamma.test"]
    message = received["clara@gamma.test"][0]
    assert message["Subject"] == "[#00001234] Ticket closed: Boiler is cold"
    assert "http://127.0.0.1:8000/survey/" in text_part(message)
    assert_threaded(message, ticket)
    assert Notification.objects.get(user=cast.contact, ticket=ticket).actor is None


def test_a_bulk_assignment_tells_the_assignee_of_each_ticket(cast, smtp_email, commit):
    first = working_ticket(cast, status=Status.NEW)
    second = working_ticket(cast, status=Status.NEW, number="00001235")
    done = working_ticket(cast, status=Status.CANCELLED, number="00001236")

    results = commit(
        ticket_bulk,
        by=cast.dispatcher,
        tickets=[first, second, done],
        action="assign",
        value=cast.engineer,
    )

    assert [r.ok for r in results] == [True, True, False]
    subjects = sorted(m["Subject"] for m in mail_to(smtp_email)["eric@provider.test"])
    assert subjects == [
        "[#00001234] Assigned to you: Boiler is cold",
        "[#00001235] Assigned to you: Boiler is cold",
    ]
    assert not Notification.objects.filter(ticket=done).exists()


def test_a_customers_reply_to_a_solution_reopens_and_tells_both_sides(cast, smtp_email, commit):
    from servicedesk.conversations.services import message_post

    ticket = working_ticket(cast, status=Status.RESOLVED, resolution="Done.")

    commit(message_post, by=cast.contact, ticket=ticket, body="Still cold!")

    received = mail_to(smtp_email)
    assert sorted(received) == ["eric@provider.test", "ruslan@gamma.test"]
    engineer = sorted(m["Subject"] for m in received["eric@provider.test"])
    assert engineer == [
        "[#00001234] In progress: Boiler is cold",
        "[#00001234] New message from Clara Contact: Boiler is cold",
    ]
    assert (
        len(received["ruslan@gamma.test"]) == 2
    )  # the message and Solution proposed → In progress
    assert not Notification.objects.filter(user=cast.contact).exists()


def test_another_companys_people_never_hear(cast, smtp_email, commit):
    """The stranger follows a ticket of another company (a follow row left from before, or made
    by hand): the scoping layer says they cannot see it, so nothing reaches them."""
    ticket = working_ticket(cast)
    ticket.followers.create(user=cast.stranger)

    commit(ticket_transition, by=cast.engineer, ticket=ticket, code="wait")
    commit(ticket_transition, by=cast.engineer, ticket=ticket, code="resume")

    assert "sam@delta.test" not in mail_to(smtp_email)
    assert not Notification.objects.filter(user=cast.stranger).exists()


def test_a_stale_solution_email_is_not_sent(cast, smtp_email, django_capture_on_commit_callbacks):
    """Resolved and reopened before the worker got to it: the customer is not asked to accept
    a solution that is no longer proposed."""
    ticket = working_ticket(cast)
    with django_capture_on_commit_callbacks() as callbacks:
        ticket_transition(by=cast.engineer, ticket=ticket, code="resolve", resolution="Done.")
    ticket_transition(by=cast.engineer, ticket=ticket, code="reopen", reason="Not yet.")
    for callback in callbacks:
        callback()

    assert not Notification.objects.filter(
        Q(kind=Kind.TICKET_RESOLVED) | Q(user__email__endswith="gamma.test")
    ).exists()
    assert smtp_email.messages == []


def test_running_a_task_twice_tells_nobody_twice(cast, smtp_email, commit):
    from servicedesk.notifications import delivery

    ticket = commit(file_ticket, cast)
    count = len(smtp_email.messages)

    assert delivery.ticket_created(ticket.pk) == []

    assert len(smtp_email.messages) == count
    assert Notification.objects.filter(ticket=ticket).count() == 3


def test_nothing_is_sent_before_the_commit(cast, smtp_email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        file_ticket(cast)
    assert (smtp_email.messages, mail.outbox, Notification.objects.count()) == ([], [], 0)
    for callback in callbacks:  # the commit
        callback()
    assert len(smtp_email.messages) == 3


def test_subjects_and_text_parts_are_text_and_only_html_escapes(cast, smtp_email, commit):
    # Given a subject and a name with the characters HTML escapes
    cast.contact.full_name = 'Clara "C&C" <Contact>'
    cast.contact.save()
    subject = 'Pump <A&B> "main" isn\'t running'
    ticket = commit(file_ticket, cast, subject=subject)
    # Then the subjects and plain-text parts read exactly as typed
    receipt = mail_to(smtp_email)["clara@gamma.test"][0]
    assert receipt["Subject"] == f"[#{ticket.number}] Your ticket is registered: {subject}"
    text = text_part(receipt)
    assert 'Hello, Clara "C&C" <Contact>!' in text
    assert "&lt;" not in text and "&amp;" not in text and "&quot;" not in text
    staff = mail_to(smtp_email)["ada@provider.test"][0]
    assert staff["Subject"] == f"[#{ticket.number}] New ticket: {subject}"
    # while the HTML part escapes them
    html = html_part(receipt)
    assert "Pump &lt;A&amp;B&gt;" in html and "<A&B>" not in html


def test_the_receipt_carries_what_the_customer_entered(cast, smtp_email, commit):
    from servicedesk.customers.models import Product

    till = Product.objects.create(name_ru="Касса", name_en="Till", code="till-r")
    ticket = commit(file_ticket, cast, product=till, country="KZ")
    receipt = mail_to(smtp_email)["clara@gamma.test"][0]
    for part in (text_part(receipt), html_part(receipt)):
        assert "Till" in part and "Kazakhstan" in part
    assert ticket.product == till
