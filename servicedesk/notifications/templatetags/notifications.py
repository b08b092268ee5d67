from typing import Any

from django import template

from servicedesk.notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The bell in the header, with the number of unread notifications (one indexed COUNT)."""
    user = context["user"]
    return {"count": unread_count(user) if user.is_authenticated else 0}
