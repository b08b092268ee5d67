"""The guest's status link, /t/<token>/: one ticket, its public messages, a reply; every link
that does not work gets the same page; guessing is rate-limited."""

from typing import Any

import pytest
from django.core import signing
from django.test import Client, TestCase

from servicedesk.conversations.models import Message
from servicedesk.conversations.services import message_post
from servicedesk.intake.links import _SALT, guest_links_revoke, guest_status_url
from servicedesk.intake.models import GuestFiling, GuestLink
from servicedesk.intake.services import guest_ticket_create
from servicedesk.tickets.models import Origin, Status, Ticket
from servicedesk.tickets.services import TicketData
from tests.factories import CompanyFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def filing(ticket_data: TicketData, inbox_company: Any) -> GuestFiling:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return guest_ticket_create(
            company=inbox_company,
            data=ticket_data,
            name="Пётр Гостев",
            email="petr@example.test",
            phone="",
            origin=Origin.WEB_FORM,
            confirm_by=(),
        )


def _path(filing: GuestFiling) -> str:
    url: str = filing.status_url  # type: ignore[attr-defined]
    return url[url.index("/t/") :]


def test_the_link_shows_the_ticket_its_stage_and_public_messages_only(
    client: Client, filing: GuestFiling, django_assert_max_num_queries: Any
) -> None:
    engineer = UserFactory(engineer=True, full_name="Инна Инженер")
    message_post(by=engineer, ticket=filing.ticket, body="Приедем завтра в 10:00.")
    message_post(by=engineer, ticket=filing.ticket, body="СЕКРЕТНАЯ заметка", internal=True)
    for n in range(5):
        message_post(by=engineer, ticket=filing.ticket, body=f"Ещё сообщение {n}")

    with django_assert_max_num_queries(12):
        response = client.get(_path(filing))

    assert response.status_code == 200
    page = response.content.decode()
    assert filing.ticket.number in page
    assert "Не греет котёл" in page
    assert "Новая" in page  # the customer's name for the stage
    assert "Приедем завтра в 10:00." in page
    assert "Инна Инженер" in page
    assert "СЕКРЕТНАЯ" not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_reply_is_posted_as_the_guest_and_reopens_a_resolved_ticket(
    client: Client, filing: GuestFiling
) -> None:
    Ticket.objects.filter(pk=filing.ticket.pk).update(status=Status.RESOLVED)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(_path(filing), {"body": "Снова не греет"})

    assert response.status_code == 302
    message = Message.objects.get(ticket=filing.ticket)
    assert (message.author_id, message.body, message.is_internal) == (
        filing.contact_id,
        "Снова не греет",
        False,
    )
    filing.ticket.refresh_from_db()
    assert filing.ticket.status == Status.NEW  # back to work (no assignee yet)
    assert "Снова не греет" in client.get(_path(filing)).content.decode()


def test_an_empty_reply_is_refused_and_the_page_says_why(
    client: Client, filing: GuestFiling
) -> None:
    response = client.post(_path(filing), {"body": "   "})
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_signed_in_staff_cannot_write_in_the_guests_name(
    client: Client, filing: GuestFiling
) -> None:
    client.force_login(UserFactory(dispatcher=True))
    response = client.post(_path(filing), {"body": "От имени гостя"})
    assert response.status_code == 403
    assert Message.objects.count() == 0


def _assert_invalid(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert 'data-testid="guest-invalid"' in response.content.decode()


def test_a_tampered_token_gets_the_not_valid_page(client: Client, filing: GuestFiling) -> None:
    path = _path(filing)
    _assert_invalid(client, path[:-3] + "xx/")
    _assert_invalid(client, "/t/nonsense/")
    _assert_invalid(client, "/t//")
    assert client.post(path[:-3] + "xx/", {"body": "Привет"}).status_code == 404
    assert Message.objects.count() == 0


def test_another_tickets_id_with_this_links_key_gets_nothing(
    client: Client, filing: GuestFiling, inbox_company: Any
) -> None:
    other = TicketFactory(company=inbox_company, subject="Чужая заявка")
    other_link = GuestLink.objects.create(ticket=other, contact=other.contact)
    link = GuestLink.objects.get(ticket=filing.ticket)
    # The other row's id with this row's key, signed properly: the key does not match.
    forged = signing.Signer(salt=_SALT).sign_object([other_link.pk, link.key])
    _assert_invalid(client, f"/t/{forged}/")
    # A token signed with another salt (the survey's, say) is not a status link.
    survey_like = signing.Signer(salt="servicedesk.conversations.survey").sign_object(
        [link.pk, link.key]
    )
    _assert_invalid(client, f"/t/{survey_like}/")


def test_a_revoked_link_is_dead_and_a_new_one_works(client: Client, filing: GuestFiling) -> None:
    old = _path(filing)
    staff = UserFactory(dispatcher=True)
    assert guest_links_revoke(ticket=filing.ticket, by=staff) == 1
    _assert_invalid(client, old)
    new = guest_status_url(filing.ticket, filing.contact)
    assert new[new.index("/t/") :] != old
    assert client.get(new[new.index("/t/") :]).status_code == 200


def test_the_link_dies_when_the_guest_gets_a_password(client: Client, filing: GuestFiling) -> None:
    filing.contact.set_password("a-real-password-now")
    filing.contact.save()
    _assert_invalid(client, _path(filing))


def test_the_link_dies_when_the_ticket_moves_out_of_the_guests_reach(
    client: Client, filing: GuestFiling
) -> None:
    Ticket.objects.filter(pk=filing.ticket.pk).update(company=CompanyFactory())
    _assert_invalid(client, _path(filing))


def test_the_link_dies_when_the_guest_is_deactivated(client: Client, filing: GuestFiling) -> None:
    filing.contact.is_active = False
    filing.contact.save()
    _assert_invalid(client, _path(filing))


def test_guessing_is_rate_limited_even_for_a_working_link(
    client: Client, filing: GuestFiling, settings: Any
) -> None:
    settings.GUEST_LINK_BAD_PER_HOUR = 3
    for n in range(3):
        assert client.get(f"/t/guess{n}/").status_code == 404
    response = client.get(_path(filing))
    assert response.status_code == 429
    assert filing.ticket.number not in response.content.decode()


def test_replies_are_rate_limited_and_nothing_is_posted_past_the_limit(
    client: Client, filing: GuestFiling, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "guest_reply": "2/h/ip"}
    for n in range(2):
        assert client.post(_path(filing), {"body": f"Сообщение {n}"}).status_code == 302
    response = client.post(_path(filing), {"body": "Третье"})
    assert response.status_code == 429
    assert "Третье" in response.content.decode()  # the text typed is kept
    assert Message.objects.count() == 2


def test_the_guests_emails_about_the_ticket_point_to_the_status_link(
    filing: GuestFiling, smtp_email: Any
) -> None:
    from tests.mail_server import text_part

    engineer = UserFactory(engineer=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        message_post(by=engineer, ticket=filing.ticket, body="Нужна фотография шильдика.")
    smtp_email.wait_for(1)
    (sent,) = [m for m in smtp_email.messages if m["To"] == "petr@example.test"]
    text = text_part(sent)
    assert _path(filing) in text
    assert "/portal/" not in text
