"""The Messages inbox in both areas (order, excerpts, unread, filters, read-all, pages), its
query count whatever the number of conversations, the pulse (badge and bell), and the staff's
chat: internal notes, their files, the staff download route."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.conversations.models import Message, Participant
from servicedesk.conversations.selectors import INBOX_PAGE_SIZE, excerpt, unread_total
from servicedesk.conversations.services import message_post
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_assign, ticket_follow
from tests.conftest import PNG, World, login
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def make(world: World, subject: str, company: str = "A", **kwargs: Any) -> Ticket:
    contact = world.users["cust_a"] if company == "A" else world.users["cust_b"]
    return TicketFactory(
        company=world.companies[company], contact=contact, subject=subject, **kwargs
    )


def rows(html: str) -> list[str]:
    return re.findall(r'<span class="inbox-subject[^"]*">.*?</span>([^<]*)</span>', html)


def test_the_customer_inbox(world: World, client: Client) -> None:
    customer, engineer = world.users["cust_a"], world.users["engineer"]
    old = make(world, "Old pump")
    new = make(world, "New printer")
    quiet = make(world, "No messages yet")
    message_post(by=customer, ticket=old, body="The pump *leaks*\n\nfrom the bottom")
    message_post(by=engineer, ticket=new, body="Toner is on its way")
    message_post(by=engineer, ticket=new, body="Secret note", internal=True)
    theirs = make(world, "Beta forklift", company="B")
    message_post(by=engineer, ticket=theirs, body="Beta only")
    login(client, customer)

    html = client.get(reverse("portal:messages")).content.decode()

    assert rows(html) == ["New printer", "Old pump"]  # the latest message first
    assert "Secret note" not in html and "Beta" not in html and quiet.subject not in html
    assert ": Toner is on its way" in html
    assert "You: The pump leaks from the bottom" in html  # plain text, one line
    assert html.count('data-testid="inbox-unread"') == 1
    assert f'href="{reverse("portal:ticket_detail", args=[new.number])}#messages"' in html
    # Unread only
    unread = client.get(reverse("portal:messages"), {"filter": "unread"}).content.decode()
    assert rows(unread) == ["New printer"]
    # Mark all read
    response = client.post(reverse("portal:messages_read_all"))
    assert response.status_code == 302
    assert unread_total(customer) == 0
    assert rows(client.get(reverse("portal:messages"), {"filter": "unread"}).content.decode()) == []


def test_excerpts_are_one_line_of_plain_text() -> None:
    assert excerpt("**Bold** and `code`\n\n- one\n- two") == "Bold and code one two"
    # As the chat shows it (an entity is a character; raw HTML is text), escaped by the page.
    assert excerpt("&lt; <b>x</b>") == "< <b>x</b>"
    assert len(excerpt("word " * 100)) <= 140
    assert excerpt("word " * 100).endswith("…")


@pytest.mark.parametrize("area", ["portal", "backoffice"])
def test_the_inbox_runs_the_same_queries_for_1_and_30_conversations(
    world: World, client: Client, area: str, django_assert_max_num_queries: Any, settings: Any
) -> None:
    user = world.users["cust_a"] if area == "portal" else world.users["engineer"]
    login(client, user)

    def count(conversations: int) -> int:
        Ticket.objects.all().delete()
        for n in range(conversations):
            ticket = make(world, f"Ticket {n}")
            ticket_follow(by=user, ticket=ticket)
            message_post(by=world.users["admin"], ticket=ticket, body=f"Message {n}")
        client.get(reverse(f"{area}:messages"))  # the menu's badge, once
        with django_assert_max_num_queries(12) as captured:
            response = client.get(reverse(f"{area}:messages"))
        assert len(rows(response.content.decode())) == min(conversations, INBOX_PAGE_SIZE)
        return len(captured.captured_queries)

    assert count(1) == count(30)


def test_pages_go_newer_and_older(world: World, client: Client) -> None:
    customer = world.users["cust_a"]
    for n in range(INBOX_PAGE_SIZE + 2):
        message_post(by=customer, ticket=make(world, f"Subject {n:02d}"), body="x")
    login(client, customer)
    first = client.get(reverse("portal:messages")).content.decode()
    assert len(rows(first)) == INBOX_PAGE_SIZE and 'data-testid="older"' in first
    second = client.get(reverse("portal:messages"), {"page": 2}).content.decode()
    assert rows(second) == ["Subject 01", "Subject 00"]
    assert "Newer" in second and 'data-testid="older"' not in second


def test_the_staff_inbox_holds_assigned_followed_and_dispatched_tickets(
    world: World, client: Client
) -> None:
    engineer, dispatcher = world.users["engineer"], world.users["dispatcher"]
    customer = world.users["cust_a"]
    assigned, followed, other = make(world, "Assigned"), make(world, "Followed"), make(world, "X")
    ticket_assign(by=dispatcher, ticket=assigned, assignee=engineer)
    ticket_follow(by=engineer, ticket=followed)
    for ticket in (assigned, followed, other):
        message_post(by=customer, ticket=ticket, body=f"About {ticket.subject}")
    login(client, engineer)
    html = client.get(reverse("backoffice:messages")).content.decode()
    assert rows(html) == ["Followed", "Assigned"]
    assert html.count('data-testid="inbox-unread"') == 2
    login(client, dispatcher)
    assert rows(client.get(reverse("backoffice:messages")).content.decode()) == ["Assigned"]


def test_the_pulse_brings_the_badge_and_the_bell(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    customer = world.users["cust_a"]
    ticket = make(world, "Pump")
    message_post(by=world.users["engineer"], ticket=ticket, body="One")
    message_post(by=world.users["engineer"], ticket=ticket, body="Two")
    login(client, customer)
    html = client.get(reverse("portal:pulse"), {"bell": "1"}).content.decode()
    badge = re.search(r'<span id="nav-badge-messages"[^>]*>', html)
    assert badge and 'hx-swap-oob="true"' in badge[0] and "d-none" not in badge[0]
    assert '<span aria-hidden="true">2</span>' in html
    assert 'id="notification-bell"' in html
    # Without a bell on the page, none is sent; once cached, the badge costs only the
    # memberships it was counted for (session, user, memberships).
    with django_assert_max_num_queries(3):
        quiet = client.get(reverse("portal:pulse")).content.decode()
    assert "notification-bell" not in quiet and "nav-badge-messages" in quiet
    # Nothing unread: the badge is there, hidden (a later swap still finds it).
    Participant.objects.update(unread=0)
    from django.core.cache import cache

    cache.clear()
    html = client.get(reverse("portal:pulse")).content.decode()
    assert re.search(r'<span id="nav-badge-messages" class="[^"]*d-none', html)


def test_every_page_has_the_badge_and_the_pulse(world: World, client: Client) -> None:
    message_post(by=world.users["engineer"], ticket=make(world, "Pump"), body="Hi")
    login(client, world.users["cust_a"])
    html = client.get(reverse("portal:tickets")).content.decode()
    menu = html[html.index('href="/portal/messages/"') :]
    assert '<span aria-hidden="true">1</span>' in menu[: menu.index("</a>")]
    assert f'hx-get="{reverse("portal:pulse")}?bell=1"' in html
    login(client, world.users["engineer"])
    html = client.get(reverse("backoffice:tickets")).content.decode()
    assert 'href="/backoffice/messages/"' in html
    assert f'hx-get="{reverse("backoffice:pulse")}?bell=1"' in html


# --- The staff's chat -------------------------------------------------------------------------


def test_staff_write_internal_notes_with_files(world: World, client: Client) -> None:
    engineer, customer = world.users["engineer"], world.users["cust_a"]
    ticket = make(world, "Pump", assignee=engineer)
    login(client, engineer)
    response = client.post(
        reverse("backoffice:ticket_message", args=[ticket.number]),
        {
            "body": "Check the **invoice**",
            "internal": "1",
            "after": 0,
            "read": 0,
            "files": [SimpleUploadedFile("invoice.png", PNG)],
        },
        headers=HTMX,
    )
    html = response.content.decode()
    note = Message.objects.get()
    assert note.is_internal
    assert 'data-testid="internal-note"' in html and "chat-internal" in html
    assert "<strong>invoice</strong>" in html
    # The staff composer comes back on "internal note", as it was sent.
    composer = html[html.index('<form id="composer"') :]
    assert "is-internal" in composer.split(">", 1)[0]
    file = note.attachments.get()
    staff_url = reverse("backoffice:ticket_attachment", args=[ticket.number, file.pk])
    assert staff_url in html
    assert client.get(staff_url).status_code == 200
    page = client.get(reverse("backoffice:ticket_detail", args=[ticket.number])).content.decode()
    assert "invoice.png" in page and 'data-testid="internal-note"' in page
    # The customer: no note on the page, on the poll, on either download route.
    login(client, customer)
    portal = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "invoice" not in portal
    poll = client.get(reverse("portal:ticket_messages_poll", args=[ticket.number]))
    assert poll.status_code == 204
    portal_url = reverse("portal:ticket_attachment", args=[ticket.number, file.pk])
    assert client.get(portal_url).status_code == 404
    assert client.get(staff_url).status_code == 404


def test_the_staff_poll_brings_internal_notes(world: World, client: Client) -> None:
    engineer, dispatcher = world.users["engineer"], world.users["dispatcher"]
    ticket = make(world, "Pump", assignee=engineer)
    login(client, engineer)
    client.get(reverse("backoffice:ticket_detail", args=[ticket.number]))
    message_post(by=dispatcher, ticket=ticket, body="Call them first", internal=True)
    response = client.get(
        reverse("backoffice:ticket_messages_poll", args=[ticket.number]), {"after": 0}
    )
    assert "Call them first" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "backoffice:messages",
        "backoffice:pulse",
        "backoffice:ticket_messages_poll",
        "backoffice:ticket_messages_earlier",
    ],
)
def test_customers_never_reach_the_staff_urls(world: World, client: Client, name: str) -> None:
    ticket = make(world, "Pump")
    login(client, world.users["cust_a"])
    args = [ticket.number] if "ticket" in name else []
    assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse("backoffice:messages_read_all")).status_code == 404
