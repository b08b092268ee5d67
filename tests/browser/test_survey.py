"""The satisfaction survey in a real browser: a customer rates a resolved ticket on its page
(stars by mouse and by keyboard, a comment, sent with htmx), and someone rates a closed ticket
from the email link without signing in."""

import os
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.conversations.models import SurveyCriterion, SurveyResponse
from servicedesk.conversations.surveys import survey_token
from servicedesk.tickets.models import Status
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401 (fixture)
from tests.factories import CompanyFactory, MembershipFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Screenshots to look at (the page_for fixture keeps only each page's last state).
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")


def _criteria() -> tuple[SurveyCriterion, SurveyCriterion]:
    quality = SurveyCriterion.objects.get_or_create(
        code="quality",
        defaults={"name_ru": "Качество выполненных работ", "name_en": "Quality of work"},
    )[0]
    speed = SurveyCriterion.objects.get_or_create(
        code="speed", defaults={"name_ru": "Скорость", "name_en": "Speed", "sort_order": 200}
    )[0]
    return quality, speed


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_customer_rates_a_resolved_ticket_on_its_page(live_server, page_for):
    quality, speed = _criteria()
    company = CompanyFactory(name="Alfa Retail")
    customer = MembershipFactory(company=company, user__full_name="Anna Customer").user
    engineer = UserFactory(engineer=True)
    ticket = TicketFactory(
        company=company,
        contact=customer,
        subject="Pump leaks",
        status=Status.RESOLVED,
        assignee=engineer,
        resolution="Replaced the pump seal.",
        resolved_at=timezone.now(),
    )
    page = page_for("en-US")
    sign_in(page, live_server.url, customer.email)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.number}/")
    card = page.get_by_test_id("survey")
    expect(card).to_contain_text("Rate how your ticket was handled")

    # Four stars for the quality, with the mouse (the label is the star).
    card.locator(f"label[for=id_score_{quality.pk}_4]").click()
    expect(page.locator(f"#id_score_{quality.pk}_4")).to_be_checked()
    # Three for the speed, with the keyboard: the arrow keys move along a radio group.
    page.locator(f"#id_score_{speed.pk}_1").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#id_score_{speed.pk}_3")).to_be_checked()
    page.get_by_test_id("survey-comment").fill("Quick and tidy, thank you.")
    _shot(page, "survey-portal-form.png")

    page.get_by_test_id("survey-submit").click()
    expect(card).to_contain_text("Thank you for your rating")
    expect(card.get_by_test_id("survey-score")).to_have_count(2)
    expect(card).to_contain_text("Quick and tidy, thank you.")
    expect(page.get_by_test_id("survey-form")).to_have_count(0)
    # The history tells it without a reload (an out-of-band swap).
    expect(page.get_by_test_id("timeline")).to_contain_text("Rated by the customer")
    _shot(page, "survey-portal-thanks.png")

    response = SurveyResponse.objects.get(ticket=ticket)
    assert response.respondent == customer
    assert sorted(response.ratings.values_list("criterion__code", "score")) == [
        ("quality", 4),
        ("speed", 3),
    ]
    assert page.console_errors == []
    assert page.failed_responses == []

    # The engineer sees the rating beside the ticket.
    staff = page_for("en-US")
    sign_in(staff, live_server.url, engineer.email)
    staff.goto(f"{live_server.url}/backoffice/tickets/{ticket.number}/")
    panel = staff.get_by_test_id("survey-panel")
    expect(panel).to_contain_text("4/5")
    expect(panel).to_contain_text("3/5")
    expect(panel).to_contain_text("Quick and tidy, thank you.")
    expect(panel).to_contain_text("Anna Customer")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SHOTS / "survey-staff-panel.png"))


def test_rating_from_the_email_link_without_signing_in(live_server, page_for):
    quality, speed = _criteria()
    ticket = TicketFactory(subject="Printer jams", status=Status.CLOSED, resolved_at=timezone.now())
    page = page_for("en-US")
    page.goto(live_server.url + reverse("survey", args=[survey_token(ticket)]))
    expect(page.get_by_test_id("survey-ticket")).to_contain_text(ticket.number)
    expect(page.get_by_test_id("survey-ticket")).to_contain_text("Printer jams")
    page.locator(f"label[for=id_score_{quality.pk}_5]").click()
    page.get_by_test_id("survey-submit").click()
    # One forgotten: the message, and the five stars still chosen.
    expect(page.get_by_test_id("survey-field-error")).to_contain_text("Speed")
    expect(page.locator(f"#id_score_{quality.pk}_5")).to_be_checked()
    _shot(page, "survey-link-error.png")
    page.locator(f"label[for=id_score_{speed.pk}_2]").click()
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    _shot(page, "survey-link-thanks.png")
    assert SurveyResponse.objects.get(ticket=ticket).respondent is None

    # The link works once.
    page.goto(live_server.url + reverse("survey", args=[survey_token(ticket)]))
    expect(page.get_by_test_id("invalid-link")).to_be_visible()
    _shot(page, "survey-link-invalid.png")
    # Only the statuses the pages answer with (400 for the error, 404 for the used link).
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []
