"""Reads of the satisfaction survey: a ticket's rating, the questions asked, the averages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Prefetch
from django.utils import timezone
from django.utils.translation import get_language, gettext

from servicedesk.conversations.models import SurveyCriterion, SurveyRating, SurveyResponse
from servicedesk.conversations.survey_services import SCORES
from servicedesk.customers.reference import reference_rows
from servicedesk.tickets.models import Ticket


def survey_criteria() -> list[SurveyCriterion]:
    """The criteria a customer is asked to rate, in the list's order: kept in the cache as the
    other reference lists are (customers/reference.py: dropped whenever one is saved or
    deleted; a resolved ticket's page shows the form on every visit). A rating is checked
    against the database (survey_services), never against this."""
    rows = reference_rows(SurveyCriterion)[SurveyCriterion]
    return [row for row in rows.values() if row.is_active]


def survey_summary_text(kept: str) -> str:
    """A RATED event's value (survey_services.survey_summary) in the reader's language:
    «Quality of work: 4/5 · Speed: 5/5», and how the rating came when by the email's link.
    An event written before kept these words themselves: they show as written."""
    try:
        summary = json.loads(kept)
    except ValueError:
        return kept
    if not isinstance(summary, dict) or not isinstance(summary.get("scores"), dict):
        return kept
    rows = reference_rows(SurveyCriterion)[SurveyCriterion].values()
    names = {row.code: row.name for row in rows}
    parts = [
        f"{names.get(code, code)}: {score}/{SCORES[-1]}"
        for code, score in summary["scores"].items()
    ]
    if summary.get("by_link"):
        parts.append(gettext("through the link in the email"))
    return " · ".join(parts)


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
    """The average score per criterion over the ratings of the last `days` days: one query
    over the indexed ratings, made on every visit so that a rating shows at once."""
    language = "en" if (get_language() or "ru").startswith("en") else "ru"
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        SurveyRating.objects.filter(response__created_at__gte=since)
        .values("criterion_id", "criterion__name_ru", "criterion__name_en")
        .annotate(average=Avg("score"), count=Count("id"))
        .order_by("criterion__sort_order", "criterion__name_ru", "criterion_id")
    )
    result = []
    for row in rows:
        ru, en = row["criterion__name_ru"], row["criterion__name_en"]
        name = (en or ru) if language == "en" else (ru or en)
        result.append(
            CriterionAverage(name=name, average=float(row["average"]), count=row["count"])
        )
    return result
