"""`{% stars score %}`: a given rating shown as five stars, read out as "4 of 5 stars"."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from servicedesk.conversations.survey_services import SCORES

register = template.Library()


@register.simple_tag
def stars(score: float) -> SafeString:
    """Five stars, as many lit as the score (an average is rounded to whole stars)."""
    score = round(float(score))
    icons = format_html_join(
        "",
        '<i class="bi {}" aria-hidden="true"></i>',
        (("bi-star-fill" if n <= score else "bi-star",) for n in SCORES),
    )
    label = ngettext("%(score)s of %(max)s star", "%(score)s of %(max)s stars", len(SCORES)) % {
        "score": score,
        "max": len(SCORES),
    }
    return format_html(
        '<span class="survey-stars text-nowrap" role="img" aria-label="{}" title="{}">{}</span>',
        label,
        label,
        icons,
    )
