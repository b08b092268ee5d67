"""The customer's rating for staff: the panel on the ticket page (stars, comment, who and when,
or "not rated yet"), the RATED event on the timeline, the dashboard's averages and the
criteria in the admin."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from servicedesk.conversations.models import SurveyCriterion, SurveyResponse
from servicedesk.conversations.survey_services import survey_submit
from servicedesk.tickets.models import Status, Ticket
from tests.conftest import World, login
from tests.conversations.test_surveys import criteria, resolved_ticket

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("backoffice:ticket_detail", args=[ticket.number]), headers=EN)
    assert response.status_code == 200
    return str(response.content.decode())


def rate(ticket: Ticket, respondent: Any, quality: int, speed: int, comment: str = "") -> None:
    q, s = criteria()
    survey_submit(
        ticket=ticket, respondent=respondent, scores={q.pk: quality, s.pk: speed}, comment=comment
    )


@pytest.mark.parametrize("key", ["dispatcher", "engineer", "admin"])
def test_staff_see_the_rating_with_stars_comment_who_and_when(
    world: World, client: Client, key: str, english: None
) -> None:
    ticket = resolved_ticket(world)
    customer = world.users["cust_a"]
    rate(ticket, customer, 4, 2, "Fixed, but <script>late</script>")
    login(client, world.users[key])
    html = page(client, ticket)
    panel = html[html.index('data-testid="survey-panel"') :]
    panel = panel[: panel.index("</section>")]
    assert "Customer&#x27;s rating" in html or "Customer's rating" in html
    assert "Quality of work" in panel and "4/5" in panel
    assert "Speed" in panel and "2/5" in panel
    assert 'aria-label="4 of 5 stars"' in panel
    assert 'aria-label="2 of 5 stars"' in panel
    assert "Fixed, but &lt;script&gt;late&lt;/script&gt;" in panel
    assert "<script>late" not in html
    assert customer.full_name in panel
    when = SurveyResponse.objects.get(ticket=ticket).created_at
    assert when.astimezone(timezone.get_current_timezone()).strftime("%Y") in panel
    # And on the full history.
    assert "Rated by the customer" in html
    assert "Quality of work: 4/5 · Speed: 2/5" in html


def test_the_timeline_words_a_rating_in_the_readers_language(world: World) -> None:
    # Given a customer reading English who rates the ticket through the email's link
    ticket = resolved_ticket(world)
    with translation.override("en"):
        rate(ticket, None, 5, 3)
    # When a dispatcher reading Russian opens the ticket
    dispatcher = world.users["dispatcher"]
    dispatcher.language = "ru"
    dispatcher.save()
    html = login(Client(), dispatcher).get(
        reverse("backoffice:ticket_detail", args=[ticket.number])
    )
    timeline = html.content.decode().split('data-testid="timeline"')[1]
    # Then the rating on the timeline is in Russian
    assert "Качество выполненных работ: 5/5 · Скорость: 3/5 · по ссылке из письма" in timeline
    assert "Quality of work" not in timeline


def test_a_rating_through_the_email_link_says_so(world: World, client: Client) -> None:
    ticket = resolved_ticket(world, Status.CLOSED)
    rate(ticket, None, 5, 5)
    login(client, world.users["dispatcher"])
    html = page(client, ticket)
    assert 'data-testid="survey-by"' in html
    by = html[html.index('data-testid="survey-by"') :].split("</div>")[0]
    assert "through the link in the email" in by


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_finished_ticket_not_rated_yet(world: World, client: Client, status: str) -> None:
    ticket = resolved_ticket(world, status)
    login(client, world.users["dispatcher"])
    html = page(client, ticket)
    assert 'data-testid="survey-panel"' in html
    assert "Not rated yet." in html


def test_an_open_ticket_has_no_panel_until_rated(world: World, client: Client) -> None:
    ticket = resolved_ticket(world, Status.IN_PROGRESS)
    login(client, world.users["dispatcher"])
    assert 'data-testid="survey-panel"' not in page(client, ticket)
    # Rated, then reopened by the customer's reply: the rating stays visible.
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
    rate(ticket, world.users["cust_a"], 3, 3)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)
    html = page(client, ticket)
    assert 'data-testid="survey-panel"' in html
    assert "3/5" in html


def test_the_staff_page_has_no_rating_form(world: World, client: Client) -> None:
    ticket = resolved_ticket(world)
    login(client, world.users["admin"])
    html = page(client, ticket)
    assert 'data-testid="survey-form"' not in html
    assert 'name="score_' not in html


def test_the_dashboard_shows_the_averages_of_the_last_30_days(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    for quality, speed in ((5, 2), (4, 3)):
        rate(resolved_ticket(world), None, quality, speed)
    old = resolved_ticket(world)
    rate(old, None, 1, 1)
    SurveyResponse.objects.filter(ticket=old).update(created_at=timezone.now() - timedelta(days=40))
    login(client, world.users["engineer"])
    with django_assert_max_num_queries(13):  # as tests/backoffice/test_views.py
        response = client.get(reverse("backoffice:dashboard"), headers=EN)
    html = response.content.decode()
    card = html[html.index('data-testid="survey-averages"') :]
    card = card[: card.index("</section>")]
    assert card.count('data-testid="survey-average"') == 2
    assert "Quality of work" in card and "4.5" in card
    assert "Speed" in card and "2.5" in card
    assert "2 ratings" in card


def test_the_dashboard_without_ratings(world: World, client: Client) -> None:
    login(client, world.users["dispatcher"])
    html = client.get(reverse("backoffice:dashboard"), headers=EN).content.decode()
    assert "No ratings in the last 30 days." in html


def test_a_rating_shows_on_the_dashboard_at_once(world: World, client: Client) -> None:
    # Given a dispatcher who saw the dashboard without ratings
    login(client, world.users["dispatcher"])
    assert "No ratings" in client.get(reverse("backoffice:dashboard"), headers=EN).content.decode()
    # When a customer rates a ticket
    rate(resolved_ticket(world), None, 5, 4)
    # Then the next visit shows it
    html = client.get(reverse("backoffice:dashboard"), headers=EN).content.decode()
    assert "No ratings" not in html and 'data-testid="survey-average"' in html


def test_criteria_are_a_reference_list_in_the_admin(world: World, client: Client) -> None:
    login(client, world.users["admin"])
    assert client.get("/admin/conversations/surveycriterion/").status_code == 200
    assert client.get("/admin/conversations/surveycriterion/add/").status_code == 200
    response = client.post(
        "/admin/conversations/surveycriterion/add/",
        {
            "code": "politeness",
            "name_ru": "Вежливость",
            "name_en": "Politeness",
            "sort_order": 30,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert SurveyCriterion.objects.filter(code="politeness", is_active=True).exists()
    login(client, world.users["dispatcher"])
    assert client.get("/admin/conversations/surveycriterion/").status_code == 404
