"""The chat live in two browsers: an engineer writes on the staff page and the customer, with the
ticket open, sees the message appear without reloading (and, on another page, the unread badge);
the customer answers and the engineer sees it, with the read ticks; what is being typed survives
every poll; an internal note never reaches the customer."""

import os
import re
import struct
import tempfile
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conversations import live
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")
# The chat polls every 3 s, as in production; the pulse (15 s) is made quicker so that the
# badge's test does not wait a quarter of a minute.
LIVE = 8_000
READ = re.compile(r"\bis-read\b")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# A file dropped on an element, as a browser does it (Playwright cannot drag from the desktop).
DROP = """(el, name) => {
    const data = new DataTransfer();
    data.items.add(new File(["Called at 9:40, no answer."], name, {type: "text/plain"}));
    for (const type of ["dragenter", "dragover", "drop"]) {
        const init = {bubbles: true, cancelable: true, dataTransfer: data};
        el.dispatchEvent(new DragEvent(type, init));
    }
}"""


def tiny_png() -> bytes:
    """A real 2×2 PNG (the browser decodes it)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def messages(page: Page):
    return page.get_by_test_id("messages")


def test_engineer_and_customer_talk_live(live_server, page_for, monkeypatch):
    monkeypatch.setattr(live, "PULSE_SECONDS", 2)
    base = live_server.url
    company = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(company=company, user__full_name="Anna Customer").user
    engineer = UserFactory(engineer=True, full_name="Egor Engineer")
    ticket = TicketFactory(
        company=company,
        contact=customer,
        assignee=engineer,
        status="in_progress",
        subject="Pump leaks",
    )

    portal = page_for("en-US")
    sign_in(portal, base, customer.email)
    portal.goto(f"{base}/portal/tickets/{ticket.number}/")
    portal.get_by_test_id("message-input").fill("A draft I have not sent yet")

    staff = page_for("en-US")
    sign_in(staff, base, engineer.email)
    staff.goto(f"{base}/backoffice/tickets/{ticket.number}/")

    # The customer's chat polls are held until the engineer has seen the message unread: on a
    # slow machine a poll could otherwise read it before the first check (CI once raced this).
    held: list = []
    holding = [True]
    portal.route(
        "**/messages/poll/**",
        lambda route: held.append(route) if holding[0] else route.continue_(),
    )

    # The engineer replies; the message joins their list and the composer empties.
    staff.get_by_test_id("message-input").fill("We come at **10:00** with a new seal")
    staff.get_by_test_id("send-message").click()
    sent = messages(staff).get_by_test_id("message").filter(has_text="We come at")
    expect(sent).to_have_count(1)
    expect(sent.locator("strong")).to_have_text("10:00")
    expect(staff.get_by_test_id("message-input")).to_have_value("")
    expect(sent.get_by_test_id("ticks")).not_to_have_class(READ)
    holding[0] = False
    for poll in held:
        poll.continue_()

    # The customer sees it without reloading, and their draft is still there.
    arrived = messages(portal).get_by_test_id("message").filter(has_text="We come at")
    expect(arrived).to_have_count(1, timeout=LIVE)
    expect(arrived.get_by_test_id("message-role")).to_have_text("service team")
    expect(portal.get_by_test_id("message-input")).to_have_value("A draft I have not sent yet")
    # Having seen it, the engineer's ticks turn to "read" by themselves.
    expect(sent.get_by_test_id("ticks")).to_have_class(READ, timeout=LIVE)

    # An internal note, with a file dropped on the composer, stays on the staff page.
    staff.get_by_test_id("choose-internal").click()
    staff.get_by_test_id("message-input").fill("Customer was rude on the phone")
    staff.get_by_test_id("message-input").evaluate(DROP, "call-notes.txt")
    expect(staff.get_by_test_id("chosen-files")).to_contain_text("call-notes.txt")
    staff.get_by_test_id("send-message").click()
    note = messages(staff).get_by_test_id("internal-note")
    expect(note).to_contain_text("Customer was rude on the phone")
    expect(note.get_by_test_id("message-file")).to_contain_text("call-notes.txt")

    # On another page, the customer sees the badge appear for the next reply.
    portal.goto(f"{base}/portal/")
    badge = portal.get_by_test_id("nav-badge-messages")
    expect(badge).to_be_hidden()
    staff.get_by_test_id("choose-public").click()
    staff.get_by_test_id("message-input").fill("Is the water off?")
    staff.get_by_test_id("send-message").click()
    expect(badge).to_be_visible(timeout=LIVE)
    expect(badge).to_contain_text("1")

    # The inbox lists the conversation with its excerpt, unread; opening it reads it.
    portal.get_by_role("link", name="Messages").click()
    row = portal.get_by_test_id("inbox-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("inbox-excerpt")).to_contain_text("Egor Engineer: Is the water off?")
    expect(row.get_by_test_id("inbox-unread")).to_have_text("1")
    shot(portal, "portal-inbox")
    row.click()
    expect(messages(portal)).to_contain_text("Is the water off?")
    expect(portal.get_by_test_id("nav-badge-messages")).to_be_hidden()
    assert "Customer was rude" not in portal.content()
    assert "call-notes" not in portal.content()

    # The customer answers with a photo; the engineer sees both arrive.
    portal.get_by_test_id("message-input").fill("Yes, the water is off.")
    portal.get_by_test_id("message-files-input").set_input_files(
        [{"name": "leak.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    expect(portal.get_by_test_id("chosen-files")).to_contain_text("leak.png")
    portal.get_by_test_id("send-message").click()
    expect(portal.get_by_test_id("chosen-files")).to_be_empty()
    expect(messages(portal).get_by_test_id("message").last).to_contain_text("the water is off")
    expect(messages(staff)).to_contain_text("Yes, the water is off.", timeout=LIVE)
    expect(
        messages(staff).get_by_test_id("message").last.get_by_test_id("message-role")
    ).to_have_text("customer")
    photo = messages(staff).get_by_test_id("message-file").filter(has_text="leak.png")
    expect(photo).to_have_count(1)
    thumbnail = photo.locator("img")
    expect(thumbnail).to_be_visible()
    thumbnail.evaluate("img => img.decode()")  # the image itself came through the staff route
    assert thumbnail.evaluate("img => img.naturalWidth") == 2
    portal.wait_for_timeout(3500)  # one more poll on both sides: nothing repeats
    expect(
        messages(portal).get_by_test_id("message").filter(has_text="water is off")
    ).to_have_count(1)
    expect(messages(staff).get_by_test_id("message").filter(has_text="water is off")).to_have_count(
        1
    )
    assert "Customer was rude" not in portal.content()

    shot(portal, "portal-ticket-chat")
    shot(staff, "staff-ticket-chat")
    staff.get_by_role("link", name="Messages").click()
    expect(staff.get_by_test_id("inbox-row")).to_have_count(1)
    shot(staff, "staff-inbox")
    for page in (portal, staff):
        assert page.console_errors == []
        assert page.failed_responses == []


def test_files_chosen_before_the_page_script_ran_are_listed(live_server, page_for):
    """On a slow page a person can pick a file before the deferred script is there to hear the
    change event; the composer still shows what will be sent (CI once raced exactly this)."""
    company = CompanyFactory()
    customer = MembershipFactory(company=company).user
    ticket = TicketFactory(company=company, contact=customer, status="in_progress")
    portal = page_for("en-US")
    sign_in(portal, live_server.url, customer.email)
    held = []
    portal.route("**/js/ticket-attachments.js", lambda route: held.append(route))

    portal.goto(f"{live_server.url}/portal/tickets/{ticket.number}/", wait_until="commit")
    files = portal.get_by_test_id("message-files-input")
    files.set_input_files([{"name": "leak.png", "mimeType": "image/png", "buffer": tiny_png()}])
    assert len(held) == 1  # the script is still on its way
    expect(portal.get_by_test_id("chosen-files")).to_be_empty()

    held[0].continue_()
    expect(portal.get_by_test_id("chosen-files")).to_contain_text("leak.png")
    assert portal.console_errors == []
