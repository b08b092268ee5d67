"""The satisfaction survey's rules (survey_services, survey_selectors): who rates what and when,
one rating per ticket, every active criterion scored 1–5, and the timeline's RATED event."""

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from servicedesk.conversations.models import SurveyCriterion, SurveyRating, SurveyResponse
from servicedesk.conversations.survey_selectors import (
    survey_averages,
    survey_criteria,
    survey_summary_text,
    ticket_survey,
)
from servicedesk.conversations.survey_services import (
    COMMENT_MAX_LENGTH,
    SurveyAnswersError,
    survey_submit,
)
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from tests.conftest import World, build_world
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def criteria() -> tuple[SurveyCriterion, SurveyCriterion]:
    """The default criterion (from the data migration) and a second one after it."""
    # get_or_create: a transactional test may run after another one's flush, before the
    # serialized rows (the data migration's criterion among them) are back.
    quality = SurveyCriterion.objects.get_or_create(
        code="quality",
        defaults={"name_ru": "Качество выполненных работ", "name_en": "Quality of work"},
    )[0]
    speed = SurveyCriterion.objects.get_or_create(
        code="speed", defaults={"name_ru": "Скорость", "name_en": "Speed", "sort_order": 20}
    )[0]
    return quality, speed


def resolved_ticket(world: World, status: str = Status.RESOLVED, **kwargs: Any) -> Ticket:
    kwargs.setdefault("company", world.companies["A"])
    kwargs.setdefault("contact", world.users["cust_a"])
    return TicketFactory(
        status=status,
        assignee=world.users["engineer"],
        resolution="Replaced the seal.",
        resolved_at=timezone.now(),
        **kwargs,
    )


def nothing_stored(ticket: Ticket) -> bool:
    return (
        not SurveyResponse.objects.filter(ticket=ticket).exists()
        and not SurveyRating.objects.filter(response__ticket=ticket).exists()
        and not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.RATED).exists()
    )


def test_a_customer_rates_a_resolved_ticket(world: World, english: None) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    customer = world.users["cust_a"]

    response = survey_submit(
        ticket=ticket,
        respondent=customer,
        scores={quality.pk: 4, speed.pk: 5},
        comment="  Fast\u200b and tidy.\x00 ",
    )

    response.refresh_from_db()
    assert response.ticket_id == ticket.pk
    assert response.respondent == customer
    assert response.comment == "Fast and tidy."
    assert sorted(response.ratings.values_list("criterion__code", "score")) == [
        ("quality", 4),
        ("speed", 5),
    ]
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.RATED)
    assert event.actor == customer
    assert event.is_public
    # kept by criterion code, worded in each reader's language when shown
    assert json.loads(event.new_value) == {"scores": {"quality": 4, "speed": 5}, "by_link": False}
    assert survey_summary_text(event.new_value) == "Quality of work: 4/5 · Speed: 5/5"
    with translation.override("ru"):
        assert (
            survey_summary_text(event.new_value)
            == "Качество выполненных работ: 4/5 · Скорость: 5/5"
        )


def test_a_closed_ticket_is_rated_too_and_the_link_rating_has_no_respondent(
    world: World, english: None
) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world, Status.CLOSED)

    response = survey_submit(
        ticket=ticket, respondent=None, scores={quality.pk: 1, speed.pk: 2}, comment=""
    )

    assert response.respondent is None
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.RATED)
    assert event.actor is None
    assert json.loads(event.new_value) == {"scores": {"quality": 1, "speed": 2}, "by_link": True}
    assert survey_summary_text(event.new_value) == (
        "Quality of work: 1/5 · Speed: 2/5 · through the link in the email"
    )


def test_a_rating_kept_as_words_before_shows_as_written(english: None) -> None:
    assert survey_summary_text("Качество: 5/5") == "Качество: 5/5"


@pytest.mark.parametrize(
    "status",
    [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.CANCELLED],
)
def test_a_ticket_that_is_not_resolved_or_closed_is_not_rated(world: World, status: str) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world, status)
    for respondent in (world.users["cust_a"], None):
        with pytest.raises(ApplicationError) as refused:
            survey_submit(
                ticket=ticket,
                respondent=respondent,
                scores={quality.pk: 5, speed.pk: 5},
                comment="",
            )
        assert refused.value.code == "stage"
    assert nothing_stored(ticket)


