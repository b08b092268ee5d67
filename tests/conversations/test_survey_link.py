"""The survey from the email link: no sign-in, the ticket's number and subject only, and one
uniform "not valid" page for a link that is altered, expired, used, or whose ticket was
reopened."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.conversations.models import SurveyResponse
from servicedesk.conversations.survey_services import survey_submit
from servicedesk.conversations.surveys import survey_token, survey_url
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from tests.conftest import World, login
from tests.conversations.test_surveys import criteria, nothing_stored, resolved_ticket
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

INVALID = reverse("survey_invalid")
THANKS = reverse("survey_thanks")
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def ticket(world: World) -> Ticket:
    return resolved_ticket(
        world,
        number="00004321",
        subject="Pump leaks in the boiler room",
        description="SECRET-DESCRIPTION",
        site=world.sites["a_floor"],
    )


def link(ticket: Ticket) -> str:
    return reverse("survey", args=[survey_token(ticket)])


def answers(**scores: int) -> dict[str, Any]:
    quality, speed = criteria()
    ids = {"quality": quality.pk, "speed": speed.pk}
    data: dict[str, Any] = {f"score_{ids[code]}": score for code, score in scores.items()}
    return data


def test_the_link_opens_the_form_with_the_number_and_subject_only(
    world: World, client: Client, ticket: Ticket
) -> None:
    criteria()
    response = client.get(link(ticket))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    assert "00004321" in html
    assert "Pump leaks in the boiler room" in html
    for secret in (
        "SECRET-DESCRIPTION",
        "Replaced the seal.",
        world.companies["A"].name,
        world.users["cust_a"].full_name,
        world.users["cust_a"].email,
        world.users["engineer"].full_name,
        world.sites["a_floor"].name,
    ):
        assert secret not in html, secret
    assert "Quality of work" in html and "Speed" in html
    assert html.count('class="star-input') == 10
    assert 'name="csrfmiddlewaretoken"' in html


def test_survey_url_is_absolute_and_opens_the_same_page(
    settings: Any, ticket: Ticket, client: Client
) -> None:
    settings.SITE_URL = "https://desk.example.com/"
    url = survey_url(ticket)
    assert url.startswith("https://desk.example.com/survey/")
    assert client.get(url.removeprefix("https://desk.example.com")).status_code == 200


def test_rating_through_the_link_then_thanks(client: Client, ticket: Ticket) -> None:
    response = client.post(link(ticket), {**answers(quality=4, speed=5), "comment": "Quick!"})
    assert response.status_code == 302
    assert response["Location"] == THANKS
    thanks = client.get(THANKS)
    assert thanks.status_code == 200
    assert "Thank you for your rating" in thanks.content.decode()
    rating = SurveyResponse.objects.get(ticket=ticket)
    assert rating.respondent is None
    assert rating.comment == "Quick!"
    assert sorted(rating.ratings.values_list("score", flat=True)) == [4, 5]
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.RATED)
    assert event.actor is None


def test_a_signed_in_customer_who_sees_the_ticket_is_recorded_as_the_respondent(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_ab"])
    assert client.post(link(ticket), answers(quality=5, speed=5))["Location"] == THANKS
    assert SurveyResponse.objects.get(ticket=ticket).respondent == world.users["cust_ab"]


def test_a_signed_in_customer_of_another_company_rates_as_the_link(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_b"])
    assert client.post(link(ticket), answers(quality=5, speed=5))["Location"] == THANKS
    assert SurveyResponse.objects.get(ticket=ticket).respondent is None


def test_bad_answers_keep_what_was_chosen(client: Client, ticket: Ticket) -> None:
    quality, speed = criteria()
    response = client.post(link(ticket), {**answers(quality=3), "comment": "Half done"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rate “Speed” from 1 to 5 stars." in html
    assert 'value="3" checked' in html
    assert html.count(" checked") == 1
    assert ">Half done</textarea>" in html
    assert nothing_stored(ticket)
    # A forged value: refused as out of range, nothing stored.
    response = client.post(link(ticket), {f"score_{quality.pk}": "5", f"score_{speed.pk}": "x"})
    assert response.status_code == 400
    assert "A rating of “Speed” is from 1 to 5 stars." in response.content.decode()
    assert nothing_stored(ticket)


def _body(response: Any) -> str:
    return CSRF.sub(r"\1…", response.content.decode())


def _invalid_page(client: Client, url: str, method: str = "get") -> Any:
    response = getattr(client, method)(url, answers(quality=5, speed=5))
    assert response.status_code == 302, url
    assert response["Location"] == INVALID
    final = client.get(INVALID)
    assert final.status_code == 404
    return final


def test_every_broken_link_gets_the_same_page(
    world: World, client: Client, ticket: Ticket, settings: Any
) -> None:
    criteria()
    token = survey_token(ticket)
    pages = {}
    pages["altered"] = _invalid_page(
        client, reverse("survey", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])
    )
    pages["garbage"] = _invalid_page(client, reverse("survey", args=["not-a-token"]))
    pages["empty"] = _invalid_page(client, "/survey//")
    pages["other salt"] = _invalid_page(client, reverse("survey", args=["e30:1:abc"]))

    # Expired: the link works until SURVEY_LINK_TTL_DAYS have passed.
    ttl = settings.SURVEY_LINK_TTL_DAYS
    with time_machine.travel(timezone.now() + timedelta(days=ttl - 1), tick=False):
        assert client.get(reverse("survey", args=[token])).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=ttl, minutes=1), tick=False):
        pages["expired"] = _invalid_page(client, reverse("survey", args=[token]))

    # Reopened: a customer's reply put the ticket back to work.
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)
    pages["reopened"] = _invalid_page(client, reverse("survey", args=[token]))
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)

    # Another contact since the email was sent.
    other = MembershipFactory(company=world.companies["A"]).user
    Ticket.objects.filter(pk=ticket.pk).update(contact=other)
    pages["contact changed"] = _invalid_page(client, reverse("survey", args=[token]))
    Ticket.objects.filter(pk=ticket.pk).update(contact=world.users["cust_a"])

    # Used: the one rating is given (here through the portal).
    assert client.get(reverse("survey", args=[token])).status_code == 200
    quality, speed = criteria()
    survey_submit(ticket=ticket, respondent=None, scores={quality.pk: 5, speed.pk: 5})
    pages["used"] = _invalid_page(client, reverse("survey", args=[token]))
    pages["used, posted"] = _invalid_page(client, reverse("survey", args=[token]), "post")

    bodies = {name: _body(page) for name, page in pages.items()}
    first = bodies["altered"]
    assert "This link is not valid" in first
    for name, body in bodies.items():
        assert body == first, name
    assert SurveyResponse.objects.filter(ticket=ticket).count() == 1


def test_a_ticket_reopened_after_the_page_opened_takes_no_rating(
    client: Client, ticket: Ticket
) -> None:
    assert client.get(link(ticket)).status_code == 200
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.WAITING)
    response = client.post(link(ticket), answers(quality=5, speed=5))
    assert response["Location"] == INVALID
    assert nothing_stored(ticket)


def test_an_inactive_contact_link_does_not_work(
    world: World, client: Client, ticket: Ticket
) -> None:
    world.users["cust_a"].is_active = False
    world.users["cust_a"].save()
    assert client.get(link(ticket))["Location"] == INVALID


def test_staff_do_not_rate_through_a_customers_link(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["dispatcher"])
    assert client.get(link(ticket))["Location"] == INVALID
    assert client.post(link(ticket), answers(quality=1, speed=1))["Location"] == INVALID
    assert nothing_stored(ticket)


def test_posts_are_rate_limited(settings: Any, client: Client, ticket: Ticket) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "survey": "2/h/ip"}
    for _attempt in range(2):
        assert client.post(link(ticket), answers(quality=4)).status_code == 400
    response = client.post(link(ticket), {**answers(quality=4, speed=4), "comment": "kept"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html
    assert ">kept</textarea>" in html
    assert nothing_stored(ticket)


def test_csrf_stays_on(ticket: Ticket) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(link(ticket), answers(quality=5, speed=5)).status_code == 403
    assert nothing_stored(ticket)
    page = client.get(link(ticket))
    token = page.cookies["csrftoken"].value
    response = client.post(
        link(ticket), {**answers(quality=5, speed=5), "csrfmiddlewaretoken": token}
    )
    assert response["Location"] == THANKS


def test_thanks_and_invalid_pages_answer_get_only(client: Client) -> None:
    assert client.post(THANKS).status_code == 405
    assert client.post(INVALID).status_code == 405
