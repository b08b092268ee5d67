"""The chat's hand-built messages and the inbox's rows (conversations/message_html.py) must say
what the templates said (`{% partialdef message %}` in _chat.html, the loop of _inbox.html): the
same elements, attributes, text and escaping, for any author, text, file and state (whitespace
between tags aside)."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.template import engines
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.accounts.models import Role, User
from servicedesk.conversations.message_html import inbox_rows, message_rows
from servicedesk.conversations.models import Message, Participant
from servicedesk.conversations.selectors import InboxRow
from servicedesk.tickets.models import Status, Ticket, TicketAttachment

# The template the Python code replaced (the loop of _chat.html before it).
TEMPLATE = "{% load formatting %}" + (Path(__file__).parent / "message_template.html").read_text()

AREAS = [
    SimpleNamespace(attachment="portal:ticket_attachment"),
    SimpleNamespace(attachment="backoffice:ticket_attachment"),
]
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'*`_\n#"),
    max_size=40,
)


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _message(pk: int, data: dict[str, Any]) -> Message:
    author = User(
        pk=pk + 1000,
        full_name=data["full_name"],
        email=data["email"],
        role=data["role"],
    )
    message = Message(
        pk=pk,
        ticket_id=1,
        author=author,
        body=data["body"],
        is_internal=data["internal"],
        created_at=data["created_at"],
    )
    files = [
        TicketAttachment(pk=pk * 10 + i, name=name, size=size, is_image=image)
        for i, (name, size, image) in enumerate(data["files"])
    ]
    message._prefetched_objects_cache = {"attachments": files}  # type: ignore[attr-defined]
    message.mine = data["mine"]  # type: ignore[attr-defined]
    message.seen = data["seen"]  # type: ignore[attr-defined]
    return message


MESSAGE = st.fixed_dictionaries(
    {
        "full_name": TEXT,
        "email": st.sampled_from(["", "a@example.test", "o'neil&co@example.test"]),
        "role": st.sampled_from([r.value for r in Role]),
        "body": TEXT,
        "internal": st.booleans(),
        "mine": st.booleans(),
        "seen": st.booleans(),
        "created_at": st.datetimes(
            min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 (naive bounds: hypothesis wants them)
            max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
            timezones=st.just(dt.UTC),
        ),
        "files": st.lists(st.tuples(TEXT, st.integers(0, 10**10), st.booleans()), max_size=3),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(MESSAGE, max_size=3),
    area=st.sampled_from(AREAS),
    number=st.sampled_from(["00000042", "A-1"]),
    language=st.sampled_from(["ru", "en"]),
    zone=st.sampled_from(["Europe/Moscow", "America/New_York", "UTC"]),
)
def test_message_rows_match_the_template(
    data: list[dict[str, Any]], area: Any, number: str, language: str, zone: str
) -> None:
    messages = [_message(i + 1, item) for i, item in enumerate(data)]
    chat = SimpleNamespace(area=area, ticket=SimpleNamespace(number=number), messages=messages)
    with translation.override(language), timezone.override(zone):
        expected = engines["django"].from_string(TEMPLATE).render({"chat": chat})
        built = message_rows(messages, area.attachment, number)
    assert _normal(built) == _normal(expected)


INBOX_TEMPLATE = (
    "{% for row in page.rows %}"
    + (Path(__file__).parent / "inbox_row_template.html").read_text()
    + "{% endfor %}"
)
NUMBER = st.from_regex(r"\A[0-9A-Za-zА-я._~!$&'()*+,;=:@ -]{1,12}\Z")


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.fixed_dictionaries(
            {
                "number": NUMBER,
                "subject": TEXT,
                "status": st.sampled_from([s.value for s in Status]),
                "status_label": TEXT,
                "unread": st.integers(0, 10**6),
                "when": st.none()
                | st.datetimes(
                    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 (naive bounds)
                    max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
                    timezones=st.just(dt.UTC),
                ),
                "excerpt": TEXT,
                "author_name": TEXT,
                "mine": st.booleans(),
            }
        ),
        max_size=3,
    ),
    area=st.sampled_from(["portal", "backoffice"]),
    language=st.sampled_from(["ru", "en"]),
    zone=st.sampled_from(["Europe/Moscow", "America/New_York", "UTC"]),
)
def test_inbox_rows_match_the_template(
    data: list[dict[str, Any]], area: str, language: str, zone: str
) -> None:
    rows = [
        InboxRow(
            participant=Participant(unread=item["unread"], last_message_at=item["when"]),
            ticket=Ticket(number=item["number"], subject=item["subject"], status=item["status"]),
            excerpt=item["excerpt"],
            author_name=item["author_name"],
            mine=item["mine"],
            status=item["status_label"],
        )
        for item in data
    ]
    urls = SimpleNamespace(ticket=f"{area}:ticket_detail")
    with translation.override(language), timezone.override(zone):
        expected = (
            engines["django"]
            .from_string(INBOX_TEMPLATE)
            .render({"page": SimpleNamespace(rows=rows), "area": urls})
        )
        built = inbox_rows(rows, urls.ticket)
    assert _normal(built) == _normal(expected)