def test_the_status_is_read_again_not_taken_from_the_callers_copy(world: World) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)  # reopened meanwhile
    with pytest.raises(ApplicationError) as refused:
        survey_submit(ticket=ticket, respondent=None, scores={quality.pk: 5, speed.pk: 5})
    assert refused.value.code == "stage"
    assert nothing_stored(ticket)


def test_a_second_rating_is_refused_and_the_first_kept(world: World, english: None) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    survey_submit(
        ticket=ticket,
        respondent=world.users["cust_a"],
        scores={quality.pk: 2, speed.pk: 3},
        comment="first",
    )
    for respondent in (world.users["cust_ab"], world.users["cust_a"], None):
        with pytest.raises(ApplicationError) as refused:
            survey_submit(
                ticket=ticket,
                respondent=respondent,
                scores={quality.pk: 5, speed.pk: 5},
                comment="second",
            )
        assert refused.value.code == "rated"
        assert "rated already" in refused.value.message
    response = SurveyResponse.objects.get(ticket=ticket)
    assert response.comment == "first"
    assert sorted(response.ratings.values_list("score", flat=True)) == [2, 3]
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.RATED).count() == 1


@pytest.mark.parametrize(
    ("scores", "fields"),
    [
        ({"quality": 4}, ["speed"]),  # missing
        ({}, ["quality", "speed"]),
        ({"quality": 0, "speed": 5}, ["quality"]),  # out of range
        ({"quality": 6, "speed": 9}, ["quality", "speed"]),
        ({"quality": -1, "speed": 3}, ["quality"]),
    ],
)
def test_missing_and_out_of_range_scores_get_a_message_each(
    world: World, english: None, scores: dict[str, int], fields: list[str]
) -> None:
    by_code = {c.code: c for c in criteria()}
    ticket = resolved_ticket(world)
    with pytest.raises(SurveyAnswersError) as refused:
        survey_submit(
            ticket=ticket,
            respondent=world.users["cust_a"],
            scores={by_code[code].pk: score for code, score in scores.items()},
            comment="",
        )
    assert sorted(refused.value.errors) == sorted(f"score_{by_code[f].pk}" for f in fields)
    for code in fields:
        name = by_code[code].name_en
        assert name in refused.value.errors[f"score_{by_code[code].pk}"]
        assert "1 to 5" in refused.value.errors[f"score_{by_code[code].pk}"]
    assert nothing_stored(ticket)


def test_a_comment_over_the_limit_is_refused_one_at_the_limit_taken(world: World) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    with pytest.raises(SurveyAnswersError) as refused:
        survey_submit(
            ticket=ticket,
            respondent=None,
            scores={quality.pk: 5, speed.pk: 5},
            comment="x" * (COMMENT_MAX_LENGTH + 1),
        )
    assert list(refused.value.errors) == ["comment"]
    assert nothing_stored(ticket)
    response = survey_submit(
        ticket=ticket,
        respondent=None,
        scores={quality.pk: 5, speed.pk: 5},
        comment="x" * COMMENT_MAX_LENGTH,
    )
    assert len(response.comment) == COMMENT_MAX_LENGTH == 4000


def test_an_inactive_criterion_is_not_asked_and_its_score_is_refused(world: World) -> None:
    quality, speed = criteria()
    speed.is_active = False
    speed.save()
    ticket = resolved_ticket(world)
    # A score for a retired (or unknown) criterion: the form was older than the list.
    for scores in ({quality.pk: 4, speed.pk: 4}, {quality.pk: 4, 999_999: 4}):
        with pytest.raises(ApplicationError) as refused:
            survey_submit(ticket=ticket, respondent=None, scores=scores)
        assert refused.value.code == "criteria_changed"
        assert nothing_stored(ticket)
    # Without it: only the active criterion is asked and rated.
    response = survey_submit(ticket=ticket, respondent=None, scores={quality.pk: 4})
    assert list(response.ratings.values_list("criterion__code", flat=True)) == ["quality"]


