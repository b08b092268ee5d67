"""`{{ text|markdown }}`: light formatting, sanitised (servicedesk/core/markdown.py)."""

from django import template
from django.utils.safestring import SafeString

from servicedesk.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown(text: str | None) -> SafeString:
    return render_markdown(text or "")
