"""Scripts in an email never run anywhere: an HTML email's markup is turned into text before it
is stored, and what reaches a page (subject, text, the sender's name) is escaped there — in the
portal, the back office, the printable page the PDF is made from, and the notifications."""

import pytest

from servicedesk.conversations.services import message_post
from servicedesk.mail.addresses import reply_address
from servicedesk.mail.inbound import inbound_receive
from tests.mail.inbound_helpers import make_email

pytestmark = pytest.mark.django_db
ATTACKS = ("<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "<svg onload=alert(3)>")


def _dangerous(text: str) -> list[str]:
    return [attack for attack in ATTACKS if attack in text]


def test_html_mail_with_scripts_is_inert_everywhere(
    desk, client_for, smtp_email, django_capture_on_commit_callbacks
):
    raw = make_email(
        sender='"<svg onload=alert(3)>" <ivan@alpha.example>',
        subject="<script>alert(1)</script> printer",
        body="",
        html='<p>Broken <img src=x onerror="alert(2)"></p><script>alert(1)</script>'
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; as text</p>",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = inbound_receive(mailbox=desk.mailbox, raw=raw, source="pipe").ticket
    assert ticket.subject == "<script>alert(1)</script> printer"  # kept as text, shown escaped
    assert "onerror" not in ticket.description and "alert(2)" not in ticket.description
    # A reply with the same payload becomes a chat message.
    to = reply_address(ticket.pk, user_id=desk.customer.pk)
    reply = make_email(to=to, body="<script>alert(1)</script> still broken")
    with django_capture_on_commit_callbacks(execute=True):
        posted = inbound_receive(mailbox=desk.mailbox, raw=reply, source="pipe").chat_message
        message_post(by=desk.engineer, ticket=ticket, body="Looking.")
    assert posted is not None
    pages = {
        "portal": client_for(desk.customer).get(f"/portal/tickets/{ticket.number}/"),
        "print": client_for(desk.customer).get(f"/portal/tickets/{ticket.number}/print/"),
        "backoffice": client_for(desk.engineer).get(f"/backoffice/tickets/{ticket.number}/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
        assert _dangerous(html) == [], name
    for sent in smtp_email.messages:
        for part in sent.walk():
            if part.get_content_type() == "text/html":
                assert _dangerous(part.get_content()) == [], sent["Subject"]
        assert "\n" not in str(sent["Subject"])
