"""The unread messages badge of the left menu (and its out-of-band refresh)."""

from typing import Any

from django import template

from servicedesk.conversations.selectors import unread_total

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context: Any) -> int:
    """The user's unread messages, from the cache while nothing changed (no query); the
    Messages page has just read them (`unread_total`): no second round trip to the cache."""
    known = context.get("unread_total")
    if isinstance(known, int):
        return known
    return unread_total(context.get("user"))


@register.inclusion_tag("core/_nav_badge.html", takes_context=True)
def unread_badge(context: Any, oob: bool = False) -> dict[str, Any]:
    return {"count": unread_total(context.get("user")), "name": "messages", "oob": oob}


@register.inclusion_tag("conversations/_pulse_poller.html")
def pulse_poller(url_name: str) -> dict[str, Any]:
    """Every page's pulse (the badge and the bell), every live.PULSE_SECONDS."""
    from servicedesk.conversations import live

    return {"url": url_name, "seconds": live.PULSE_SECONDS}
