from typing import Any

from django import template

from servicedesk.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any], oob: bool = False) -> dict[str, Any]:
    """The bell in the header (back office and portal), with the number of unread
    notifications (one indexed COUNT). `oob=True` renders it for an htmx out-of-band swap
    (`id="notification-bell"`), e.g. in a poll's response that refreshes the header."""
    user = context["user"]
    if not user.is_authenticated:
        return {"show": False}
    area = "backoffice" if user.is_provider_staff else "portal"
    return {
        "show": True,
        "count": unread_count(user),
        "url_name": f"{area}:notifications",
        "oob": oob,
    }
