"""Reads of the satisfaction survey: a ticket's rating, the questions asked, the averages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Prefetch
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from servicedesk.conversations.models import SurveyCriterion, SurveyRating, SurveyResponse
from servicedesk.tickets.models import Ticket

AVERAGES_CACHE_SECONDS = 300
CRITERIA_KEY = "survey-criteria:v1"
CRITERIA_SECONDS = 300


def survey_criteria() -> list[SurveyCriterion]:
    """The criteria a customer is asked to rate, in the list's order: kept in the cache, as the
    reference lists are (customers/reference.py), and dropped whenever one is saved or deleted
    (a resolved ticket's page shows the form on every visit; the list changes rarely). A
    rating is checked against the database (survey_services), never against this."""
    rows: list[SurveyCriterion] | None = cache.get(CRITERIA_KEY)
    if rows is None:
        rows = list(SurveyCriterion.objects.filter(is_active=True))
        cache.set(CRITERIA_KEY, rows, CRITERIA_SECONDS)
    return rows


def _criteria_forget(**kwargs: Any) -> None:
    cache.delete(CRITERIA_KEY)
    # A transaction still open may yet read the old rows into the cache: forget again after it.
    transaction.on_commit(lambda: cache.delete(CRITERIA_KEY))


def connect_signals() -> None:
    post_save.connect(_criteria_forget, sender=SurveyCriterion, dispatch_uid="criteria-save")
    post_delete.connect(_criteria_forget, sender=SurveyCriterion, dispatch_uid="criteria-del")


def ticket_survey(ticket: Ticket) -> SurveyResponse | None:
    """The ticket's rating with its respondent and its scores (each with its criterion), in
    the criteria's order: one query, two when there is a rating."""
    ratings = SurveyRating.objects.select_related("criterion").order_by(
        "criterion__sort_order", "criterion__name_ru", "id"
    )
    return (
        SurveyResponse.objects.filter(ticket_id=ticket.pk)
        .select_related("respondent")
        .prefetch_related(Prefetch("ratings", queryset=ratings))
        .first()
    )


@dataclass(frozen=True)
class CriterionAverage:
    name: str
    average: float
    count: int


def survey_averages(days: int = 30, now: datetime | None = None) -> list[CriterionAverage]:
    """The average score per criterion over the ratings of the last `days` days: one query,
    kept in the cache for a few minutes (the dashboard asks on every visit)."""
    language = "en" if (get_language() or "ru").startswith("en") else "ru"
    key = f"survey-averages:v1:{days}"
    rows = cache.get(key)
    if rows is None:
        since = (now or timezone.now()) - timedelta(days=days)
        rows = list(
            SurveyRating.objects.filter(response__created_at__gte=since)
            .values("criterion_id", "criterion__name_ru", "criterion__name_en")
            .annotate(average=Avg("score"), count=Count("id"))
            .order_by("criterion__sort_order", "criterion__name_ru", "criterion_id")
        )
        cache.set(key, rows, AVERAGES_CACHE_SECONDS)
    result = []
    for row in rows:
        ru, en = row["criterion__name_ru"], row["criterion__name_en"]
        name = (en or ru) if language == "en" else (ru or en)
        result.append(
            CriterionAverage(name=name, average=float(row["average"]), count=row["count"])
        )
    return result
