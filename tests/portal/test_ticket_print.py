"""The printable ticket and its PDF: content, Cyrillic text, and no network access."""

import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.core.pdf import _static_path, pdf_from_html
from servicedesk.tickets.models import Ticket
from tests.conftest import World, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(world: World) -> Ticket:
    return TicketFactory(
        number="00004321",
        company=world.companies["A"],
        subject="Не работает насос в котельной",
        description="Подробности <b>тут</b>",
        equipment=world.equipment["eq_a_room"],
    )


def pdf_text(data: bytes, tmp_path: Path) -> str:
    source = tmp_path / "out.pdf"
    source.write_bytes(data)
    result = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(source), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode()


def test_print_view(world: World, client: Client, ticket: Ticket) -> None:
    response = login(client, world.users["cust_a"]).get(
        reverse("portal:ticket_print", args=[ticket.number])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="print-number">00004321<' in html
    assert "Не работает насос в котельной" in html
    assert "Подробности &lt;b&gt;тут&lt;/b&gt;" in html
    assert "/static/css/print.css" in html
    assert 'data-testid="main-menu"' not in html  # no menus on paper


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_pdf_has_the_number_and_the_cyrillic_subject(
    world: World, client: Client, ticket: Ticket, tmp_path: Path
) -> None:
    response = login(client, world.users["cust_a"]).get(
        reverse("portal:ticket_pdf", args=[ticket.number])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="ticket-00004321.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "00004321" in text
    assert "Не работает насос в котельной" in " ".join(text.split())
    assert world.equipment["eq_a_room"].name in text


def test_pdf_never_touches_the_network(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<img src="http://127.0.0.1:{port}/x.png"><img src="file:///etc/passwd">'
        "<p>Привет</p>"
    )
    try:
        data = pdf_from_html(html)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://servicedesk.invalid/static/css/print.css", True),
        ("https://servicedesk.invalid/static/../../etc/passwd", False),
        ("https://servicedesk.invalid/media/tickets/x", False),
        ("https://example.com/static/css/print.css", False),
        ("http://servicedesk.invalid/static/css/print.css", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_static_files_are_fetched(url: str, allowed: bool) -> None:
    assert (_static_path(url) is not None) is allowed


def test_foreign_pdf_is_404(
    world: World, client: Client, ticket: Ticket, django_assert_max_num_queries: Any
) -> None:
    login(client, world.users["cust_b"])
    assert client.get(reverse("portal:ticket_pdf", args=[ticket.number])).status_code == 404
    assert client.get(reverse("portal:ticket_print", args=[ticket.number])).status_code == 404


def test_the_print_view_names_the_stage_as_the_portal_does(world: World, client: Client) -> None:
    # An assigned ticket is «В работе» to the customer on the page, in the history and on paper
    assigned = TicketFactory(company=world.companies["A"], status="assigned")
    login(client, world.users["cust_a"])
    page = client.get(reverse("portal:ticket_detail", args=[assigned.number])).content.decode()
    printed = client.get(reverse("portal:ticket_print", args=[assigned.number])).content.decode()
    assert '<strong data-testid="print-status">В работе</strong>' in printed
    assert "В работе" in page and "Назначена" not in printed
