"""The ticket page, follow, attachments (upload and download) and the scoping matrix on every
URL of a ticket."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.tickets.models import (
    Status,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketFollower,
    TicketView,
)
from servicedesk.tickets.services import ticket_attachments_add
from tests.conftest import PNG, World, login
from tests.factories import MembershipFactory, TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def client() -> Client:
    """Pages in English, whatever the catalogue holds (texts are compared below)."""
    return Client(headers={"accept-language": "en"})


HTMX = {"HX-Request": "true"}


@pytest.fixture
def ticket(world: World) -> Ticket:
    return TicketFactory(
        number="00001234",
        company=world.companies["A"],
        contact=world.users["cust_ab"],
        subject="Насос не включается",
        description="Line one\nLine <b>two</b>",
        site=world.sites["a_floor"],
        equipment=world.equipment["eq_a_floor"],
        contract=world.contracts["c_a_all"],
    )


def attach(ticket: Ticket, by: Any, name: str = "photo.png", content: bytes = PNG) -> Any:
    return ticket_attachments_add(by=by, ticket=ticket, files=[SimpleUploadedFile(name, content)])[
        0
    ]


def url(name: str, ticket: Any, *args: Any) -> str:
    number = ticket if isinstance(ticket, str) else ticket.number
    return reverse(f"portal:{name}", args=[number, *args])


def test_page_shows_the_ticket(world: World, client: Client, ticket: Ticket, english: None) -> None:
    world.users["cust_ab"].phone = "+79161234567"
    world.users["cust_ab"].save()
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.STATUS_CHANGED,
        old_value="new",
        new_value="in_progress",
    )
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.FIELD_CHANGED,
        field="secret",
        new_value="internal note",
        is_public=False,
    )
    user = world.users["cust_a"]
    response = login(client, user).get(
        url("ticket_detail", ticket), headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ticket 00001234 of " in html
    for text in (
        "Насос не включается",
        "Alphacorp",
        ticket.contact.full_name,
        "tel:+79161234567",
        "+7 916 123-45-67",
        ticket.contact.email,
        world.sites["a_floor"].name,
        world.equipment["eq_a_floor"].name,
        world.contracts["c_a_all"].name,
        "Customer portal",
        "No messages yet.",
        f"{reverse('portal:ticket_new')}?clone=00001234",
        url("ticket_print", ticket),
        url("ticket_pdf", ticket),
    ):
        assert text in html, text
    # No placeholder tabs for what is not built yet (acts, articles)
    assert "No act yet." not in html and "No articles yet." not in html
    # The description is plain text: line breaks kept, markup escaped.
    assert "Line one<br>Line &lt;b&gt;two&lt;/b&gt;" in html
    # Only public events: the status change, not the internal note.
    assert "New" in html and "In progress" in html
    assert "internal note" not in html
    # Customers have no control over the status.
    assert 'name="status"' not in html
    assert TicketView.objects.filter(user=user, ticket=ticket).count() == 1


def test_resolution_shows_when_resolved(world: World, client: Client, ticket: Ticket) -> None:
    from django.utils import timezone

    Ticket.objects.filter(pk=ticket.pk).update(
        status=Status.RESOLVED, resolution="Replaced the fuse", resolved_at=timezone.now()
    )
    html = login(client, world.users["cust_a"]).get(url("ticket_detail", ticket)).content.decode()
    assert 'data-testid="resolution"' in html
    assert "Replaced the fuse" in html


def test_script_in_subject_is_escaped_everywhere(world: World, client: Client) -> None:
    evil = TicketFactory(
        number="00000666",
        company=world.companies["A"],
        subject='<script>alert("x")</script>',
        description="<img src=x onerror=alert(1)>",
    )
    login(client, world.users["cust_a"])
    for name in ("ticket_detail", "ticket_print"):
        html = client.get(url(name, evil)).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


def test_follow_and_unfollow(world: World, client: Client, ticket: Ticket) -> None:
    user = world.users["cust_a"]
    login(client, user)
    response = client.post(url("ticket_follow", ticket), headers=HTMX)
    assert response.status_code == 200
    assert 'data-testid="unfollow"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert TicketFollower.objects.filter(user=user, ticket=ticket).exists()
    # An explicit action is idempotent; without one it toggles.
    client.post(url("ticket_follow", ticket), {"action": "follow"}, headers=HTMX)
    assert TicketFollower.objects.filter(user=user, ticket=ticket).count() == 1
    response = client.post(url("ticket_follow", ticket))
    assert response.status_code == 302
    assert response["Location"] == url("ticket_detail", ticket)
    assert not TicketFollower.objects.filter(user=user, ticket=ticket).exists()
    assert client.get(url("ticket_follow", ticket)).status_code == 405


def test_own_only_member_keeps_seeing_a_followed_ticket(
    world: World, client: Client, ticket: Ticket
) -> None:
    own_only = MembershipFactory(company=world.companies["A"], sees_all_tickets=False).user
    login(client, own_only)
    assert client.get(url("ticket_detail", ticket)).status_code == 404
    TicketFollower.objects.create(ticket=ticket, user=own_only)
    assert client.get(url("ticket_detail", ticket)).status_code == 200


def test_drop_files_on_the_page(
    world: World, client: Client, ticket: Ticket, english: None
) -> None:
    login(client, world.users["cust_a"])
    response = client.post(
        url("ticket_attachments_add", ticket),
        {
            "files": [
                SimpleUploadedFile("схема.png", PNG),
                SimpleUploadedFile("notes.txt", b"hello"),
            ]
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card mb-3" id="attachments"')
    assert "2 files attached." in html
    assert "схема.png" in html and "notes.txt" in html
    assert sorted(TicketAttachment.objects.values_list("name", flat=True)) == [
        "notes.txt",
        "схема.png",
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "Choose a file."),
        ([("fake.pdf", PNG)], ".pdf"),
        ([("run.exe", b"MZ\x90\x00")], ".exe"),
    ],
)
def test_refused_files_show_why_and_store_nothing(
    world: World,
    client: Client,
    ticket: Ticket,
    media: Path,
    english: None,
    files: list[Any],
    message: str,
) -> None:
    login(client, world.users["cust_a"])
    response = client.post(
        url("ticket_attachments_add", ticket),
        {"files": [SimpleUploadedFile(n, c) for n, c in files]},
        headers=HTMX,
    )
    html = response.content.decode()
    assert 'data-testid="attachment-error"' in html
    assert message in html
    assert not TicketAttachment.objects.exists()
    assert not any(media.rglob("*")) or not [p for p in media.rglob("*") if p.is_file()]
    # Without htmx: back to the page with the message.
    fallback = client.post(url("ticket_attachments_add", ticket), {"files": []})
    assert fallback.status_code == 302


def test_download_uses_the_clean_name_and_safe_headers(
    world: World, client: Client, ticket: Ticket
) -> None:
    image = attach(ticket, world.users["cust_ab"], "Фото насоса.png")
    text = attach(ticket, world.users["cust_ab"], "notes.txt", b"hello")
    login(client, world.users["cust_a"])
    download = client.get(url("ticket_attachment", ticket, image.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''%D0%A4%D0%BE%D1%82%D0%BE%20%D0%BD%D0%B0%D1%81%D0%BE%D1%81%D0%B0.png"
        in disposition
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/octet-stream"
    assert "tickets/" not in str(download.headers)  # the storage path never shows
    inline = client.get(url("ticket_attachment", ticket, image.pk) + "?inline=1")
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["Content-Type"] == "image/png"
    assert inline["Content-Security-Policy"].startswith("sandbox")
    # Only images are ever inline.
    not_inline = client.get(url("ticket_attachment", ticket, text.pk) + "?inline=1")
    assert not_inline["Content-Disposition"].startswith("attachment;")
    # The page previews the image through the checked view.
    html = client.get(url("ticket_detail", ticket)).content.decode()
    assert f'src="{url("ticket_attachment", ticket, image.pk)}?inline=1"' in html


def test_attachment_of_another_ticket_is_404(world: World, client: Client, ticket: Ticket) -> None:
    other = TicketFactory(number="00000002", company=world.companies["A"])
    attachment = attach(other, world.users["cust_ab"])
    login(client, world.users["cust_a"])
    assert client.get(url("ticket_attachment", ticket, attachment.pk)).status_code == 404


# --- The scoping matrix ----------------------------------------------------------------------

ENDPOINTS = [
    ("get", "ticket_detail", ()),
    ("get", "ticket_attachment", ("attachment",)),
    ("post", "ticket_attachments_add", ()),
    ("post", "ticket_follow", ()),
    ("get", "ticket_print", ()),
    ("get", "ticket_pdf", ()),
]


def _same_page(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.mark.parametrize(("method", "name", "extra"), ENDPOINTS)
@pytest.mark.parametrize("user_key", ["cust_b", "cust_eq", "cust_none"])
def test_foreign_ticket_is_the_same_404_as_a_missing_one(
    world: World,
    client: Client,
    ticket: Ticket,
    method: str,
    name: str,
    extra: tuple[str, ...],
    user_key: str,
) -> None:
    attachment = attach(ticket, world.users["cust_ab"])
    before = (TicketAttachment.objects.count(), TicketEvent.objects.count())
    login(client, world.users[user_key])
    data = (
        {"files": [SimpleUploadedFile("x.png", PNG)], "action": "follow"}
        if method == "post"
        else {}
    )
    args = [attachment.pk] if extra else []
    foreign = getattr(client, method)(url(name, ticket, *args), data)
    missing = getattr(client, method)(url(name, "99999999", *args), data)
    assert foreign.status_code == missing.status_code == 404
    # The same page, but for the address asked for (the language switch returns to it) and
    # the form token, which differs on every response
    assert _same_page(foreign.content.decode().replace(ticket.number, "99999999")) == _same_page(
        missing.content.decode()
    )
    assert not TicketView.objects.exists()
    assert not TicketFollower.objects.exists()
    assert (TicketAttachment.objects.count(), TicketEvent.objects.count()) == before


def test_anonymous_goes_to_login(client: Client, ticket: Ticket) -> None:
    response = client.get(url("ticket_detail", ticket))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_query_count_is_constant(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    login(client, world.users["cust_a"])

    def queries(n: int) -> int:
        t = TicketFactory(company=world.companies["A"], equipment=world.equipment["eq_a_room"])
        for i in range(n):
            TicketEvent.objects.create(
                ticket=t,
                actor=world.users["engineer"],
                kind="field_changed",
                old_value=str(i),
                new_value="x",
            )
            attach(t, world.users["cust_ab"], f"f{i}.png")
        cache.clear()  # both cold: the reference lists come from the database
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("ticket_detail", t)).status_code == 200
        return len(captured)

    one, twenty = queries(1), queries(20)
    assert one == twenty
    # Cold: the chat's read marker (read, and created on the first visit), the conversation's
    # state and the menu's unread badge (both cached once made), the bell's count, and whether
    # the ticket has an act, and the knowledge-base articles attached to it (the «Статьи» tab).
    assert one <= 23
