"""The survey form shared by the portal's ticket page and the public link page: reading the
answers from a POST and the context its templates (conversations/_survey_*.html) render."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from servicedesk.conversations.models import SurveyCriterion
from servicedesk.conversations.survey_selectors import survey_criteria, ticket_survey
from servicedesk.conversations.survey_services import RATABLE_STATUSES, score_field
from servicedesk.tickets.models import Ticket

_SCORE_FIELD = re.compile(r"score_(\d{1,18})", re.ASCII)
_SMALL_NUMBER = re.compile(r"\d{1,3}", re.ASCII)
# What each number of stars says (the stars' titles, and read out by screen readers).
SCALE = (
    (1, _("very poor")),
    (2, _("poor")),
    (3, _("fair")),
    (4, _("good")),
    (5, _("excellent")),
)


def survey_answers(data: QueryDict) -> tuple[dict[int, int], str]:
    """The scores (criterion id → score) and the comment as posted. A score that is not a
    small number is kept as 0, so that the service refuses it with the field's message."""
    scores: dict[int, int] = {}
    for key in data:
        match = _SCORE_FIELD.fullmatch(key)
        value = str(data.get(key) or "").strip()
        if match is None or not value:
            continue
        scores[int(match[1])] = int(value) if _SMALL_NUMBER.fullmatch(value) else 0
    return scores, str(data.get("comment") or "")


def survey_form(
    criteria: list[SurveyCriterion],
    *,
    scores: Mapping[int, int] | None = None,
    comment: str = "",
    errors: Mapping[str, str] | None = None,
    error: str = "",
) -> dict[str, Any]:
    """The form's rows (one per criterion, with what was chosen and its message), the comment
    as typed, and a message for the whole form."""
    scores = scores or {}
    errors = errors or {}
    rows = [
        {
            "criterion": criterion,
            "field": score_field(criterion.pk),
            "value": scores.get(criterion.pk),
            "error": errors.get(score_field(criterion.pk), ""),
        }
        for criterion in criteria
    ]
    return {
        "rows": rows,
        "scale": SCALE,
        "comment": comment,
        "comment_error": errors.get("comment", ""),
        "error": error,
    }


def survey_card(
    ticket: Ticket,
    *,
    scores: Mapping[int, int] | None = None,
    comment: str = "",
    errors: Mapping[str, str] | None = None,
    error: str = "",
    always: bool = False,
) -> dict[str, Any] | None:
    """The portal ticket page's survey card: the rating given, or the form while the ticket is
    Resolved or Closed and not rated yet; None (no card) otherwise, unless `always` (after a
    refused rating, to say why). Open tickets cost no query."""
    ratable = ticket.status in RATABLE_STATUSES
    if not (ratable or always):
        return None
    response = ticket_survey(ticket)
    if response is not None:
        return {"response": response, "error": error}
    if not ratable:
        return {"response": None, "open": False, "error": error}
    return {
        "response": None,
        "open": True,
        **survey_form(
            survey_criteria(), scores=scores, comment=comment, errors=errors, error=error
        ),
    }


def survey_staff_panel(ticket: Ticket) -> dict[str, Any] | None:
    """The staff ticket page's rating panel: the rating (whatever the ticket's stage now: it
    may have been reopened since), or "not rated yet" for a resolved or closed ticket."""
    response = ticket_survey(ticket)
    if response is None and ticket.status not in RATABLE_STATUSES:
        return None
    return {"response": response}
