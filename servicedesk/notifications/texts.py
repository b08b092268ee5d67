"""What a notification says, made when it is shown, in the active language (the reader's):
a title naming the ticket, the ticket's subject, and for messages an excerpt. A customer never
gets an excerpt of an internal note, whatever row is asked about."""

from dataclasses import dataclass
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from servicedesk.notifications.models import Notification
from servicedesk.tickets import workflow

EXCERPT_CHARS = 160
Kind = Notification.Kind
DEADLINE_KINDS = frozenset(
    {Kind.RESPONSE_WARNING, Kind.RESPONSE_BREACH, Kind.RESOLUTION_WARNING, Kind.RESOLUTION_BREACH}
)
ICONS: dict[str, str] = {
    Kind.TICKET_CREATED: "bi-plus-circle text-primary",
    Kind.COMPANY_TICKET: "bi-plus-circle text-primary",
    Kind.MESSAGE_NEW: "bi-chat-dots text-primary",
    Kind.NOTE_NEW: "bi-sticky text-warning",
    Kind.STATUS_CHANGED: "bi-arrow-repeat text-secondary",
    Kind.TICKET_RESOLVED: "bi-check2-circle text-success",
    Kind.TICKET_CLOSED: "bi-archive text-secondary",
    Kind.TICKET_ASSIGNED: "bi-person-check text-primary",
    Kind.ACT_READY: "bi-file-earmark-check text-success",
    Kind.ACT_SIGNED: "bi-pen text-success",
    Kind.ACT_DISPUTED: "bi-file-earmark-x text-danger",
    Kind.RESPONSE_WARNING: "bi-clock text-warning",
    Kind.RESOLUTION_WARNING: "bi-clock text-warning",
    Kind.RESPONSE_BREACH: "bi-exclamation-triangle text-danger",
    Kind.RESOLUTION_BREACH: "bi-exclamation-triangle text-danger",
    Kind.MAIL_HELD: "bi-envelope-exclamation text-danger",
    Kind.WEBHOOK_PAUSED: "bi-plug text-danger",
}


@dataclass(frozen=True)
class Text:
    title: str
    subject: str
    excerpt: str
    icon: str


def status_label(status: str, reader: Any) -> str:
    """The stage as the reader knows it: the customer's wording for customers."""
    if not status:
        return ""
    if getattr(reader, "is_customer", False):
        return workflow.customer_status_label(status)
    return workflow.staff_status_label(status)


def _actor(item: Notification) -> str:
    return str(item.actor) if item.actor is not None else _("Servicedesk")


def _title(item: Notification, reader: Any) -> str:
    number = item.ticket.number if item.ticket is not None else ""
    values = {"number": number, "actor": _actor(item)}
    kind = item.kind
    if kind == Kind.TICKET_CREATED:
        if getattr(reader, "is_customer", False):
            return _("Ticket %(number)s is registered") % values
        company = item.ticket.company if item.ticket is not None else ""
        return _("New ticket %(number)s from %(company)s") % {**values, "company": company}
    if kind == Kind.COMPANY_TICKET:
        return _("%(actor)s filed ticket %(number)s") % values
    if kind == Kind.MESSAGE_NEW:
        return _("%(actor)s wrote on %(number)s") % values
    if kind == Kind.NOTE_NEW:
        return _("%(actor)s left an internal note on %(number)s") % values
    if kind == Kind.STATUS_CHANGED:
        data = item.data or {}
        return _("%(number)s: %(old)s → %(new)s") % {
            **values,
            "old": status_label(str(data.get("old", "")), reader),
            "new": status_label(str(data.get("new", "")), reader),
        }
    if kind == Kind.TICKET_RESOLVED:
        return _("%(number)s: a solution is proposed") % values
    if kind == Kind.TICKET_CLOSED:
        return _("%(number)s is closed") % values
    if kind == Kind.TICKET_ASSIGNED:
        return _("%(number)s is assigned to you") % values
    if kind == Kind.ACT_READY:
        if int((item.data or {}).get("version", 1)) > 1:
            return _("The corrected act for %(number)s awaits your signature") % values
        return _("The act for %(number)s is ready") % values
    if kind == Kind.ACT_SIGNED:
        return _("%(actor)s signed the act for %(number)s") % values
    if kind == Kind.ACT_DISPUTED:
        return _("%(actor)s disputed the act for %(number)s") % values
    if kind == Kind.MAIL_HELD:
        return _("Mail from %(sender)s is held: too many messages") % {
            "sender": (item.data or {}).get("sender", "")
        }
    if kind == Kind.WEBHOOK_PAUSED:
        return _("Webhook “%(name)s” is paused: its deliveries keep failing") % {
            "name": (item.data or {}).get("name", "")
        }
    label = str(Kind(kind).label) if kind in Kind.values else kind
    return f"{label}: {number}" if number else label


def describe(item: Notification, reader: Any) -> Text:
    """The notification's text for `reader` (its owner). Needs ticket, actor and message
    loaded (select_related) to stay at one query per page."""
    excerpt = ""
    message = item.message if item.message_id else None
    if message is not None and not (message.is_internal and getattr(reader, "is_customer", True)):
        excerpt = Truncator(" ".join(message.body.split())).chars(EXCERPT_CHARS)
    return Text(
        title=_title(item, reader),
        subject=item.ticket.subject if item.ticket is not None else "",
        excerpt=excerpt,
        icon=ICONS.get(item.kind, "bi-bell text-secondary"),
    )
