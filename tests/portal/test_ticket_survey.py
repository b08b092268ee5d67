"""The survey card on the portal's ticket page: shown for a resolved or closed ticket not yet
rated, posted with htmx or as a plain form, the given rating shown after and never editable,
and nobody outside the ticket's scope rating it."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.conversations.models import SurveyResponse
from servicedesk.conversations.survey_services import survey_submit
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from tests.conftest import World, login
from tests.conversations.test_surveys import criteria, nothing_stored, resolved_ticket

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def ticket(world: World) -> Ticket:
    criteria()
    return resolved_ticket(world, number="00005555", subject="Printer jams")


def page(ticket: Ticket) -> str:
    return reverse("portal:ticket_detail", args=[ticket.number])


def post_url(ticket: Ticket) -> str:
    return post_url_for(ticket.number)


def post_url_for(number: str) -> str:
    return reverse("portal:ticket_survey", args=[number])


def answers(**scores: Any) -> dict[str, Any]:
    quality, speed = criteria()
    ids = {"quality": quality.pk, "speed": speed.pk}
    return {f"score_{ids[code]}": score for code, score in scores.items()}


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_finished_ticket_offers_the_survey(
    world: World, client: Client, ticket: Ticket, status: str
) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    html = login(client, world.users["cust_a"]).get(page(ticket)).content.decode()
    assert 'data-testid="survey-form"' in html
    assert "Rate how your ticket was handled" in html
    assert f'hx-post="{post_url(ticket)}"' in html
    assert f'action="{post_url(ticket)}"' in html
    assert html.count('data-testid="survey-criterion"') == 2
    assert html.count('class="star-input') == 10
    assert "Quality of work" in html and "Speed" in html


@pytest.mark.parametrize(
    "status",
    [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.CANCELLED],
)
def test_an_unfinished_ticket_has_no_survey(
    world: World, client: Client, ticket: Ticket, status: str
) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    html = login(client, world.users["cust_a"]).get(page(ticket)).content.decode()
    assert 'data-testid="survey"' not in html


def test_rating_with_htmx_answers_with_the_card(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_a"])
    response = client.post(
        post_url(ticket), {**answers(quality=4, speed=5), "comment": "Nice work"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="survey"' in html
    assert "Thank you for your rating" in html
    assert 'data-testid="survey-form"' not in html
    assert html.count('data-testid="survey-score"') == 2
    assert 'aria-label="4 of 5 stars"' in html and 'aria-label="5 of 5 stars"' in html
    assert "Nice work" in html
    # The history gets its entry out of band, without a reload.
    timeline = html[html.index('id="timeline"') :]
    assert 'hx-swap-oob="true"' in timeline
    assert "Rated by the customer" in timeline and "Quality of work: 4/5" in timeline
    rating = SurveyResponse.objects.get(ticket=ticket)
    assert rating.respondent == world.users["cust_a"]
    assert sorted(rating.ratings.values_list("score", flat=True)) == [4, 5]


def test_rating_with_a_plain_form_goes_back_to_the_page(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_ab"])  # a colleague who sees the ticket rates it too
    response = client.post(post_url(ticket), answers(quality=2, speed=3))
    assert response.status_code == 302
    assert response["Location"] == page(ticket) + "#survey"
    html = client.get(page(ticket)).content.decode()
    assert "Thank you for your rating!" in html  # the flash message
    assert 'data-testid="survey-given"' in html
    assert 'data-testid="survey-form"' not in html
    assert SurveyResponse.objects.get(ticket=ticket).respondent == world.users["cust_ab"]
    # The timeline says so too.
    assert "Rated by the customer" in html
    assert "Quality of work: 2/5 · Speed: 3/5" in html


def test_htmx_errors_keep_what_was_chosen(world: World, client: Client, ticket: Ticket) -> None:
    login(client, world.users["cust_a"])
    response = client.post(
        post_url(ticket), {**answers(quality=5), "comment": "Almost <b>there</b>"}, headers=HTMX
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    html = response.content.decode()
    assert 'data-testid="survey-form"' in html
    assert "Rate “Speed” from 1 to 5 stars." in html
    assert 'value="5" checked' in html
    assert html.count(" checked") == 1
    assert ">Almost &lt;b&gt;there&lt;/b&gt;</textarea>" in html
    assert nothing_stored(ticket)
    assert 'id="timeline"' not in html  # nothing new to tell the history


def test_plain_form_errors_show_the_whole_page_with_the_choices(
    world: World, client: Client, ticket: Ticket
) -> None:
    login(client, world.users["cust_a"])
    response = client.post(post_url(ticket), {**answers(speed=1), "comment": "x" * 4001})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="ticket-title"' in html  # the whole page
    assert "Rate “Quality of work” from 1 to 5 stars." in html
    assert "The comment is too long (at most 4000 characters)." in html
    assert 'value="1" checked' in html
    assert nothing_stored(ticket)


def test_the_rating_is_never_edited_afterwards(
    world: World, client: Client, ticket: Ticket
) -> None:
    quality, speed = criteria()
    survey_submit(
        ticket=ticket,
        respondent=world.users["cust_a"],
        scores={quality.pk: 1, speed.pk: 2},
        comment="slow",
    )
    login(client, world.users["cust_a"])
    html = client.get(page(ticket)).content.decode()
    assert 'data-testid="survey-form"' not in html
    assert 'name="score_' not in html
    assert "slow" in html
    for headers in (HTMX, {}):
        response = client.post(
            post_url(ticket), {**answers(quality=5, speed=5), "comment": "great"}, headers=headers
        )
        html = response.content.decode()
        assert "rated already" in html
        assert 'data-testid="survey-form"' not in html
    rating = SurveyResponse.objects.get(ticket=ticket)
    assert rating.comment == "slow"
    assert sorted(rating.ratings.values_list("score", flat=True)) == [1, 2]
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.RATED).count() == 1


def test_a_reopened_ticket_takes_no_rating(world: World, client: Client, ticket: Ticket) -> None:
    login(client, world.users["cust_a"])
    assert 'data-testid="survey-form"' in client.get(page(ticket)).content.decode()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)
    response = client.post(post_url(ticket), answers(quality=5, speed=5), headers=HTMX)
    html = response.content.decode()
    assert "A ticket is rated once it is resolved or closed." in html
    assert 'data-testid="survey-form"' not in html
    assert nothing_stored(ticket)


@pytest.mark.parametrize("key", ["cust_b", "cust_site", "cust_none", "cust_inactive"])
def test_nobody_outside_the_tickets_scope_rates_it(world: World, client: Client, key: str) -> None:
    criteria()
    ticket = resolved_ticket(world, site=world.sites["a_shop"])
    login(client, world.users[key])
    for headers in (HTMX, {}):
        response = client.post(post_url(ticket), answers(quality=1, speed=1), headers=headers)
        assert response.status_code in (404, 302), key
        if response.status_code == 302:  # an inactive account is signed out
            assert "/accounts/login/" in response["Location"]
    assert client.get(page(ticket)).status_code in (404, 302)
    assert nothing_stored(ticket)


def test_company_b_customer_gets_404_for_company_a(world: World, client: Client) -> None:
    criteria()
    ticket = resolved_ticket(world)
    login(client, world.users["cust_b"])
    assert client.post(post_url(ticket), answers(quality=1, speed=1)).status_code == 404
    assert client.post(post_url_for("nope"), answers(quality=1, speed=1)).status_code == 404
    assert nothing_stored(ticket)


def test_staff_and_anonymous_do_not_rate_in_the_portal(
    world: World, client: Client, ticket: Ticket
) -> None:
    assert client.post(post_url(ticket), answers(quality=1, speed=1)).status_code == 302
    login(client, world.users["engineer"])
    response = client.post(post_url(ticket), answers(quality=1, speed=1))
    assert response["Location"] == reverse("backoffice:dashboard")
    assert client.get(post_url(ticket)).status_code in (302, 405)
    assert nothing_stored(ticket)


def test_get_is_not_allowed(world: World, client: Client, ticket: Ticket) -> None:
    login(client, world.users["cust_a"])
    assert client.get(post_url(ticket)).status_code == 405


def test_the_card_costs_few_queries(world: World, client: Client, ticket: Ticket) -> None:
    login(client, world.users["cust_a"])

    def count(t: Ticket) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(t)).status_code == 200
        return len(captured)

    open_ticket = resolved_ticket(world, status=Status.IN_PROGRESS)
    count(open_ticket), count(ticket)  # warm the caches; each seen once already
    base = count(open_ticket)
    assert count(ticket) <= base + 2  # the rating (none) and the criteria
    quality, speed = criteria()
    survey_submit(ticket=ticket, respondent=None, scores={quality.pk: 3, speed.pk: 4})
    assert count(ticket) <= base + 2  # the rating and its scores