def test_nothing_to_rate_without_active_criteria(world: World) -> None:
    SurveyCriterion.objects.update(is_active=False)
    ticket = resolved_ticket(world)
    with pytest.raises(ApplicationError) as refused:
        survey_submit(ticket=ticket, respondent=None, scores={})
    assert refused.value.code == "no_criteria"
    assert nothing_stored(ticket)


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("cust_a", True),  # the contact
        ("cust_ab", True),  # a colleague who sees the whole company (or follows the ticket)
        ("cust_site", False),  # scoped to the HQ site: does not see a ticket elsewhere
        ("cust_b", False),  # another company
        ("cust_none", False),  # no company
        ("engineer", False),  # staff never rate in the customer's name
        ("dispatcher", False),
        ("admin", False),
    ],
)
def test_who_may_rate(world: World, key: str, allowed: bool) -> None:
    quality, speed = criteria()
    ticket = resolved_ticket(world, site=world.sites["a_shop"])
    respondent = world.users[key]
    if allowed:
        response = survey_submit(
            ticket=ticket, respondent=respondent, scores={quality.pk: 3, speed.pk: 3}
        )
        assert response.respondent == respondent
        return
    with pytest.raises(ApplicationError) as refused:
        survey_submit(ticket=ticket, respondent=respondent, scores={quality.pk: 3, speed.pk: 3})
    assert refused.value.code == "forbidden"
    assert nothing_stored(ticket)


def test_ticket_survey_reads_the_rating_in_two_queries(
    world: World, english: None, django_assert_num_queries: Any
) -> None:
    quality, speed = criteria()
    quality.sort_order = 30  # after speed now
    quality.save()
    ticket = resolved_ticket(world)
    with django_assert_num_queries(1):
        assert ticket_survey(ticket) is None
    survey_submit(
        ticket=ticket,
        respondent=world.users["cust_a"],
        scores={quality.pk: 4, speed.pk: 2},
        comment="ok",
    )
    with django_assert_num_queries(2):
        response = ticket_survey(ticket)
        assert response is not None
        assert response.respondent == world.users["cust_a"]
        assert [(r.criterion.name, r.score) for r in response.ratings.all()] == [
            ("Speed", 2),
            ("Quality of work", 4),
        ]


def test_averages_per_criterion_over_the_last_30_days(
    world: World, english: None, django_assert_num_queries: Any
) -> None:
    quality, speed = criteria()
    for q, s in ((5, 4), (4, 1), (3, 1)):
        survey_submit(
            ticket=resolved_ticket(world), respondent=None, scores={quality.pk: q, speed.pk: s}
        )
    old = survey_submit(
        ticket=resolved_ticket(world), respondent=None, scores={quality.pk: 1, speed.pk: 5}
    )
    SurveyResponse.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    with django_assert_num_queries(1):
        averages = survey_averages()
    assert [(a.name, a.average, a.count) for a in averages] == [
        ("Quality of work", 4.0, 3),
        ("Speed", 2.0, 3),
    ]
    with django_assert_num_queries(1):  # made afresh: a new rating shows at once
        assert survey_averages() == averages


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ratings_at_once_keep_one() -> None:
    world = build_world("-race")
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def rate(key: str, score: int) -> None:
        try:
            barrier.wait()
            survey_submit(
                ticket=ticket,
                respondent=world.users[key],
                scores={quality.pk: score, speed.pk: score},
            )
            outcomes.append("ok")
        except ApplicationError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=rate, args=("cust_a", 5)),
        threading.Thread(target=rate, args=("cust_ab", 1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "rated"]
    assert SurveyResponse.objects.filter(ticket=ticket).count() == 1
    assert SurveyRating.objects.filter(response__ticket=ticket).count() == 2
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.RATED).count() == 1


def test_migrations_give_the_default_criterion() -> None:
    """A fresh installation asks about the quality of work, in both languages."""
    quality = SurveyCriterion.objects.get(code="quality")
    assert (quality.name_ru, quality.name_en, quality.is_active) == (
        "Качество выполненных работ",
        "Quality of work",
        True,
    )


def test_the_criteria_come_from_the_cache_and_follow_every_change(
    django_assert_num_queries: Any,
) -> None:
    shown = survey_criteria()
    with django_assert_num_queries(0):  # a resolved ticket's page asks on every visit
        assert survey_criteria() == shown
    added = SurveyCriterion.objects.create(code="cache-speed", name_ru="Скорость", sort_order=1)
    assert survey_criteria() == [added, *shown]
    added.name_ru = "Быстрота"
    added.save()
    assert survey_criteria()[0].name_ru == "Быстрота"
    added.is_active = False
    added.save()
    assert survey_criteria() == shown
    added.delete()
    assert survey_criteria() == shown
