"""The act of completed work signed in a real browser: the customer opens the ticket's «Акт»
tab, presses «Принять работы», draws the signature with the mouse and signs; the PDF then shows
«Акт принял» with their name and position, and carries the drawn signature as an image. The
dispute journey: «Оспорить» with a comment sends the ticket back to the engineer. And the
engineer hands a phone to the customer on site."""

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.acts.models import Act, ActVersion
from servicedesk.acts.services import act_issue
from servicedesk.customers.models import WorkType
from servicedesk.notifications.models import Notification
from servicedesk.tickets.models import Status
from servicedesk.works.services import EngineerLine, WorkData, work_add
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import (
    CompanyFactory,
    EquipmentFactory,
    MembershipFactory,
    SiteFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _act_ready(status: str = Status.IN_PROGRESS) -> tuple[object, object, object]:
    """A ticket with a completed work and its issued act; its customer and engineer."""
    repair, _ = WorkType.objects.update_or_create(
        code="repair", defaults={"name_ru": "Ремонт", "name_en": "Repair", "price": 1500}
    )
    company = CompanyFactory(name="Альфа-Ритейл")
    till = EquipmentFactory(site=SiteFactory(company=company, name="Магазин"), name="Касса №1")
    customer = MembershipFactory(
        company=company, user__full_name="Клиентова Анна", user__language="ru"
    ).user
    engineer = UserFactory(engineer=True, full_name="Инженеров Евгений", hourly_rate=500)
    dispatcher = UserFactory(dispatcher=True)
    ticket = TicketFactory(
        company=company, contact=customer, site=till.site, equipment=till,
        assignee=engineer, status=Status.IN_PROGRESS, subject="Касса не печатает",
    )  # fmt: skip
    start = timezone.now() - dt.timedelta(hours=3)
    work_add(
        by=engineer,
        ticket=ticket,
        data=WorkData(
            work_type=repair,
            engineers=[
                EngineerLine(engineer, start, start + dt.timedelta(minutes=95), Decimal(500))
            ],
            comment="Заменена термоголовка.",
        ),
    )
    act_issue(by=dispatcher, ticket=ticket)
    if status != Status.IN_PROGRESS:
        ticket.status = status
        ticket.save()
    return ticket, customer, engineer


def _draw(page: Page) -> None:
    """A signature drawn with the mouse across the box, in three strokes."""
    pad = page.get_by_test_id("act-signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in (
        [(0.08, 0.7), (0.2, 0.25), (0.3, 0.75), (0.42, 0.3)],
        [(0.45, 0.6), (0.55, 0.35), (0.65, 0.7), (0.75, 0.3)],
        [(0.2, 0.85), (0.8, 0.82)],
    ):
        page.mouse.move(x + stroke[0][0] * w, y + stroke[0][1] * h)
        page.mouse.down()
        for px, py in stroke[1:]:
            page.mouse.move(x + px * w, y + py * h, steps=12)
        page.mouse.up()


@needs_poppler
def test_the_customer_signs_the_act_with_the_mouse_and_the_pdf_shows_it(
    live_server, page_for, tmp_path: Path
):
    base = live_server.url
    ticket, customer, _engineer = _act_ready()
    page = page_for("ru-RU")
    sign_in(page, base, customer.email)

    # The ticket's «Акт» tab offers to accept the works
    page.goto(f"{base}/portal/tickets/{ticket.number}/")
    page.get_by_test_id("act-tab").click()
    expect(page.get_by_test_id("act-tab-state")).to_contain_text("Ожидает подписи")
    page.get_by_test_id("act-accept").click()

    # The act itself, with the signing form under it; the name is the customer's
    expect(page.get_by_test_id("act-title")).to_contain_text("Акт выполненных работ")
    expect(page.get_by_test_id("act-sign-name")).to_have_value("Клиентова Анна")
    # Signing with an empty box is caught before anything is sent
    page.get_by_test_id("act-sign-submit").click()
    expect(page.get_by_test_id("act-signature-error")).to_be_visible()
    assert not ActVersion.objects.exists()

    page.get_by_test_id("act-sign-position").fill("Директор магазина")
    _draw(page)
    page.get_by_test_id("act-sign-submit").click()

    expect(page.get_by_test_id("act-flash")).to_contain_text("Акт подписан")
    expect(page.get_by_test_id("act-signature")).to_be_visible()
    expect(page.get_by_test_id("act-accepted-name")).to_contain_text(
        "Клиентова Анна, Директор магазина"
    )
    version = ActVersion.objects.get()
    expect(page.get_by_test_id("act-hash")).to_have_text(version.content_hash)
    assert Act.objects.get().state == Act.State.SIGNED

    # The PDF: «Акт принял», the name and position, the record, and the drawn image
    pdf = page.request.get(f"{base}/portal/tickets/{ticket.number}/act/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = flat(pdf_text(pdf.body(), tmp_path))
    assert "Акт принял: Клиентова Анна, Директор магазина" in text
    assert "Подписан электронно" in text
    source = tmp_path / "signed.pdf"
    source.write_bytes(pdf.body())
    images = subprocess.run(  # noqa: S603
        ["pdfimages", "-list", str(source)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[2:]
    assert len(images) >= 1, "the signature is not in the PDF"
    assert page.console_errors == []


def test_the_customer_disputes_the_act_and_the_engineer_gets_it_back(live_server, page_for):
    base = live_server.url
    ticket, customer, engineer = _act_ready(status=Status.RESOLVED)
    page = page_for("ru-RU", width=390, height=844)  # on a phone
    sign_in(page, base, customer.email)

    page.goto(f"{base}/portal/tickets/{ticket.number}/")
    page.get_by_test_id("act-tab").click()
    page.get_by_test_id("act-dispute-link").click()
    comment = page.get_by_test_id("act-dispute-comment")
    expect(comment).to_be_visible()  # the link opened the dispute form
    comment.fill("Касса по-прежнему не печатает чеки.")
    page.get_by_test_id("act-dispute-submit").click()

    expect(page.get_by_test_id("act-flash")).to_contain_text("замечания отправлены")
    expect(page.get_by_test_id("act-state")).to_contain_text("Заказчик оспорил акт")
    expect(page.get_by_test_id("act-signature-pad")).to_have_count(0)
    expect(page.get_by_test_id("act-version-row")).to_have_count(1)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert Notification.objects.filter(user=engineer, kind=Notification.Kind.ACT_DISPUTED).exists()
    assert page.console_errors == []


def test_the_engineer_hands_a_phone_to_the_customer_on_site(live_server, page_for):
    base = live_server.url
    ticket, _customer, engineer = _act_ready()
    page = page_for("ru-RU", width=390, height=844)
    sign_in(page, base, engineer.email)

    page.goto(f"{base}/backoffice/tickets/{ticket.number}/works/")
    page.get_by_test_id("act-collect").click()
    expect(page.get_by_test_id("act-sign-name")).to_have_value("")
    page.get_by_test_id("act-sign-name").fill("Петров Иван Сергеевич")
    _draw(page)
    page.get_by_test_id("act-sign-submit").click()

    expect(page.get_by_test_id("act-flash")).to_contain_text("Акт подписан")
    version = ActVersion.objects.get()
    assert version.collected_by == engineer and version.user is None
    assert version.signer_name == "Петров Иван Сергеевич"
    # Back on the works tab the act is signed and the works are locked
    page.goto(f"{base}/backoffice/tickets/{ticket.number}/works/")
    expect(page.get_by_test_id("act-state-badge")).to_contain_text("Подписан")
    expect(page.get_by_test_id("work-add")).to_have_count(0)
    assert page.console_errors == []
