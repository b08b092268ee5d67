"""Emails rendered from templates, in the recipient's language, HTML with a plain-text part.

A message is three templates sharing a prefix: `<prefix>_subject.txt`, `<prefix>.txt` and
`<prefix>.html` (the HTML one usually extends `email/base.html`). The subject and the text part
are text, not HTML: they are rendered without escaping (a subject «Насос <А&Б>» stays as it is);
only the HTML part escapes.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A template whose output is plain text (a subject, a text part): nothing is escaped (the
    "text" template engine, config/settings.py)."""
    return render_to_string(template_name, context, using="text")


def render_mail(
    prefix: str, context: dict[str, Any], *, to: list[str], language: str | None = None
) -> EmailMultiAlternatives:
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"site_url": settings.SITE_URL.rstrip("/"), "language": language, **context}
        subject = " ".join(render_text(f"{prefix}_subject.txt", context).split())
        text = render_text(f"{prefix}.txt", context)
        html = render_to_string(f"{prefix}.html", context, using="django")
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    return message


def send_mail_template(
    prefix: str, context: dict[str, Any], *, to: list[str], language: str | None = None
) -> None:
    render_mail(prefix, context, to=to, language=language).send()
