"""The satisfaction survey: a customer rates a resolved or closed ticket 1–5 on each active
criterion (a reference list, e.g. «Качество выполненных работ»), with an optional comment.

Who may rate: any customer who sees the ticket — its contact, a follower, a colleague whose
scope shows it — the same people who may accept the resolution
(`conversations.rate_ticket`, accounts/rules.py), or whoever holds the signed link from the
"resolved"/"closed" email (`respondent=None`; the link names the contact, see surveys.py).
One rating per ticket: whoever gives it first; it is never edited afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.conversations import hooks
from servicedesk.conversations.models import SurveyCriterion, SurveyRating, SurveyResponse
from servicedesk.conversations.services import clean_body
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets import events
from servicedesk.tickets.models import Status, Ticket

RATABLE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX_LENGTH = SurveyResponse._meta.get_field("comment").max_length or 4000


def score_field(criterion_id: int) -> str:
    """The form field (and error key) of a criterion's score."""
    return f"score_{criterion_id}"


class SurveyAnswersError(ApplicationError):
    """The answers cannot be taken as they are: `errors` maps each form field that needs
    attention (`score_<criterion id>`, `comment`) to its message; `message` is the first."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, code=ErrorCode.INVALID, field=field)
        self.errors = errors


def _already_rated() -> ApplicationError:
    return ApplicationError(
        _("This ticket has been rated already; a rating cannot be changed."), code=ErrorCode.RATED
    )


def _check_scores(
    criteria: list[SurveyCriterion], scores: Mapping[int, int], comment: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None:
            errors[score_field(criterion.pk)] = _("Rate “%(criterion)s” from 1 to 5 stars.") % {
                "criterion": criterion.name
            }
        elif score not in SCORES:
            errors[score_field(criterion.pk)] = _(
                "A rating of “%(criterion)s” is from 1 to 5 stars."
            ) % {"criterion": criterion.name}
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = _("The comment is too long (at most %(max)s characters).") % {
            "max": COMMENT_MAX_LENGTH
        }
    return errors


def survey_summary(ratings: list[tuple[SurveyCriterion, int]], *, by_link: bool) -> str:
    """The scores as the timeline keeps them: the criteria by code, and whether the rating came
    through the link in an email — worded when shown, in the reader's language
    (survey_selectors.survey_summary_text). Words kept here would stay in the language of the
    person who rated, for every reader."""
    scores = {criterion.code: score for criterion, score in ratings}
    return json.dumps({"scores": scores, "by_link": by_link})


@transaction.atomic
def survey_submit(
    *,
    ticket: Ticket,
    respondent: User | None,
    scores: Mapping[int, int],
    comment: str = "",
) -> SurveyResponse:
    """Record the rating of a resolved or closed ticket: a score 1–5 for every active criterion
    (keyed by criterion id) and a comment (cleaned as messages are, at most 4,000 characters).

    `respondent` is the signed-in customer, or None when the rating comes through the email
    link (the view has checked the link). Refused, with nothing stored: a ticket that is not
    Resolved or Closed, a second rating (also when two arrive at once: the database keeps one
    response per ticket), a respondent who may not rate it, scores for criteria that are not
    (or no longer) asked, and missing or out-of-range scores (`SurveyAnswersError`, a message per
    field). A public RATED event puts the scores on the ticket's timeline.
    """
    if respondent is not None and not (
        respondent.is_customer and respondent.has_perm("conversations.rate_ticket", ticket)
    ):
        raise ApplicationError(_("Only the customer rates a ticket."), code=ErrorCode.FORBIDDEN)
    # The row lock orders this against a status change (reopening) and a second rating.
    status = (
        Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("status", flat=True)
    ).first()
    if status not in RATABLE_STATUSES:
        raise ApplicationError(
            _("A ticket is rated once it is resolved or closed."), code=ErrorCode.STAGE
        )
    if SurveyResponse.objects.filter(ticket_id=ticket.pk).exists():
        raise _already_rated()

    criteria = list(SurveyCriterion.objects.filter(is_active=True))
    if not criteria:
        raise ApplicationError(
            _("There is nothing to rate at the moment."), code=ErrorCode.NO_CRITERIA
        )
    asked = {criterion.pk for criterion in criteria}
    if set(scores) - asked:
        # A criterion retired while the form was open, or a forged field.
        raise ApplicationError(
            _("The survey's questions have changed since the page was opened; rate again."),
            code=ErrorCode.CRITERIA_CHANGED,
        )
    text = clean_body(comment or "")
    errors = _check_scores(criteria, scores, text)
    if errors:
        raise SurveyAnswersError(errors)

    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                ticket_id=ticket.pk, respondent=respondent, comment=text
            )
    except IntegrityError:  # the other rating won the race
        raise _already_rated() from None
    SurveyRating.objects.bulk_create(
        SurveyRating(response=response, criterion=criterion, score=scores[criterion.pk])
        for criterion in criteria
    )
    summary = survey_summary(
        [(criterion, scores[criterion.pk]) for criterion in criteria], by_link=respondent is None
    )
    events.rated(ticket, respondent, summary)
    hooks.survey_answered(response=response)  # webhooks, after the commit
    return response
