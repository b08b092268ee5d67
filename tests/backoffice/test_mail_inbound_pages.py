"""The back office's incoming mail pages (admins only): mailboxes with «Test connection» against
a real Dovecot, the password never shown back, the webhook token shown once, sender rows with
the live regex test, the health page, and held/failed messages handled by hand."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.mail.inbound import inbound_receive
from servicedesk.mail.models import InboundMessage, Mailbox, OutboundMessage, SenderRule
from servicedesk.tickets.models import Origin, Ticket
from tests.factories import UserFactory
from tests.mail.inbound_helpers import make_email

pytestmark = pytest.mark.django_db
State = InboundMessage.State

PAGES = [
    ("backoffice:mail_health", [], "health"),
    ("backoffice:mailboxes", [], "mailboxes"),
    ("backoffice:mailbox_new", [], "mailbox-form"),
    ("backoffice:inbound_mail", [], "state-tabs"),
]


@pytest.fixture
def admin_web(desk, client_for):
    return client_for(desk.admin)


def receive(desk, raw, capture):
    with capture(execute=True):
        return inbound_receive(mailbox=desk.mailbox, raw=raw, source="pipe")


@pytest.mark.parametrize("role", ["engineer", "dispatcher", "customer"])
def test_only_admins_see_the_pages(desk, client_for, role):
    user = {
        "engineer": desk.engineer,
        "dispatcher": UserFactory(dispatcher=True),
        "customer": desk.customer,
    }[role]
    client = client_for(user)
    rule = desk.rule
    message = InboundMessage.objects.create(
        mailbox=desk.mailbox, sha256="0" * 64, dedupe_key="k", source="pipe", raw="x.eml"
    )
    for name, args in [
        *((name, args) for name, args, _testid in PAGES),
        ("backoffice:mailbox_edit", [desk.mailbox.pk]),
        ("backoffice:sender_edit", [rule.pk]),
        ("backoffice:inbound_detail", [message.pk]),
        ("backoffice:inbound_raw", [message.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code in (404, 302), name  # customers are sent to the portal
    # Nor do posts change anything.
    before = (
        Mailbox.objects.get(pk=desk.mailbox.pk).webhook_token_hash,
        SenderRule.objects.count(),
    )
    client.post(reverse("backoffice:mailbox_token", args=[desk.mailbox.pk]))
    client.post(reverse("backoffice:sender_delete", args=[rule.pk]))
    client.post(reverse("backoffice:inbound_reject", args=[message.pk]))
    after = (Mailbox.objects.get(pk=desk.mailbox.pk).webhook_token_hash, SenderRule.objects.count())
    assert before == after
    assert InboundMessage.objects.get(pk=message.pk).state == State.RECEIVED


@pytest.mark.parametrize(("name", "args", "testid"), PAGES)
def test_admins_see_the_pages(admin_web, name, args, testid):
    response = admin_web.get(reverse(name, args=args))
    assert response.status_code == 200
    assert f'data-testid="{testid}"'.encode() in response.content


def test_the_menu_has_incoming_mail_for_admins_only(desk, client_for):
    link = reverse("backoffice:mail_health").encode()
    assert link in client_for(desk.admin).get(reverse("backoffice:dashboard")).content
    assert link not in client_for(desk.engineer).get(reverse("backoffice:dashboard")).content


def test_a_mailbox_is_created_and_its_password_never_shown(admin_web, desk):
    data = {
        "name": "Sales",
        "address": "sales@desk.example.com",
        "is_active": "on",
        "imap_host": "imap.example.com",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_login": "sales",
        "password": "s3cr3t-app-password",
        "imap_folder": "INBOX",
        "after_processing": "flag",
        "unknown_sender": "hold",
        "flood_per_minute": "5",
        "flood_per_hour": "30",
    }
    response = admin_web.post(reverse("backoffice:mailbox_new"), data)
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(address="sales@desk.example.com")
    assert mailbox.imap_password_plain() == "s3cr3t-app-password"
    assert "s3cr3t" not in mailbox.imap_password  # encrypted at rest
    page = admin_web.get(reverse("backoffice:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "s3cr3t" not in page
    assert mailbox.imap_password not in page
    assert 'data-testid="password-stored"' in page

    # Saved again without a password: the stored one stays; with "forget": gone.
    data.pop("password")
    admin_web.post(reverse("backoffice:mailbox_edit", args=[mailbox.pk]), data)
    mailbox.refresh_from_db()
    assert mailbox.imap_password_plain() == "s3cr3t-app-password"
    response = admin_web.post(
        reverse("backoffice:mailbox_edit", args=[mailbox.pk]),
        {**data, "imap_host": "", "clear_password": "on"},
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.imap_password == ""


def test_a_mailbox_with_imap_needs_login_and_password(admin_web, desk):
    response = admin_web.post(
        reverse("backoffice:mailbox_new"),
        {
            "name": "X",
            "address": "x@desk.example.com",
            "imap_host": "imap.example.com",
            "imap_port": "993",
            "imap_security": "ssl",
            "imap_folder": "INBOX",
            "after_processing": "flag",
            "unknown_sender": "hold",
            "flood_per_minute": "5",
            "flood_per_hour": "30",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Для сервера IMAP нужен логин." in html
    assert "Для сервера IMAP нужен пароль." in html
    assert not Mailbox.objects.filter(address="x@desk.example.com").exists()


def test_test_connection_against_dovecot(admin_web, desk, imap_server, settings):
    settings.LANGUAGE_CODE = "en"
    user = imap_server.new_user()
    imap_server.append(user, make_email())
    form = {
        "name": "Support",
        "address": desk.mailbox.address,
        "imap_host": imap_server.host,
        "imap_port": str(imap_server.port),
        "imap_security": "none",
        "imap_login": user,
        "imap_folder": "INBOX",
    }
    url = reverse("backoffice:mailbox_test", args=[desk.mailbox.pk])
    good = admin_web.post(url, {**form, "password": imap_server.password}, HTTP_HX_REQUEST="true")
    assert good.status_code == 200
    assert b"alert-success" in good.content
    assert b"Connected; 1 unread message(s) in INBOX." in good.content
    bad = admin_web.post(url, {**form, "password": "wrong"}, HTTP_HX_REQUEST="true")
    assert b"alert-danger" in bad.content
    assert b"refused the login or the password" in bad.content
    # Testing saves nothing.
    desk.mailbox.refresh_from_db()
    assert (desk.mailbox.imap_host, desk.mailbox.imap_password) == ("", "")


def test_the_webhook_token_is_shown_once_and_works(admin_web, desk, client):
    response = admin_web.post(reverse("backoffice:mailbox_token", args=[desk.mailbox.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = re.search(rb'data-testid="token">([^<]+)<', response.content).group(1).decode()
    desk.mailbox.refresh_from_db()
    assert desk.mailbox.check_webhook_token(token)
    assert token not in desk.mailbox.webhook_token_hash
    page = admin_web.get(reverse("backoffice:mailbox_edit", args=[desk.mailbox.pk]))
    assert token.encode() not in page.content
    # Revoked: the webhook refuses it.
    admin_web.post(
        reverse("backoffice:mailbox_token", args=[desk.mailbox.pk]), {"action": "revoke"}
    )
    desk.mailbox.refresh_from_db()
    assert not desk.mailbox.check_webhook_token(token)


def test_sender_rows_are_added_reordered_and_deleted(admin_web, desk):
    url = reverse("backoffice:sender_new", args=[desk.mailbox.pk])
    response = admin_web.post(
        url,
        {
            "pattern": "Boss@Gamma.Example",
            "company": desk.company.pk,
            "send_confirmation": "on",
            "extract-TOTAL_FORMS": "2",
            "extract-INITIAL_FORMS": "0",
            "extract-0-field": "subject",
            "extract-0-source": "subject",
            "extract-0-pattern": r"\[(.+)\]",
            "extract-1-field": "site",
            "extract-1-source": "body",
            "extract-1-pattern": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = list(SenderRule.objects.filter(mailbox=desk.mailbox).order_by("position", "pk"))
    assert [r.pattern for r in rules] == ["*@alpha.example", "*@beta.example", "boss@gamma.example"]
    new = rules[-1]
    assert new.extract == [{"field": "subject", "source": "subject", "pattern": r"\[(.+)\]"}]
    assert (new.send_confirmation, new.replies_by_email) == (True, False)

    admin_web.post(reverse("backoffice:sender_move", args=[new.pk]), {"direction": "up"})
    order = SenderRule.objects.filter(mailbox=desk.mailbox).order_by("position")
    assert list(order.values_list("pattern", flat=True)) == [
        "*@alpha.example",
        "boss@gamma.example",
        "*@beta.example",
    ]
    admin_web.post(reverse("backoffice:sender_delete", args=[new.pk]))
    assert not SenderRule.objects.filter(pk=new.pk).exists()


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [("*@*", True), ("*@example.com", True), ("a@b.example", True), ("*@", False), ("bob", False)],
)
def test_sender_patterns_are_checked(admin_web, desk, pattern, ok):
    response = admin_web.post(
        reverse("backoffice:sender_new", args=[desk.mailbox.pk]),
        {"pattern": pattern, "extract-TOTAL_FORMS": "0", "extract-INITIAL_FORMS": "0"},
    )
    assert response.status_code == (302 if ok else 400)


def test_a_bad_regular_expression_is_refused(admin_web, desk):
    response = admin_web.post(
        reverse("backoffice:sender_edit", args=[desk.rule.pk]),
        {
            "pattern": "*@alpha.example",
            "extract-TOTAL_FORMS": "1",
            "extract-INITIAL_FORMS": "0",
            "extract-0-field": "subject",
            "extract-0-source": "subject",
            "extract-0-pattern": "no group",
        },
    )
    assert response.status_code == 400
    assert "одна группа" in response.content.decode()
    desk.rule.refresh_from_db()
    assert desk.rule.extract == []


def test_the_live_regex_test_uses_the_pipeline_function(admin_web, desk):
    response = admin_web.post(
        reverse("backoffice:sender_test"),
        {
            "extract-TOTAL_FORMS": "2",
            "extract-INITIAL_FORMS": "0",
            "extract-0-field": "site",
            "extract-0-source": "body",
            "extract-0-pattern": r"Site:\s*(\S+)",
            "extract-1-field": "subject",
            "extract-1-source": "subject",
            "extract-1-pattern": "(unclosed",
            "sample_subject": "Printer",
            "sample_body": "Hello\nSite: HQ-2\nThanks",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'data-testid="extract-value">([^<]*)<', html) == ["HQ-2"]
    assert "2: Это не регулярное выражение: missing )" in html


def test_the_health_page_shows_polls_errors_held_failed_and_hourly_counts(
    admin_web, desk, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    mailbox = desk.mailbox
    mailbox.imap_host, mailbox.imap_login = "imap.example.com", "support"
    mailbox.last_polled_at = timezone.now()
    mailbox.last_poll_error = "imap.example.com:993 refused the login or the password for support."
    mailbox.save()
    other = Mailbox.objects.create(name="Webhook", address="hook@desk.example.com")
    receive(desk, make_email(), django_capture_on_commit_callbacks)  # processed
    receive(desk, make_email(sender="x@nowhere.example"), django_capture_on_commit_callbacks)
    receive(desk, b"garbage without headers", django_capture_on_commit_callbacks)
    old = receive(desk, make_email(subject="old"), django_capture_on_commit_callbacks)
    InboundMessage.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=3))
    OutboundMessage.objects.create(
        to="a@b.c", subject="s", message_id="<1@x>", raw="", status="failed"
    )
    admin_web.get(reverse("backoffice:mail_health"))  # warm up
    with django_assert_max_num_queries(12):
        response = admin_web.get(reverse("backoffice:mail_health"))
    html = response.content.decode()
    rows = dict(re.findall(r'data-mailbox="(\d+)">(.*?)</tr>', html, re.S))
    mine = rows[str(mailbox.pk)]
    assert "refused the login or the password for support." in mine
    assert re.search(r'data-testid="held">1<', mine)
    assert re.search(r'data-testid="failed">1<', mine)
    counts = re.search(r'data-counts="([\d,]+)"', mine).group(1).split(",")
    assert len(counts) == 24 and counts[-1] == "3" and sum(map(int, counts)) == 3
    assert re.search(r'data-counts="([\d,]+)"', rows[str(other.pk)]).group(1) == ",".join(
        ["0"] * 24
    )
    assert 'data-testid="outbound-summary"' in html


def test_the_inbound_list_filters_and_counts_queries(
    admin_web, desk, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for n in range(5):
        receive(desk, make_email(subject=f"n{n}"), django_capture_on_commit_callbacks)
    receive(desk, make_email(sender="x@nowhere.example"), django_capture_on_commit_callbacks)
    url = reverse("backoffice:inbound_mail")
    admin_web.get(url)
    with django_assert_max_num_queries(12):
        response = admin_web.get(url)
    assert response.content.count(b'data-testid="inbound-row"') == 6
    held = admin_web.get(url, {"state": "held", "mailbox": desk.mailbox.pk})
    assert held.content.count(b'data-testid="inbound-row"') == 1


def test_a_held_message_is_viewed_downloaded_and_filed_by_hand(
    admin_web, desk, django_capture_on_commit_callbacks
):
    raw = make_email(sender="Stranger <x@nowhere.example>", subject="Please help", body="Hi <b>")
    message = receive(desk, raw, django_capture_on_commit_callbacks)
    assert message.state == State.HELD
    page = admin_web.get(reverse("backoffice:inbound_detail", args=[message.pk]))
    html = page.content.decode()
    assert "Please help" in html and "Hi &lt;b&gt;" in html
    assert 'data-testid="to-ticket"' in html
    download = admin_web.get(reverse("backoffice:inbound_raw", args=[message.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == raw

    # Filed for a customer person chosen by address.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_web.post(
            reverse("backoffice:inbound_ticket", args=[message.pk]),
            {"contact_email": desk.customer.email},
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.subject, ticket.origin, ticket.contact, ticket.company) == (
        "Please help",
        Origin.EMAIL,
        desk.customer,
        desk.company,
    )
    message.refresh_from_db()
    assert (message.state, message.ticket) == (State.PROCESSED, ticket)


def test_an_unknown_contact_address_files_nothing(
    admin_web, desk, django_capture_on_commit_callbacks
):
    message = receive(
        desk, make_email(sender="x@nowhere.example"), django_capture_on_commit_callbacks
    )
    response = admin_web.post(
        reverse("backoffice:inbound_ticket", args=[message.pk]),
        {"contact_email": "x@nowhere.example"},
    )
    assert response.status_code == 400
    assert "Нет представителя заказчика с таким адресом." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_reject_and_reprocess(admin_web, desk, django_capture_on_commit_callbacks):
    held = receive(desk, make_email(sender="x@nowhere.example"), django_capture_on_commit_callbacks)
    admin_web.post(reverse("backoffice:inbound_reject", args=[held.pk]))
    held.refresh_from_db()
    assert (held.state, held.reason) == (State.REJECTED, "by_staff")

    # Held because no row allowed the sender; a row is added; processing again files it.
    again = receive(
        desk,
        make_email(sender="y@gamma.example", subject="Later"),
        django_capture_on_commit_callbacks,
    )
    assert (again.state, again.reason) == (State.HELD, "sender_not_allowed")
    # The reasons read as words, in the admin's language, never as codes.
    listing = admin_web.get(reverse("backoffice:inbound_mail")).content.decode()
    assert "не подходит ни одна строка разрешённых отправителей" in listing
    assert "отклонено сотрудником" in listing
    assert ">sender_not_allowed<" not in listing
    desk.mailbox.unknown_sender = Mailbox.UnknownSender.TICKET
    desk.mailbox.save()
    SenderRule.objects.create(mailbox=desk.mailbox, pattern="*@gamma.example", company=desk.company)
    with django_capture_on_commit_callbacks(execute=True):
        admin_web.post(reverse("backoffice:inbound_reprocess", args=[again.pk]))
    again.refresh_from_db()
    assert again.state == State.PROCESSED
    assert Ticket.objects.get().subject == "Later"


def test_test_connection_before_the_mailbox_exists(admin_web, desk, imap_server, settings):
    settings.LANGUAGE_CODE = "en"
    form = {
        "name": "New",
        "address": "new@desk.example.com",
        "imap_host": imap_server.host,
        "imap_port": str(imap_server.port),
        "imap_security": "none",
        "imap_login": imap_server.new_user(),
        "imap_folder": "INBOX",
        "password": imap_server.password,
    }
    url = reverse("backoffice:mailbox_test_new")
    response = admin_web.post(url, form, HTTP_HX_REQUEST="true")
    assert b"Connected; 0 unread message(s) in INBOX." in response.content
    missing = admin_web.post(url, {**form, "imap_host": ""}, HTTP_HX_REQUEST="true")
    assert b"Enter the IMAP server and login first." in missing.content
    assert not Mailbox.objects.filter(address="new@desk.example.com").exists()
