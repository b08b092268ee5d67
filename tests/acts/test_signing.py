"""Signing rounds of an act (decision 0017): the customer signs it under the act in the portal,
or on staff's device; a signed act is frozen (content, hash, signer, account, time, IP) and
locks the works until staff open a new version; a dispute sends the ticket back to the
engineer; a bad signature, a changed act, a foreign act or a second signature change nothing.
"""

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageDraw

from servicedesk.acts.content import content_from_json, content_hash
from servicedesk.acts.models import Act, ActVersion
from servicedesk.acts.services import act_issue
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.notifications.models import Notification
from servicedesk.tickets.models import Status, TicketEvent
from servicedesk.works.services import work_add, work_delete
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.conftest import login
from tests.works.conftest import Works, works  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def drawn(width: int = 600, height: int = 200, *, ink: bool = True, fmt: str = "PNG") -> str:
    """A signature as signature_pad sends it: a PNG data URL with a stroke on transparency."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line(
            [(20, 150), (120, 40), (220, 160), (320, 50), (420, 140)], fill="#0b2a6b", width=4
        )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def issued(w: Works) -> Act:
    w.add()
    return act_issue(by=w.dispatcher, ticket=w.ticket)


def form_of(page: str) -> dict[str, str]:
    """The hidden fields of the signing form as the page gives them."""
    version = re.search(r'name="version" value="(\d+)"', page)
    digest = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page)
    assert version and digest, "no signing form on the page"
    return {"version": version.group(1), "content_hash": digest.group(1)}


def sign(client: Client, number: str, page: str, **fields: str) -> Any:
    data = form_of(page) | {"name": "Анна Клиентова", "position": "Главный инженер"}
    data |= {"signature": drawn()} | fields
    return client.post(reverse("portal:ticket_act_sign", args=[number]), data)


def customer(w: Works, client: Client) -> str:
    login(client, w.world.users["cust_a"])
    return client.get(reverse("portal:ticket_act", args=[w.ticket.number])).content.decode()


@needs_poppler
def test_the_customer_signs_and_the_act_is_frozen(
    works: Works,  # noqa: F811
    client: Client,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issued(works)
    page = customer(works, client)
    assert 'data-testid="act-signature-pad"' in page and 'data-testid="act-dispute-toggle"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, works.ticket.number, page, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302

    act = Act.objects.get()
    version = ActVersion.objects.get()
    assert act.state == Act.State.SIGNED and version.number == 1 == act.version
    assert version.is_signed and version.user == works.world.users["cust_a"]
    assert version.signer_name == "Анна Клиентова" and version.signer_position == "Главный инженер"
    assert version.collected_by is None
    assert bytes(version.signature_png).startswith(b"\x89PNG")
    # What was signed is what the page showed: its hash is the one the form carried.
    assert version.content_hash == form_of(page)["content_hash"]
    assert content_hash(content_from_json(version.content_json)) == version.content_hash
    assert TicketEvent.objects.filter(
        ticket=works.ticket, kind=TicketEvent.Kind.ACT_SIGNED, is_public=True
    ).exists()
    # The engineer hears of it.
    assert Notification.objects.filter(
        user=works.engineer, kind=Notification.Kind.ACT_SIGNED
    ).exists()

    # The works are locked now.
    with pytest.raises(ApplicationError) as locked:
        works.add()
    assert locked.value.code == ErrorCode.WORKS_LOCKED

    # The act shows who signed, the record and no form any more; the PDF has the signature.
    page = client.get(reverse("portal:ticket_act", args=[works.ticket.number])).content.decode()
    assert 'data-testid="act-signature"' in page and version.content_hash in page
    assert 'data-testid="act-signature-pad"' not in page
    pdf = client.get(reverse("portal:ticket_act_pdf", args=[works.ticket.number]))
    text = flat(pdf_text(pdf.content, tmp_path))
    assert "Акт принял" in text and "Анна Клиентова, Главный инженер" in text
    assert version.content_hash[:16] in text.replace(" ", "")


def test_a_second_signature_is_refused_and_names_the_first(works: Works, client: Client) -> None:  # noqa: F811
    issued(works)
    page = customer(works, client)
    assert sign(client, works.ticket.number, page).status_code == 302
    other = Client()
    login(other, works.world.users["cust_ab"])  # a colleague, with the page opened before
    again = sign(other, works.ticket.number, page, name="Пётр Второй")
    assert again.status_code == 409
    assert "signed already" in again.content.decode() or "уже подписан" in again.content.decode()
    assert ActVersion.objects.count() == 1
    assert ActVersion.objects.get().signer_name == "Анна Клиентова"


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("", "signature_empty"),
        (drawn(ink=False), "signature_empty"),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "signature_not_image"),
        ("data:image/png;base64,not-base64!!", "signature_not_image"),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a...").decode(), "signature_not_image"),
        (drawn(5000, 100), "signature_too_large"),
        ("data:image/png;base64," + "A" * 800_000, "signature_too_large"),
    ],
    ids=["empty", "blank-canvas", "svg", "garbage", "gif-bytes", "huge-size", "huge-data"],
)
def test_a_bad_signature_is_refused_with_nothing_changed(
    works: Works,  # noqa: F811
    client: Client,
    signature: str,
    reason: str,
) -> None:
    issued(works)
    page = customer(works, client)
    response = sign(client, works.ticket.number, page, signature=signature)
    assert response.status_code == 400
    assert 'data-testid="act-signature-error"' in response.content.decode()
    assert not ActVersion.objects.exists()
    assert Act.objects.get().state == Act.State.AWAITING
    # The name and position typed are kept for the second try.
    assert 'value="Анна Клиентова"' in response.content.decode()


def test_name_and_position_are_checked(works: Works, client: Client) -> None:  # noqa: F811
    issued(works)
    page = customer(works, client)
    for fields in ({"name": "   "}, {"name": "Я" * 101}, {"position": "П" * 101}):
        response = sign(client, works.ticket.number, page, **fields)
        assert response.status_code == 400, fields
    assert not ActVersion.objects.exists()


def test_an_act_changed_since_it_was_opened_is_not_signed(works: Works, client: Client) -> None:  # noqa: F811
    issued(works)
    page = customer(works, client)
    works.add(comment="One more work, added while the customer read the act.")
    response = sign(client, works.ticket.number, page)
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode() or (
        "изменился" in response.content.decode()
    )
    assert not ActVersion.objects.exists()
    # Read again, it signs.
    page = client.get(reverse("portal:ticket_act", args=[works.ticket.number])).content.decode()
    assert sign(client, works.ticket.number, page).status_code == 302


@pytest.mark.parametrize("reader", ["cust_b", "cust_none", "cust_site_elsewhere"])
def test_a_foreign_act_cannot_be_signed_or_read(works: Works, client: Client, reader: str) -> None:  # noqa: F811
    issued(works)
    own = Client()
    page = customer(works, own)
    number = works.ticket.number
    if reader == "cust_site_elsewhere":
        user = works.world.users["cust_eq"]  # company A, scoped to another piece of equipment
    else:
        user = works.world.users[reader]
    login(client, user)
    assert sign(client, number, page).status_code == 404
    data = form_of(page) | {"comment": "Not done"}
    assert client.post(reverse("portal:ticket_act_dispute", args=[number]), data).status_code == 404
    for name, args in (
        ("portal:ticket_act", [number]),
        ("portal:ticket_act_pdf", [number]),
        ("portal:ticket_act_version", [number, 1]),
        ("portal:ticket_act_version_pdf", [number, 1]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert not ActVersion.objects.exists()


def test_staff_cannot_sign_as_the_customer_in_the_portal(works: Works, client: Client) -> None:  # noqa: F811
    issued(works)
    page = customer(works, Client())
    login(client, works.dispatcher)
    response = sign(client, works.ticket.number, page)
    assert response.status_code in (302, 403, 404)
    assert not ActVersion.objects.exists()


def test_the_customer_signs_on_the_engineers_device(works: Works, client: Client) -> None:  # noqa: F811
    issued(works)
    login(client, works.engineer)
    url = reverse("backoffice:ticket_act_sign", args=[works.ticket.number])
    page = client.get(url).content.decode()
    assert 'data-testid="act-signature-pad"' in page
    assert "Hand this device" in page or "Передайте это устройство" in page
    data = form_of(page) | {"name": "Иван Петрович", "position": "", "signature": drawn()}
    assert client.post(url, data).status_code == 302
    version = ActVersion.objects.get()
    assert version.user is None and version.collected_by == works.engineer
    assert version.signer_name == "Иван Петрович"
    # Signed: the device page goes back to the act.
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("reader", ["cust_a", "other_engineer"])
def test_only_who_records_the_works_collects_a_signature(
    works: Works,  # noqa: F811
    client: Client,
    reader: str,
) -> None:
    issued(works)
    page = customer(works, Client())
    if reader == "other_engineer":
        works.ticket.assignee = works.world.users["admin"]
        works.ticket.save()
        user = works.engineer
    else:
        user = works.world.users[reader]
    login(client, user)
    url = reverse("backoffice:ticket_act_sign", args=[works.ticket.number])
    data = form_of(page) | {"name": "X", "signature": drawn()}
    assert client.post(url, data).status_code in (302, 403, 404)
    assert not ActVersion.objects.exists()


def test_a_dispute_returns_the_ticket_to_the_engineer(
    works: Works,  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issued(works)
    works.ticket.status = Status.RESOLVED
    works.ticket.save()
    page = customer(works, client)
    url = reverse("portal:ticket_act_dispute", args=[works.ticket.number])
    empty = client.post(url, form_of(page) | {"comment": "  "})
    assert empty.status_code == 400 and not ActVersion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_of(page) | {"comment": "Насос всё ещё течёт."})
    assert response.status_code == 302
    act = Act.objects.get()
    disputed = ActVersion.objects.get()
    assert disputed.outcome == ActVersion.Outcome.DISPUTED and disputed.number == 1
    assert disputed.comment == "Насос всё ещё течёт."
    assert act.state == Act.State.DISPUTED and act.version == 2
    works.ticket.refresh_from_db()
    assert works.ticket.status == Status.IN_PROGRESS
    note = Notification.objects.get(user=works.engineer, kind=Notification.Kind.ACT_DISPUTED)
    assert note.data["comment"] == "Насос всё ещё течёт."

    # The customer cannot sign while it is corrected; the engineer corrects and sends it.
    page = client.get(reverse("portal:ticket_act", args=[works.ticket.number])).content.decode()
    assert 'data-testid="act-signature-pad"' not in page
    works.add(comment="Replaced the second seal.")
    staff = login(Client(), works.engineer)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("backoffice:ticket_act_submit", args=[works.ticket.number]))
    act.refresh_from_db()
    assert act.state == Act.State.AWAITING
    assert Notification.objects.filter(
        user=works.world.users["cust_a"], kind=Notification.Kind.ACT_READY, data__version=2
    ).exists()

    # Version 2 is signed; version 1 stays readable as it was disputed.
    page = client.get(reverse("portal:ticket_act", args=[works.ticket.number])).content.decode()
    assert form_of(page)["version"] == "2" and 'data-testid="act-version"' in page
    assert sign(client, works.ticket.number, page).status_code == 302
    assert list(ActVersion.objects.values_list("number", "outcome")) == [
        (1, "disputed"),
        (2, "signed"),
    ]
    first = client.get(reverse("portal:ticket_act_version", args=[works.ticket.number, 1]))
    assert "Replaced the second seal." not in first.content.decode()
    second = client.get(reverse("portal:ticket_act", args=[works.ticket.number]))
    assert "Replaced the second seal." in second.content.decode()


def test_a_signed_act_changes_only_through_a_new_version(works: Works, client: Client) -> None:  # noqa: F811
    issued(works)
    page = customer(works, client)
    sign(client, works.ticket.number, page)
    staff = login(Client(), works.engineer)
    number = works.ticket.number
    refused = staff.post(reverse("backoffice:ticket_act_reopen", args=[number]), {"reason": ""})
    assert refused.status_code == 302 and Act.objects.get().state == Act.State.SIGNED
    staff.post(reverse("backoffice:ticket_act_reopen", args=[number]), {"reason": "Wrong seal"})
    act = Act.objects.get()
    assert act.state == Act.State.REVISING and act.version == 2
    # The works unlock; the signed version keeps what was signed.
    work = works.add(comment="Corrected")
    work_delete(by=works.engineer, work=work)
    v1 = client.get(reverse("portal:ticket_act_version", args=[number, 1])).content.decode()
    assert 'data-testid="act-signature"' in v1 and "Анна Клиентова" in v1
    assert client.get(reverse("portal:ticket_act_version", args=[number, 3])).status_code == 404
    assert client.get(reverse("portal:ticket_act_version", args=[number, 0])).status_code == 404


def test_a_ticket_type_can_require_a_signed_act(works: Works, client: Client) -> None:  # noqa: F811
    kind = works.ticket.ticket_type
    kind.requires_signed_act = True
    kind.save()
    from django.core.cache import cache

    cache.clear()  # the reference lists are cached
    issued(works)
    staff = login(Client(), works.engineer)
    url = reverse("backoffice:ticket_transition", args=[works.ticket.number])
    response = staff.post(url, {"code": "resolve", "resolution": "Done"}, follow=True)
    works.ticket.refresh_from_db()
    assert works.ticket.status == Status.IN_PROGRESS
    assert "signed the act" in response.content.decode() or "подписал акт" in (
        response.content.decode()
    )
    sign(client, works.ticket.number, customer(works, client))
    staff.post(url, {"code": "resolve", "resolution": "Done"})
    works.ticket.refresh_from_db()
    assert works.ticket.status == Status.RESOLVED


def test_the_act_tab_takes_the_same_queries_whatever_the_number_of_versions(
    works: Works,  # noqa: F811
    client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    issued(works)
    page = customer(works, client)
    number = works.ticket.number
    client.post(
        reverse("portal:ticket_act_dispute", args=[number]), form_of(page) | {"comment": "No"}
    )

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal:ticket_act", args=[number])).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        staff = login(Client(), works.engineer)
        staff.post(reverse("backoffice:ticket_act_submit", args=[number]))
        works.add()
        page = client.get(reverse("portal:ticket_act", args=[number])).content.decode()
        client.post(
            reverse("portal:ticket_act_dispute", args=[number]), form_of(page) | {"comment": "No"}
        )
    assert ActVersion.objects.count() == 4 and work_add  # four rounds, more works
    assert queries() == one


def test_the_act_takes_the_same_queries_whatever_the_number_of_works(
    works: Works,  # noqa: F811
    client: Client,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issued(works)
    customer(works, client)
    number = works.ticket.number
    urls = [
        reverse("portal:ticket_detail", args=[number]),
        reverse("portal:ticket_act", args=[number]),
        reverse("portal:ticket_act_pdf", args=[number]),
    ]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    queries()  # the caches (reference lists, counts) warmed
    one = queries()
    for _ in range(4):
        works.add()
    assert queries() == one


def test_the_kept_signature_is_a_fresh_trimmed_png() -> None:
    from servicedesk.acts.signature import signature_png

    sent = drawn(3000, 1000)  # a high-density canvas, mostly empty
    raw = base64.b64decode(sent.split(",", 1)[1]) + b"<script>trailing payload</script>"
    kept = signature_png("data:image/png;base64," + base64.b64encode(raw).decode())
    assert b"trailing payload" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "PNG"
        assert image.width <= 600 and image.height <= 240
        assert image.getchannel("A").getbbox() is not None  # the drawing is there
