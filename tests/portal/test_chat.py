"""The chat on the portal's ticket page: what it shows, posting with and without htmx (errors
beside the composer, the text kept), the poll (204 while nothing changes, at the cost of the
session and the user; news appended and read), earlier messages, files, and another company's
ticket answering 404 on every URL."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.conversations.models import Message, Participant
from servicedesk.conversations.selectors import MESSAGES_PER_PAGE
from servicedesk.conversations.services import conversation_read, message_post
from servicedesk.tickets.models import Status, Ticket, TicketAttachment
from tests.conftest import PNG, World, login
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def ticket(world: World) -> Ticket:
    return TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        assignee=world.users["engineer"],
        status=Status.IN_PROGRESS,
    )


def url(name: str, ticket: Ticket | str, *args: Any) -> str:
    number = ticket if isinstance(ticket, str) else ticket.number
    return reverse(f"portal:{name}", args=[number, *args])


def poll(client: Client, ticket: Ticket | str, after: int = 0, read: int = 0) -> Any:
    return client.get(url("ticket_messages_poll", ticket), {"after": after, "read": read})


def article(html: str, pk: int) -> str:
    """The message's element in the page."""
    end = html.index(f'id="message-{pk}"')
    start = html.rindex("<article", 0, end)
    return html[start : html.index("</article>", end)]


def page_state(html: str) -> tuple[int, int]:
    found = re.search(
        r'name="after" value="(\d+)"><input type="hidden" name="read" value="(\d+)"', html
    )
    assert found, html
    return int(found[1]), int(found[2])


def state(html: str) -> tuple[int, int]:
    found = re.search(
        r'<div id="chat-state" hidden hx-swap-oob="true"><input type="hidden" name="after" '
        r'value="(\d+)"><input type="hidden" name="read" value="(\d+)"></div>',
        html,
    )
    assert found, html
    return int(found[1]), int(found[2])


def test_the_page_shows_the_conversation(
    world: World, client: Client, ticket: Ticket, english: None
) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    customer.time_zone = "Asia/Vladivostok"
    customer.save()
    mine = message_post(by=customer, ticket=ticket, body="It *still* leaks")
    reply = message_post(by=engineer, ticket=ticket, body="See https://example.com/manual")
    message_post(by=engineer, ticket=ticket, body="Secret: overcharge", internal=True)
    conversation_read(user=engineer, ticket=ticket)
    login(client, customer)

    html = client.get(url("ticket_detail", ticket)).content.decode()

    assert "Secret" not in html
    assert "It <em>still</em> leaks" in html
    assert (
        '<a href="https://example.com/manual" target="_blank" '
        'rel="noopener noreferrer nofollow">' in html
    )
    # Own message on the right with its ticks (the service team has read it); the reply with
    # its author's role; times in the reader's time zone.
    own = article(html, mine.pk)
    assert "chat-mine" in own and 'class="chat-ticks is-read"' in own
    assert "service team" in article(html, reply.pk)
    assert "chat-mine" not in article(html, reply.pk)
    local = mine.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Vladivostok"))
    # The project's English short format is 24-hour ("j M Y, H:i", config/formats/en).
    assert f"{local:%H:%M}" in own
    # The page carries the state for the poll, and opening it read the conversation.
    assert f'name="after" value="{reply.pk}"' in html
    assert Participant.objects.get(ticket=ticket, user=customer).unread == 0


