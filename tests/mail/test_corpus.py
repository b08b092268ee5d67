"""The corpus (tests/mail/corpus/, made by make_corpus.py): every email through the real parser
and the real pipeline, each with its expected result (expected.json)."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.mail import parsing
from servicedesk.mail.inbound import inbound_receive
from servicedesk.mail.models import OutboundMessage
from servicedesk.tickets.models import TicketAttachment
from servicedesk.tickets.uploads import UploadRejectedError, check_upload
from tests.mail.inbound_helpers import make_email

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text())


def test_the_corpus_is_complete():
    files = sorted(p.stem for p in CORPUS.glob("*.eml"))
    assert files == sorted(EXPECTED) and len(files) >= 60


def _accepted(parsed: parsing.ParsedMail) -> tuple[list[str], list[str]]:
    accepted, refused = [], []
    for item in parsed.attachments:
        try:
            accepted.append(check_upload(SimpleUploadedFile(item.name, item.data)).name)
        except UploadRejectedError:
            refused.append(item.name)
    return accepted, refused


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parsing(name):
    expected = EXPECTED[name]
    raw = (CORPUS / f"{name}.eml").read_bytes()
    if "reason" in expected and expected["state"] == "failed":
        with pytest.raises(parsing.ParseError) as error:
            parsing.parse_message(raw)
        assert error.value.code == expected["reason"]
        return
    parsed = parsing.parse_message(raw)
    if "text" in expected:
        assert parsed.text == expected["text"]
    for piece in expected.get("contains", []):
        assert piece in parsed.text
    for piece in expected.get("excludes", []):
        assert piece not in parsed.text.lower()
    if "subject" in expected:
        assert parsed.subject == expected["subject"]
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    if "from_name" in expected:
        assert parsed.from_name == expected["from_name"]
    if "calendar" in expected:
        assert parsed.calendar == expected["calendar"]
    accepted, refused = _accepted(parsed)
    if "attachments" in expected:
        assert accepted == expected["attachments"]
    if "refused" in expected:
        assert refused == expected["refused"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pipeline(name, desk, django_capture_on_commit_callbacks):
    expected = EXPECTED[name]
    raw = (CORPUS / f"{name}.eml").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        message = inbound_receive(mailbox=desk.mailbox, raw=raw, source="pipe")
    assert message.state == expected["state"], message.error
    if "reason" in expected:
        assert message.reason == expected["reason"]
    if message.state == "processed":
        ticket = message.ticket
        assert ticket is not None and ticket.company == desk.company
        assert "<script" not in ticket.subject.lower() or ticket.subject == expected.get("subject")
        names = set(
            TicketAttachment.objects.filter(ticket=ticket, staff_only=False).values_list(
                "name", flat=True
            )
        )
        assert names == set(expected.get("attachments", []))
        assert TicketAttachment.objects.filter(ticket=ticket, staff_only=True).count() == 1
        confirmed = OutboundMessage.objects.filter(kind="inbound_confirmation").exists()
        assert confirmed is not expected.get("no_reply", False)
    else:
        assert message.ticket_id is None


@pytest.mark.django_db
def test_a_20_mb_attachment_is_taken(desk, settings, django_capture_on_commit_callbacks):
    size = 20 * 1024 * 1024 - 4096
    data = b"%PDF-1.4\n" + b"0" * (size - 9)
    raw = make_email(attachments=[("big.pdf", "application/pdf", data)])
    assert len(raw) > size * 4 // 3  # base64 makes it ~27 MB on the wire
    with django_capture_on_commit_callbacks(execute=True):
        message = inbound_receive(mailbox=desk.mailbox, raw=raw, source="pipe")
    assert message.state == "processed", message.error
    big = TicketAttachment.objects.get(ticket=message.ticket, name="big.pdf")
    assert big.size == size
    # Over the limit: kept, and failed with the reason for the admins.
    settings.MAIL_INBOUND_MAX_BYTES = 1024 * 1024
    raw = make_email(
        subject="Too big", attachments=[("big.pdf", "application/pdf", data[: 2 * 1024 * 1024])]
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = inbound_receive(mailbox=desk.mailbox, raw=raw, source="pipe")
    assert (message.state, message.reason) == ("failed", "too_large")
    assert message.size == len(raw)
