"""`{% stars score %}`: a given rating shown as five stars, read out as "4 of 5 stars"."""

from typing import Any

from django import template
from django.utils.translation import ngettext

from servicedesk.conversations.survey_services import SCORES

register = template.Library()


@register.inclusion_tag("conversations/_stars.html")
def stars(score: float) -> dict[str, Any]:
    """Five stars, as many lit as the score (an average is rounded to whole stars)."""
    score = round(float(score))
    label = ngettext("%(score)s of %(max)s star", "%(score)s of %(max)s stars", len(SCORES)) % {
        "score": score,
        "max": len(SCORES),
    }
    return {"label": label, "lit_stars": [n <= score for n in SCORES]}