def test_an_htmx_post_appends_the_message_and_empties_the_composer(
    world: World, client: Client, ticket: Ticket
) -> None:
    customer = world.users["cust_a"]
    earlier = message_post(by=world.users["engineer"], ticket=ticket, body="When?")
    login(client, customer)
    client.get(url("ticket_detail", ticket))
    meanwhile = message_post(by=world.users["engineer"], ticket=ticket, body="Meanwhile")

    response = client.post(
        url("ticket_message", ticket),
        {"body": "**Tomorrow** please", "after": earlier.pk, "read": 0},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    sent = Message.objects.get(body="**Tomorrow** please")
    # What came meanwhile and the new message, in order; the poll's state after them; an
    # empty composer swapped in out of band.
    assert html.index(f'id="message-{meanwhile.pk}"') < html.index(f'id="message-{sent.pk}"')
    assert "<strong>Tomorrow</strong> please" in html
    assert state(html) == (sent.pk, meanwhile.pk)  # the engineer has read up to their own
    composer = html[html.index('<form id="composer"') :]
    assert 'hx-swap-oob="true"' in composer.split(">", 1)[0]
    assert "></textarea>" in composer
    assert f'id="message-{earlier.pk}"' not in html


def test_a_refused_message_comes_back_with_the_reason_and_the_text(
    world: World, client: Client, ticket: Ticket, english: None
) -> None:
    login(client, world.users["cust_a"])
    typed = "Look at this photo & tell me"
    response = client.post(
        url("ticket_message", ticket),
        {"body": typed, "after": 0, "read": 0, "files": [SimpleUploadedFile("leak.exe", b"MZ")]},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == "#composer"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<form id="composer"')
    assert 'data-testid="composer-error"' in html and "files of type .exe" in html
    assert "Look at this photo &amp; tell me</textarea>" in html
    assert not Message.objects.exists() and not TicketAttachment.objects.exists()

    # Without htmx: the page again (400) with the composer as it was.
    page = client.post(url("ticket_message", ticket), {"body": "x" * 10_001})
    assert page.status_code == 400
    html = page.content.decode()
    assert "The message is too long" in html and "x" * 10_001 + "</textarea>" in html
    assert not Message.objects.exists()


def test_without_htmx_a_message_goes_back_to_the_page(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_a"])
    response = client.post(url("ticket_message", ticket), {"body": "Plain form"})
    assert response.status_code == 302
    assert response["Location"] == url("ticket_detail", ticket) + "#messages"
    assert Message.objects.get().body == "Plain form"


def test_a_reply_that_reopens_the_ticket_reloads_the_page(
    world: World, client: Client, ticket: Ticket
) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
    login(client, world.users["cust_a"])
    response = client.post(url("ticket_message", ticket), {"body": "Not fixed"}, headers=HTMX)
    assert response["HX-Refresh"] == "true"
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_files_in_the_chat(world: World, client: Client, ticket: Ticket) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    public = message_post(
        by=engineer,
        ticket=ticket,
        body="Photo",
        files=[SimpleUploadedFile("seal.png", PNG)],
    ).attachments.get()
    secret = message_post(
        by=engineer,
        ticket=ticket,
        body="Invoice",
        internal=True,
        files=[SimpleUploadedFile("invoice.png", PNG)],
    ).attachments.get()
    login(client, customer)
    html = client.get(url("ticket_detail", ticket)).content.decode()
    file_url = url("ticket_attachment", ticket, public.pk)
    assert f'src="{file_url}?inline=1"' in html  # previewed through the checked view
    assert "invoice.png" not in html
    assert client.get(file_url).status_code == 200
    assert client.get(url("ticket_attachment", ticket, secret.pk)).status_code == 404
    # The customer's own files go up with their message.
    response = client.post(
        url("ticket_message", ticket),
        {
            "body": "",
            "files": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.txt", b"hi")],
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    sent = Message.objects.get(author=customer)
    assert sorted(sent.attachments.values_list("name", flat=True)) == ["a.png", "b.txt"]
    assert "a.png" in response.content.decode()


def test_the_poll_answers_204_from_the_cache_while_nothing_changes(
    world: World, client: Client, ticket: Ticket, django_assert_num_queries: Any
) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    message_post(by=engineer, ticket=ticket, body="Hello")
    login(client, customer)
    after, read = page_state(client.get(url("ticket_detail", ticket)).content.decode())

    # the session, the user, the memberships and the ticket through the scoping layer: access
    # is never answered from the cache; whether anything is new is
    with django_assert_num_queries(4):
        response = poll(client, ticket, after, read)
    assert response.status_code == 204 and response.content == b""

    # An internal note changes nothing for the customer.
    message_post(by=engineer, ticket=ticket, body="Note", internal=True)
    assert poll(client, ticket, after, read).status_code == 204
    with django_assert_num_queries(4):
        assert poll(client, ticket, after, read).status_code == 204


def test_the_poll_is_a_404_on_the_next_request_after_access_is_taken_away(
    world: World, client: Client, ticket: Ticket
) -> None:
    # Given a customer polling a ticket's chat
    customer = world.users["cust_a"]
    login(client, customer)
    after, read = page_state(client.get(url("ticket_detail", ticket)).content.decode())
    assert poll(client, ticket, after, read).status_code == 204
    # When their membership is removed
    customer.memberships.all().delete()
    # Then the very next poll is the 404 a missing ticket gets, not "nothing new"
    assert poll(client, ticket, after, read).status_code == 404


def test_the_poll_brings_news_and_reads_them(world: World, client: Client, ticket: Ticket) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    login(client, customer)
    client.get(url("ticket_detail", ticket))
    mine = message_post(by=customer, ticket=ticket, body="Is anyone there?")
    message_post(by=engineer, ticket=ticket, body="Secret", internal=True)
    news = message_post(by=engineer, ticket=ticket, body="Yes, on our way")
    assert Participant.objects.get(ticket=ticket, user=customer).unread == 1

    response = poll(client, ticket, mine.pk, 0)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Yes, on our way" in html and "Secret" not in html
    assert f'id="message-{mine.pk}"' not in html
    # The engineer answered after the customer's message: read up to their own answer.
    assert state(html) == (news.pk, news.pk)
    assert 'id="nav-badge-messages"' in html and 'hx-swap-oob="true"' in html
    assert Participant.objects.get(ticket=ticket, user=customer).unread == 0
    assert poll(client, ticket, news.pk, news.pk).status_code == 204

    # The customer writes again; when the engineer reads it, the customer's next poll moves
    # the read marker only.
    again = message_post(by=customer, ticket=ticket, body="Thanks")
    assert poll(client, ticket, again.pk, news.pk).status_code == 204
    conversation_read(user=engineer, ticket=ticket)
    moved = poll(client, ticket, again.pk, news.pk)
    assert moved.status_code == 200
    assert state(moved.content.decode()) == (again.pk, again.pk)
    assert 'data-testid="message"' not in moved.content.decode()


def test_earlier_messages(world: World, client: Client, ticket: Ticket) -> None:
    customer = world.users["cust_a"]
    sent = [
        message_post(by=customer, ticket=ticket, body=f"Message number {n}")
        for n in range(MESSAGES_PER_PAGE + 3)
    ]
    login(client, customer)
    html = client.get(url("ticket_detail", ticket)).content.decode()
    assert html.count('data-testid="message"') == MESSAGES_PER_PAGE
    assert "Message number 2<" not in html and "Message number 3<" in html
    assert f"?before={sent[3].pk}" in html
    earlier = client.get(url("ticket_messages_earlier", ticket), {"before": sent[3].pk})
    body = earlier.content.decode()
    assert body.count('data-testid="message"') == 3
    assert 'data-testid="earlier"' not in body
    assert body.index("Message number 0<") < body.index("Message number 2<")


def test_hostile_messages_are_shown_as_text(world: World, client: Client, ticket: Ticket) -> None:
    customer = world.users["cust_a"]
    for body in (
        "<script>alert(1)</script>",
        "[click](javascript:alert(2))",
        '<img src=x onerror="alert(3)">',
        "zero\u200bwidth\u202e",
    ):
        message_post(by=customer, ticket=ticket, body=body)
    login(client, customer)
    html = client.get(url("ticket_detail", ticket)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert re.search(r"<img[^>]*onerror", html) is None
    assert "&lt;img src=x onerror=" in html
    assert "zerowidth" in html


@pytest.mark.parametrize(
    ("method", "name", "extra"),
    [
        ("get", "ticket_messages_poll", ()),
        ("get", "ticket_messages_earlier", ()),
        ("post", "ticket_message", ()),
        ("get", "ticket_attachment", ("file",)),
    ],
)
def test_another_companys_ticket_is_a_404_everywhere(
    world: World, client: Client, method: str, name: str, extra: tuple[str, ...]
) -> None:
    theirs = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    file = message_post(
        by=world.users["cust_a"],
        ticket=theirs,
        body="Ours",
        files=[SimpleUploadedFile("ours.png", PNG)],
    ).attachments.get()
    args = [file.pk] if extra else []
    login(client, world.users["cust_b"])
    response = getattr(client, method)(url(name, theirs, *args), {"body": "Hi"}, headers=HTMX)
    missing = getattr(client, method)(url(name, "99999999", *args), {"body": "Hi"}, headers=HTMX)
    assert response.status_code == missing.status_code == 404
    assert Message.objects.count() == 1
    assert not Participant.objects.filter(user=world.users["cust_b"]).exists()


def test_a_poll_with_news_runs_the_same_queries_for_1_and_10_messages(
    world: World, client: Client, ticket: Ticket
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer, engineer = world.users["cust_a"], world.users["engineer"]
    login(client, customer)

    def count(news: int) -> int:
        client.get(url("ticket_detail", ticket))
        after = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for n in range(news):
            message_post(
                by=engineer,
                ticket=ticket,
                body=f"News {n}",
                files=[SimpleUploadedFile("a.png", PNG)],
            )
        with CaptureQueriesContext(connection) as captured:
            response = poll(client, ticket, after, 0)
        assert response.content.decode().count('data-testid="message"') == news
        return len(captured)

    one, ten = count(1), count(10)
    assert one == ten <= 12


def test_each_message_shows_its_own_files_on_both_pages(
    world: World, client: Client, ticket: Ticket
) -> None:
    """The chat takes the messages' files from the page's list of the ticket's files (one
    query): each message its own, an internal note's for staff only."""
    engineer = world.users["engineer"]
    photo = message_post(
        by=engineer, ticket=ticket, body="Photo", files=[SimpleUploadedFile("seal.png", PNG)]
    )
    note = message_post(
        by=engineer,
        ticket=ticket,
        body="Invoice",
        internal=True,
        files=[SimpleUploadedFile("invoice.png", PNG)],
    )
    plain = message_post(by=engineer, ticket=ticket, body="No files")

    def article(html: str, message: Message) -> str:
        start = html.index(f'id="message-{message.pk}"')
        return html[start : html.index("</article>", start)]

    login(client, world.users["cust_a"])
    html = client.get(url("ticket_detail", ticket)).content.decode()
    assert "seal.png" in article(html, photo)
    assert "message-file" not in article(html, plain)
    assert "invoice.png" not in html
    login(client, world.users["dispatcher"])
    html = client.get(reverse("backoffice:ticket_detail", args=[ticket.number])).content.decode()
    assert "seal.png" in article(html, photo) and "invoice.png" not in article(html, photo)
    assert "invoice.png" in article(html, note)
    assert "message-file" not in article(html, plain)


def test_staffs_first_public_reply_reloads_the_page_for_the_sla_panel(
    world: World, client: Client, ticket: Ticket
) -> None:
    """The first public reply records the first response: the staff page reloads so that its
    SLA panel shows it; later replies and internal notes only append."""
    login(client, world.users["engineer"])
    staff_url = reverse("backoffice:ticket_message", args=[ticket.number])
    note = client.post(staff_url, {"body": "Checking", "internal": "1"}, headers=HTMX)
    assert note.status_code == 200 and "HX-Refresh" not in note
    first = client.post(staff_url, {"body": "On our way"}, headers=HTMX)
    assert first["HX-Refresh"] == "true"
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    second = client.post(staff_url, {"body": "Arrived"}, headers=HTMX)
    assert second.status_code == 200 and "HX-Refresh" not in second
    assert Message.objects.filter(ticket=ticket).count() == 3
