"""What the chat's messages and the inbox's rows show (their markup: `message` in
conversations/_chat.html, `row` in conversations/_inbox.html), in both areas: who wrote, as
whom, when, the text and the files — hostile names and text shown as text — internal notes only
to staff, the ticks only on the reader's own public messages."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from servicedesk.accounts.models import User
from servicedesk.conversations.services import conversation_read, message_post
from servicedesk.tickets.models import Status, Ticket
from tests.conftest import PNG, World, login
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
NOW = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def ticket(world: World) -> Ticket:
    return TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        assignee=world.users["engineer"],
        status=Status.IN_PROGRESS,
    )


def english(user: User) -> User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def article(html: str, pk: int) -> str:
    end = html.index(f'id="message-{pk}"')
    start = html.rindex("<article", 0, end)
    return html[start : html.index("</article>", end)]


def page(client: Client, area: str, ticket: Ticket) -> str:
    return client.get(reverse(f"{area}:ticket_detail", args=[ticket.number])).content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("area", "reader"), [("portal", "cust_a"), ("backoffice", "engineer")])
def test_a_message_shows_its_author_role_time_text_and_files(
    world: World, client: Client, ticket: Ticket, area: str, reader: str
) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    customer.full_name = f"Ann {HOSTILE}"
    customer.save(update_fields=["full_name"])
    asked = message_post(by=customer, ticket=ticket, body=f"**Pump** {HOSTILE}")
    answered = message_post(
        by=engineer,
        ticket=ticket,
        body="",
        files=[
            SimpleUploadedFile('seal".png', PNG),
            SimpleUploadedFile("<b>act</b>.txt", b"12345"),
        ],
    )
    login(client, english(world.users[reader]))
    html = page(client, area, ticket)
    mine, theirs = (asked, answered) if area == "portal" else (answered, asked)

    first = article(html, asked.pk)
    assert f'data-message-id="{asked.pk}" data-testid="message"' in first
    assert f'data-testid="message-author">Ann {ESCAPED}</span>' in first
    assert 'data-testid="message-role">customer</span>' in first
    # When, in the reader's time zone (Moscow here: UTC+3).
    assert (
        '<time class="text-body-secondary text-nowrap" datetime="2026-03-04T12:30:00+03:00">'
        in (first)
    )
    # The text is markdown, sanitised: formatting kept, markup shown as text.
    assert "<strong>Pump</strong> &lt;script&gt;alert(" in first and "<script>" not in first

    second = article(html, answered.pk)
    assert 'data-testid="message-role">service team</span>' in second
    assert 'data-testid="message-body"' not in second  # no text, files only
    files = reverse(f"{area}:ticket_attachment", args=[ticket.number, 0])[: -len("0/")]
    seal, act = answered.attachments.order_by("pk")
    # An image gets a thumbnail, through the checked view; names are text.
    thumb = f'<img class="chat-thumb rounded border" src="{files}{seal.pk}/?inline=1"'
    assert f'{thumb} alt="seal&quot;.png"' in second
    assert f'<a class="text-break" href="{files}{act.pk}/">{escape(act.name)}</a>' in second
    assert "<b>act" not in second
    assert "5\xa0bytes" in second

    # Ticks on the reader's own public messages only.
    assert 'data-testid="ticks"' in article(html, mine.pk)
    assert 'data-testid="ticks"' not in article(html, theirs.pk)
    assert "chat-mine" in article(html, mine.pk) and "chat-mine" not in article(html, theirs.pk)


def test_the_ticks_say_read_once_the_other_side_has_read(
    world: World, client: Client, ticket: Ticket
) -> None:
    customer = world.users["cust_a"]
    sent = message_post(by=customer, ticket=ticket, body="Hello")
    login(client, customer)
    html = page(client, "portal", ticket)
    assert 'class="chat-ticks" data-testid="ticks"' in article(html, sent.pk)
    conversation_read(user=world.users["engineer"], ticket=ticket, newest_id=sent.pk)
    html = page(client, "portal", ticket)
    assert 'class="chat-ticks is-read" data-testid="ticks"' in article(html, sent.pk)


def test_internal_notes_reach_staff_only(world: World, client: Client, ticket: Ticket) -> None:
    engineer = world.users["engineer"]
    note = message_post(
        by=engineer,
        ticket=ticket,
        body="Secret: the customer owes us",
        internal=True,
        files=[SimpleUploadedFile("debt.png", PNG)],
    )
    public = message_post(by=engineer, ticket=ticket, body="We are on our way")
    login(client, engineer)
    staff = page(client, "backoffice", ticket)
    shown = article(staff, note.pk)
    assert 'data-testid="internal-note"' in shown and "chat-internal" in shown
    assert "bi-lock-fill" in shown and 'data-testid="ticks"' not in shown
    login(client, world.users["cust_a"])
    for html in (
        page(client, "portal", ticket),
        client.get(
            reverse("portal:ticket_messages_poll", args=[ticket.number]), {"after": 0}
        ).content.decode(),
        client.get(
            reverse("portal:ticket_messages_earlier", args=[ticket.number]),
            {"before": public.pk + 1},
        ).content.decode(),
    ):
        assert "Secret" not in html and "debt.png" not in html
        assert f'id="message-{note.pk}"' not in html
        assert 'data-testid="internal-note"' not in html


def inbox_row(html: str, subject_text: str) -> str:
    for row in re.findall(r'<a class="list-group-item[^"]*inbox-row.*?</a>', html, re.S):
        if subject_text in row:
            return str(row)
    raise AssertionError(f"no inbox row with {subject_text!r}")


@pytest.mark.parametrize(("area", "reader"), [("portal", "cust_a"), ("backoffice", "engineer")])
def test_an_inbox_row_shows_the_ticket_the_last_word_and_the_unread(
    world: World, client: Client, area: str, reader: str
) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    hostile = TicketFactory(
        company=world.companies["A"], contact=customer, assignee=engineer, subject=HOSTILE
    )
    files_only = TicketFactory(
        company=world.companies["A"], contact=customer, assignee=engineer, subject="Pump"
    )
    message_post(by=customer, ticket=hostile, body=f"Look {HOSTILE}")
    message_post(by=engineer, ticket=hostile, body="<b>On it</b>")
    message_post(by=engineer, ticket=files_only, body="", files=[SimpleUploadedFile("a.png", PNG)])
    login(client, english(world.users[reader]))
    html = client.get(reverse(f"{area}:messages")).content.decode()
    assert "<script>" not in html

    row = inbox_row(html, ESCAPED)
    detail = reverse(f"{area}:ticket_detail", args=[hostile.number])
    assert f'href="{detail}#messages"' in row
    assert f'<span class="text-body-secondary me-1">{hostile.number}</span>{ESCAPED}' in row
    # The last word: the reader's own ("You: …") or the author's name; markup shown as text.
    who = "You" if area == "backoffice" else engineer.full_name
    assert f'data-testid="inbox-excerpt">{who}: &lt;b&gt;On it&lt;/b&gt;</span>' in row

    files_row = inbox_row(html, "Pump")
    assert '<i class="bi bi-paperclip" aria-hidden="true"></i> files</span>' in files_row
    if area == "portal":
        assert 'title="Unread">1</span>' in files_row
