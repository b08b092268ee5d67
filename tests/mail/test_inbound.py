"""The inbound pipeline through its interface (mail/inbound.py): real emails, the real parser,
the real services; answers go out over real SMTP (aiosmtpd)."""

import email
from email import policy
from email.utils import parseaddr

import pytest

from servicedesk.conversations.models import Message
from servicedesk.conversations.services import message_post
from servicedesk.mail.addresses import reply_address
from servicedesk.mail.inbound import (
    inbound_process,
    inbound_receive,
    inbound_reprocess,
    inbound_store,
    inbound_to_ticket,
    rule_extract,
)
from servicedesk.mail.models import InboundMessage, Mailbox, OutboundMessage
from servicedesk.notifications.models import Notification
from servicedesk.tickets.models import Origin, Status, Ticket, TicketAttachment
from tests.factories import MembershipFactory
from tests.mail.inbound_helpers import SUPPORT, make_email

pytestmark = pytest.mark.django_db
State = InboundMessage.State


def receive(desk, raw, capture):
    with capture(execute=True):
        return inbound_receive(mailbox=desk.mailbox, raw=raw, source="pipe")


def test_a_new_email_becomes_a_ticket_with_a_confirmation(
    desk, smtp_email, django_capture_on_commit_callbacks
):
    raw = make_email(attachments=[("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)])
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert (message.state, message.reason) == (State.PROCESSED, "new_ticket")
    ticket = Ticket.objects.get()
    assert ticket == message.ticket
    assert (ticket.origin, ticket.subject, ticket.contact, ticket.company) == (
        Origin.EMAIL, "Printer is broken", desk.customer, desk.company
    )  # fmt: skip
    assert ticket.description == "The printer on floor 2 does not print."
    files = {a.name: a.staff_only for a in TicketAttachment.objects.filter(ticket=ticket)}
    assert files == {"photo.png": False, f"email-{message.pk}.eml": True}
    # One confirmation, an RFC 3834 auto-reply with a reply address bound to the contact.
    smtp_email.wait_for(2)  # the confirmation; the staff's «new ticket» notification
    sent = [m for m in smtp_email.messages if m["To"] == "ivan@alpha.example"]
    assert len(sent) == 1
    assert ticket.number in sent[0]["Subject"]
    assert sent[0]["Auto-Submitted"] == "auto-replied"
    assert sent[0]["Reply-To"] == reply_address(ticket.pk, user_id=desk.customer.pk)


def test_the_same_message_twice_is_stored_and_filed_once(desk, django_capture_on_commit_callbacks):
    raw = make_email(message_id="<same@alpha.example>")
    first = receive(desk, raw, django_capture_on_commit_callbacks)
    again, created = inbound_store(mailbox=desk.mailbox, raw=raw, source="imap")
    assert (again.pk, created) == (first.pk, False)
    assert inbound_process(again).state == State.PROCESSED
    assert (InboundMessage.objects.count(), Ticket.objects.count()) == (1, 1)
    # Without a Message-ID the content hash de-duplicates.
    bare = raw.replace(b"Message-ID: <same@alpha.example>\n", b"")
    one, made = inbound_store(mailbox=desk.mailbox, raw=bare, source="imap")
    two, made_again = inbound_store(mailbox=desk.mailbox, raw=bare, source="imap")
    assert (made, made_again, one.pk == two.pk) == (True, False, True)
    assert one.dedupe_key.startswith("sha256:")


def test_a_crash_mid_processing_leaves_it_failed_and_a_retry_files_it_once(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    from servicedesk.mail import inbound

    message, _ = inbound_store(mailbox=desk.mailbox, raw=make_email(), source="imap")

    def boom(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(inbound, "_keep_original", boom)
    failed = inbound_process(message)
    assert (failed.state, failed.reason) == (State.FAILED, "error")
    assert "worker died" in failed.error
    assert Ticket.objects.count() == 0  # rolled back with the state
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        done = inbound_reprocess(failed, by=desk.admin)
    assert done.state == State.PROCESSED and Ticket.objects.count() == 1
    assert inbound_reprocess(done, by=desk.admin).ticket_id == done.ticket_id
    assert Ticket.objects.count() == 1 and done.attempts == 2


def _ticket_for(desk, capture, **kwargs):
    return receive(desk, make_email(**kwargs), capture).ticket


def test_threading_both_ways_over_smtp(desk, smtp_email, django_capture_on_commit_callbacks):
    """The customer writes; the engineer answers in the back office; the notification arrives
    with the thread headers; the customer's reply to it lands in the chat and reopens."""
    ticket = _ticket_for(desk, django_capture_on_commit_callbacks)
    ticket.assignee = desk.engineer
    ticket.status = Status.WAITING
    ticket.save()
    before = len(smtp_email.wait_for(2))
    with django_capture_on_commit_callbacks(execute=True):
        message_post(by=desk.engineer, ticket=ticket, body="Please restart it.")
    notification = next(
        m for m in smtp_email.wait_for(before + 1)[before:] if m["To"] == "ivan@alpha.example"
    )
    assert notification["In-Reply-To"] and notification["References"]
    reply_to = parseaddr(notification["Reply-To"])[1]
    reply = make_email(
        to=reply_to,
        subject="Re: " + notification["Subject"],
        body="Restarted, still broken.\n\nOn Mon, 7 Dec 2026 at 10:00, Support <"
        + SUPPORT
        + "> wrote:\n> Please restart it.",
        headers={"In-Reply-To": notification["Message-ID"]},
    )
    message = receive(desk, reply, django_capture_on_commit_callbacks)
    assert (message.state, message.reason, message.ticket_id) == (
        State.PROCESSED, "reply", ticket.pk
    )  # fmt: skip
    posted = message.chat_message
    assert (posted.author, posted.body, posted.is_internal) == (
        desk.customer, "Restarted, still broken.", False
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS  # reopened as a portal reply does
    # The engineer is told, without the staff-only original among the files.
    told = [
        m.get_body(("plain",)).get_content()
        for m in smtp_email.messages
        if m["To"] == "eng@desk.example.com"
        and "Restarted, still broken." in m.get_body(("plain",)).get_content()
    ]
    assert len(told) == 1 and ".eml" not in told[0]


def test_a_reply_found_by_in_reply_to_alone(desk, django_capture_on_commit_callbacks):
    ticket = _ticket_for(desk, django_capture_on_commit_callbacks)
    sent = OutboundMessage.objects.create(
        to="ivan@alpha.example", subject="x", message_id="<n1@desk.example.com>",
        ticket=ticket, user=desk.customer, raw="",
    )  # fmt: skip
    raw = make_email(subject="Re: something", body="Thanks", headers={
        "In-Reply-To": sent.message_id, "References": f"<x@y> {sent.message_id}"
    })  # fmt: skip
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert (message.state, message.ticket_id) == (State.PROCESSED, ticket.pk)
    assert message.chat_message.body == "Thanks"


def test_a_bare_subject_tag_never_threads(desk, django_capture_on_commit_callbacks):
    ticket = _ticket_for(desk, django_capture_on_commit_callbacks)
    raw = make_email(subject=f"Re: [#{ticket.number}] {ticket.subject}", body="More")
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.ticket_id != ticket.pk and message.reason == "new_ticket"
    assert Message.objects.filter(ticket=ticket).count() == 0


def test_forged_in_reply_to_from_another_company_never_attaches(
    desk, django_capture_on_commit_callbacks
):
    ticket = _ticket_for(desk, django_capture_on_commit_callbacks)
    sent = OutboundMessage.objects.create(
        to="ivan@alpha.example", subject="x", message_id="<n2@desk.example.com>",
        ticket=ticket, user=desk.customer, raw="",
    )  # fmt: skip
    token_to = reply_address(ticket.pk, user_id=desk.customer.pk)
    raw = make_email(
        sender="Boris <boris@beta.example>", to=token_to, body="I read your ticket",
        headers={"In-Reply-To": sent.message_id},
    )  # fmt: skip
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.ticket_id != ticket.pk
    assert Message.objects.filter(ticket=ticket).count() == 0
    # Boris may write to the desk: his own ticket, in his own company.
    assert message.ticket.company == desk.other_company
    assert message.reason == "not_participant"


def test_a_colleague_who_is_not_a_participant_does_not_reply_into_it(
    desk, django_capture_on_commit_callbacks
):
    ticket = _ticket_for(desk, django_capture_on_commit_callbacks)
    raw = (
        make_email(
            sender="olga@alpha.example",
            to=reply_address(ticket.pk, user_id=desk.customer.pk),
            cc="",
        )
        if False
        else make_email(
            sender="olga@alpha.example", to=reply_address(ticket.pk, user_id=desk.customer.pk)
        )
    )
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.ticket_id != ticket.pk and not Message.objects.filter(ticket=ticket).exists()


def test_staff_replies_need_their_own_token(desk, django_capture_on_commit_callbacks):
    ticket = _ticket_for(desk, django_capture_on_commit_callbacks)
    # From the engineer, but with the customer's token, or none: held, nothing posted.
    for to in (
        reply_address(ticket.pk, user_id=desk.customer.pk),
        reply_address(ticket.pk),
        SUPPORT,
    ):
        raw = make_email(sender="eng@desk.example.com", to=to, body=f"Spoof via {to}")
        message = receive(desk, raw, django_capture_on_commit_callbacks)
        assert (message.state, message.reason) == (State.HELD, "staff_without_token"), to
    assert not Message.objects.filter(ticket=ticket).exists()
    # With the engineer's own token for an internal note: an internal note by the engineer.
    to = reply_address(ticket.pk, user_id=desk.engineer.pk, internal=True)
    raw = make_email(sender="eng@desk.example.com", to=to, body="Note by email")
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.state == State.PROCESSED
    assert (message.chat_message.author, message.chat_message.is_internal) == (desk.engineer, True)
    # The engineer's note token used by the customer: never an internal note.
    raw = make_email(to=to, body="Me too")
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.state == State.HELD and message.reason == "not_participant"
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_control_headers_change_nothing(desk, django_capture_on_commit_callbacks):
    raw = make_email(headers={
        "X-Priority": "1 (Highest)", "Importance": "high", "X-Servicedesk-Company": "Beta",
        "X-Ticket": "1", "X-Role": "admin", "X-Servicedesk-Status": "closed",
    })  # fmt: skip
    ticket = receive(desk, raw, django_capture_on_commit_callbacks).ticket
    assert ticket.company == desk.company and ticket.status == Status.NEW
    assert ticket.criticality.is_default


@pytest.mark.parametrize(
    ("policy_value", "state", "reason", "tickets"),
    [
        (Mailbox.UnknownSender.HOLD, State.HELD, "unknown_sender", 0),
        (Mailbox.UnknownSender.REJECT, State.REJECTED, "unknown_sender", 0),
        (Mailbox.UnknownSender.TICKET, State.PROCESSED, "new_ticket", 1),
        (Mailbox.UnknownSender.INVITE, State.PROCESSED, "new_ticket", 1),
    ],
)
def test_unknown_senders_follow_the_mailbox_policy(
    desk, smtp_email, django_capture_on_commit_callbacks, policy_value, state, reason, tickets
):
    desk.mailbox.unknown_sender = policy_value
    desk.mailbox.save()
    raw = make_email(sender="New Person <new@alpha.example>")
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert (message.state, message.reason, Ticket.objects.count()) == (state, reason, tickets)
    if tickets:
        contact = message.ticket.contact
        assert (contact.email, contact.full_name) == ("new@alpha.example", "New Person")
        membership = contact.memberships.get()
        assert (membership.company, membership.sees_all_tickets) == (desk.company, False)
        assert contact.invitations.exists() is (policy_value == Mailbox.UnknownSender.INVITE)
    if policy_value == Mailbox.UnknownSender.REJECT:
        sent = smtp_email.wait_for(1)
        assert sent[0]["To"] == "new@alpha.example"
        assert sent[0]["Auto-Submitted"] == "auto-replied"


def test_senders_no_rule_allows_are_held(desk, django_capture_on_commit_callbacks):
    message = receive(
        desk, make_email(sender="x@gamma.example"), django_capture_on_commit_callbacks
    )
    assert (message.state, message.reason) == (State.HELD, "sender_not_allowed")


def test_a_registered_customer_needs_no_row(desk, smtp_email, django_capture_on_commit_callbacks):
    # Given a customer of Alpha whose address no row matches, and one of two companies
    customer = MembershipFactory(company=desk.company, user__email="anna@alpha-retail.example").user
    both = MembershipFactory(company=desk.company, user__email="olga@holding.example").user
    MembershipFactory(company=desk.other_company, user=both)
    # When each writes to the mailbox
    own = receive(
        desk,
        make_email(sender="Anna <anna@alpha-retail.example>"),
        django_capture_on_commit_callbacks,
    )
    several = receive(
        desk, make_email(sender="Olga <olga@holding.example>"), django_capture_on_commit_callbacks
    )
    # Then the one company's customer files a ticket there and gets its number
    assert (own.state, own.reason) == (State.PROCESSED, "new_ticket")
    assert (own.ticket.company, own.ticket.contact) == (desk.company, customer)
    smtp_email.wait_for(1)
    assert any(
        m["To"] == "anna@alpha-retail.example" and own.ticket.number in m["Subject"]
        for m in smtp_email.messages
    )
    # And the person of two companies is held for staff to choose (nothing is guessed)
    assert (several.state, several.reason) == (State.HELD, "company_unknown")
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "sender", "state", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "ivan@alpha.example", State.IGNORED, "auto_reply"),
        ({"X-Autoreply": "yes"}, "ivan@alpha.example", State.IGNORED, "auto_reply"),
        ({"Return-Path": "<>"}, "ivan@alpha.example", State.IGNORED, "bounce"),
        ({}, "MAILER-DAEMON@alpha.example", State.IGNORED, "bounce"),
        ({}, "postmaster@alpha.example", State.IGNORED, "bounce"),
        ({}, SUPPORT, State.IGNORED, "loop"),
        ({}, "noreply@desk.example.com", State.IGNORED, "loop"),
        ({}, "support+u1-2-0123456789abcdef@desk.example.com", State.IGNORED, "loop"),
        # Automatic but not a reply: a ticket (monitoring), without a confirmation.
        ({"Auto-Submitted": "auto-generated"}, "ivan@alpha.example", State.PROCESSED, "new_ticket"),
        ({"Precedence": "bulk"}, "ivan@alpha.example", State.PROCESSED, "new_ticket"),
        ({"Precedence": "list"}, "ivan@alpha.example", State.PROCESSED, "new_ticket"),
        ({"Precedence": "junk"}, "ivan@alpha.example", State.PROCESSED, "new_ticket"),
        (
            {"List-Id": "<alerts.alpha.example>"},
            "ivan@alpha.example",
            State.PROCESSED,
            "new_ticket",
        ),
        ({"Auto-Submitted": "no"}, "ivan@alpha.example", State.PROCESSED, "new_ticket"),
    ],
)
def test_loops_get_no_automatic_answer(
    desk, smtp_email, django_capture_on_commit_callbacks, headers, sender, state, reason
):
    message = receive(
        desk, make_email(sender=sender, headers=headers), django_capture_on_commit_callbacks
    )
    assert (message.state, message.reason) == (state, reason)
    confirmations = OutboundMessage.objects.filter(kind="inbound_confirmation").count()
    assert confirmations == (1 if headers == {"Auto-Submitted": "no"} else 0)


def test_a_flooding_sender_is_held_and_admins_are_told(
    desk, client_for, django_capture_on_commit_callbacks
):
    desk.mailbox.flood_per_minute = 3
    desk.mailbox.save()
    states = [
        receive(desk, make_email(subject=f"Alert {n}"), django_capture_on_commit_callbacks).state
        for n in range(5)
    ]
    assert states == [State.PROCESSED] * 3 + [State.HELD] * 2
    assert InboundMessage.objects.filter(reason="flood").count() == 2
    assert Ticket.objects.count() == 3
    told = Notification.objects.filter(kind=Notification.Kind.MAIL_HELD)
    assert list(told.values_list("user_id", flat=True)) == [desk.admin.pk]  # once, not twice
    page = client_for(desk.admin).get("/backoffice/notifications/")  # in the admin's Russian
    assert "Письма от ivan@alpha.example задержаны: слишком много писем" in page.content.decode()
    # An admin releases a held one: processed despite the limit.
    held = InboundMessage.objects.filter(reason="flood").first()
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_reprocess(held, by=desk.admin).state == State.PROCESSED
    assert Ticket.objects.count() == 4


def test_limits_hold_or_fail(desk, settings, django_capture_on_commit_callbacks):
    settings.MAIL_INBOUND_MAX_ATTACHMENTS = 2
    raw = make_email(attachments=[(f"f{n}.txt", "text/plain", b"hello") for n in range(3)])
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert (message.state, message.reason) == (State.HELD, "limits")
    settings.MAIL_INBOUND_MAX_HEADER = 200
    raw = make_email(subject="x" * 300)
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert (message.state, message.reason) == (State.FAILED, "limits")
    assert Ticket.objects.count() == 0


def test_refused_files_are_named_in_the_text(desk, english, django_capture_on_commit_callbacks):
    raw = make_email(attachments=[("run.exe", "application/octet-stream", b"MZ" + b"0" * 50)])
    ticket = receive(desk, raw, django_capture_on_commit_callbacks).ticket
    assert ticket.description == (
        "The printer on floor 2 does not print.\n\n"
        "Not attached: “run.exe”: files of type .exe are not accepted."
    )
    assert list(TicketAttachment.objects.filter(ticket=ticket, staff_only=False)) == []


def test_the_original_is_for_staff_only(desk, client_for, django_capture_on_commit_callbacks):
    from servicedesk.tickets.selectors import ticket_attachment_list

    ticket = receive(desk, make_email(), django_capture_on_commit_callbacks).ticket
    original = TicketAttachment.objects.get(ticket=ticket, staff_only=True)
    assert original not in ticket_attachment_list(ticket, desk.customer)
    assert original in ticket_attachment_list(ticket, desk.engineer)
    path = f"tickets/{ticket.number}/files/{original.pk}/"
    assert client_for(desk.customer).get(f"/portal/{path}").status_code == 404
    staff = client_for(desk.engineer).get(f"/backoffice/{path}")
    assert staff.status_code == 200
    assert b"".join(staff.streaming_content).startswith(b"From: Ivan <ivan@alpha.example>")


def test_rule_extract_fills_fields_and_survives_bad_patterns():
    rule = [
        {"field": "equipment", "source": "subject", "pattern": r"S/N[:\s]*(\w+)"},
        {"field": "site", "source": "body", "pattern": r"^Site:\s*(.+)$"},
        {"field": "criticality", "source": "body", "pattern": r"(unclosed"},
        {"field": "role", "source": "body", "pattern": r"(admin)"},
        {"field": "work_type", "source": "body", "pattern": r"no group"},
    ]
    found = rule_extract(rule, "Alarm S/N: AB123", "Hello\nSite: Main office\nadmin")
    assert found == {"equipment": "AB123", "site": "Main office"}
    assert rule_extract("not a list", "a", "b") == {}


def test_extracted_places_come_from_the_ticket_company_only(
    desk, django_capture_on_commit_callbacks
):
    from tests.factories import SiteFactory

    SiteFactory(company=desk.other_company, name="Beta HQ")
    mine = SiteFactory(company=desk.company, name="Alpha HQ")
    desk.rule.extract = [{"field": "site", "source": "body", "pattern": r"Site:\s*(.+)"}]
    desk.rule.save()
    ticket = receive(
        desk, make_email(body="Site: Beta HQ"), django_capture_on_commit_callbacks
    ).ticket
    assert ticket.site is None
    ticket = receive(
        desk, make_email(body="Site: Alpha HQ"), django_capture_on_commit_callbacks
    ).ticket
    assert ticket.site == mine


def test_an_admin_turns_a_held_message_into_a_ticket(desk, django_capture_on_commit_callbacks):
    message = receive(
        desk, make_email(sender="x@gamma.example"), django_capture_on_commit_callbacks
    )
    assert message.state == State.HELD
    ticket = inbound_to_ticket(message, by=desk.admin, company=desk.company, contact=desk.customer)
    message.refresh_from_db()
    assert (message.state, message.reason, message.ticket) == (State.PROCESSED, "manual", ticket)
    assert ticket.origin == Origin.EMAIL and ticket.subject == "Printer is broken"


def test_cc_gives_no_access(desk, django_capture_on_commit_callbacks):
    raw = make_email(headers={"Cc": "stranger@gamma.example, olga@alpha.example"})
    ticket = receive(desk, raw, django_capture_on_commit_callbacks).ticket
    from servicedesk.accounts.models import User

    assert not User.objects.filter(email="stranger@gamma.example").exists()
    assert list(ticket.followers.values_list("user__email", flat=True)) == ["ivan@alpha.example"]


def test_the_stored_raw_is_the_message(desk):
    raw = make_email()
    message, _ = inbound_store(mailbox=desk.mailbox, raw=raw, source="webhook")
    assert message.state == State.RECEIVED and message.size == len(raw)
    with message.raw.open("rb") as handle:
        assert handle.read() == raw
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == message.subject


def test_a_hold_decided_half_way_leaves_nothing_behind(desk, django_capture_on_commit_callbacks):
    """An unknown sender's contact is made, then the ticket cannot be filed (no ticket type):
    held, and the contact is gone with the rest."""
    from servicedesk.accounts.models import User
    from servicedesk.customers.models import TicketType

    desk.mailbox.unknown_sender = Mailbox.UnknownSender.TICKET
    desk.mailbox.save()
    TicketType.objects.update(is_active=False)
    message = receive(
        desk, make_email(sender="new@alpha.example"), django_capture_on_commit_callbacks
    )
    assert (message.state, message.reason) == (State.HELD, "ticket_invalid")
    assert not User.objects.filter(email="new@alpha.example").exists()
    assert Ticket.objects.count() == 0


def test_automatic_mail_from_an_unknown_sender_gets_no_invitation(
    desk, django_capture_on_commit_callbacks
):
    desk.mailbox.unknown_sender = Mailbox.UnknownSender.INVITE
    desk.mailbox.save()
    raw = make_email(sender="monitor@alpha.example", headers={"Auto-Submitted": "auto-generated"})
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.state == State.PROCESSED
    contact = message.ticket.contact
    assert contact.email == "monitor@alpha.example" and not contact.invitations.exists()
    assert not OutboundMessage.objects.filter(kind="inbound_confirmation").exists()


@pytest.mark.parametrize(
    "sender",
    ["Ivan <ivаn@alpha.example>", "ivan@alpha.example@gamma.example", "", "Ivan <>"],
)
def test_senders_that_are_no_plain_address_are_held(
    desk, smtp_email, django_capture_on_commit_callbacks, sender
):
    message = receive(desk, make_email(sender=sender), django_capture_on_commit_callbacks)
    assert (message.state, message.reason) == (State.HELD, "bad_sender")
    assert Ticket.objects.count() == 0 and OutboundMessage.objects.count() == 0


def test_another_companys_ticket_number_in_the_subject_threads_nothing(
    desk, django_capture_on_commit_callbacks
):
    alpha = receive(desk, make_email(), django_capture_on_commit_callbacks).ticket
    raw = make_email(
        sender="boris@beta.example", subject=f"Re: [#{alpha.number}] {alpha.subject}", body="Mine"
    )
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert (message.state, message.reason) == (State.PROCESSED, "new_ticket")
    assert message.ticket.company == desk.other_company and message.ticket != alpha
    assert not Message.objects.filter(ticket=alpha).exists()
