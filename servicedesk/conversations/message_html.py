"""The chat's messages and the inbox's rows as HTML, built here rather than in the template: a
ticket page shows up to 50 messages, an inbox page 25 rows, and the Django template (a
`{% partialdef %}` per message, URLs, dates and translations resolved each time) spent
~0.13 ms a message and ~0.12 ms a row more than this does (~0.04 ms a message besides its
markdown, ~0.02 ms a row). Every value goes
through `escape` (the standard library's html.escape, quotes included, as Django's own
escaping does); a message's body is markdown's sanitised output. tests/conversations/
test_message_html.py holds both to what the templates made."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import quote

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from servicedesk.conversations.models import Message
from servicedesk.conversations.selectors import InboxRow
from servicedesk.core.markdown import render_markdown
from servicedesk.portal.tickets.list import date_formatter

# Messages' HTML kept per process (at most ~1,000 × 2,000 characters of text and its HTML).
BODY_CACHE_SIZE = 1024
BODY_CACHE_LENGTH = 2000
# What Django's reverse() leaves unquoted in a path.
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"

MESSAGE_HTML = (
    '<article class="chat-message{mine_class}{internal_class}" id="message-{pk}" '
    'data-message-id="{pk}" data-testid="{testid}">\n'
    '<div class="chat-bubble">\n'
    '<div class="chat-meta small">\n'
    '<span class="fw-semibold chat-author" data-testid="message-author">{author}</span>\n'
    "{role}\n"
    "{internal_badge}\n"
    '<time class="text-body-secondary text-nowrap" datetime="{iso}">{when}</time>\n'
    "</div>\n"
    "{body}\n"
    "{files}\n"
    "{ticks}\n"
    "</div>\n"
    "</article>\n"
)
STAFF_ROLE_HTML = (
    '<span class="badge rounded-pill text-bg-primary bg-opacity-75" '
    'data-testid="message-role">{}</span>'
)
CUSTOMER_ROLE_HTML = (
    '<span class="badge rounded-pill text-bg-secondary bg-opacity-75" '
    'data-testid="message-role">{}</span>'
)
INTERNAL_HTML = (
    '<span class="badge rounded-pill text-bg-warning">'
    '<i class="bi bi-lock-fill me-1" aria-hidden="true"></i>{}</span>'
)
BODY_HTML = '<div class="chat-text text-break" data-testid="message-body">{}</div>'
FILES_HTML = '<ul class="chat-files list-unstyled mb-0" data-testid="message-files">\n{}</ul>'
FILE_HTML = (
    '<li class="d-flex align-items-center gap-2" data-testid="message-file">\n'
    "{thumb}\n"
    '<a class="text-break" href="{url}">{name}</a>\n'
    '<span class="small text-body-secondary text-nowrap">{size}</span>\n'
    "</li>\n"
)
THUMB_HTML = (
    '<a href="{url}?inline=1" target="_blank" rel="noopener">'
    '<img class="chat-thumb rounded border" src="{url}?inline=1" alt="{name}" loading="lazy"></a>'
)
ICON_HTML = '<i class="bi bi-file-earmark text-body-secondary" aria-hidden="true"></i>'
TICKS_HTML = (
    '<span class="chat-ticks{read_class}" data-testid="ticks">'
    '<span class="tick-sent"><i class="bi bi-check2" aria-hidden="true"></i> {sent}</span>'
    '<span class="tick-read"><i class="bi bi-check2-all" aria-hidden="true"></i> {read}</span>'
    "</span>"
)


@lru_cache(maxsize=BODY_CACHE_SIZE)
def _body_cached(body: str) -> str:
    return BODY_HTML.format(render_markdown(body))


def _body_html(body: str) -> str:
    """A message's text as HTML: markdown is a pure function of the text (~0.06 ms a message),
    so the last few hundred short ones a process showed are kept (a page shown again, a poll
    bringing what another person's page showed); a long one is rendered each time."""
    if len(body) > BODY_CACHE_LENGTH:
        return BODY_HTML.format(render_markdown(body))
    return _body_cached(body)


def message_rows(messages: Iterable[Message], attachment_url: str, number: str) -> SafeString:
    """The messages (marked `mine` and `seen` by chat._mark, authors and files loaded) as the
    chat's <article>s; `attachment_url`: the area's URL name of a ticket's file."""
    file_url = reverse(attachment_url, args=[number, 0])[: -len("0/")]
    short_datetime = date_formatter(get_format("SHORT_DATETIME_FORMAT"))
    staff_role = STAFF_ROLE_HTML.format(escape(_("service team")))
    customer_role = CUSTOMER_ROLE_HTML.format(escape(_("customer")))
    internal_badge = INTERNAL_HTML.format(escape(_("internal note")))
    sent, read = escape(_("sent")), escape(_("read"))
    ticks_sent = TICKS_HTML.format(read_class="", sent=sent, read=read)
    ticks_read = TICKS_HTML.format(read_class=" is-read", sent=sent, read=read)
    rows = []
    for message in messages:
        author: Any = message.author
        mine = bool(getattr(message, "mine", False))
        internal = message.is_internal
        created = timezone.localtime(message.created_at)
        files = []
        for file in message.attachments.all():
            url = escape(f"{file_url}{file.pk}/")
            name = escape(file.name)
            files.append(
                FILE_HTML.format(
                    thumb=THUMB_HTML.format(url=url, name=name) if file.is_image else ICON_HTML,
                    url=url,
                    name=name,
                    size=escape(str(filesizeformat(file.size))),
                )
            )
        rows.append(
            MESSAGE_HTML.format(
                mine_class=" chat-mine" if mine else "",
                internal_class=" chat-internal" if internal else "",
                pk=message.pk,
                testid="internal-note" if internal else "message",
                author=escape(author.full_name or author.email or ""),
                role=staff_role if author.is_provider_staff else customer_role,
                internal_badge=internal_badge if internal else "",
                iso=escape(created.isoformat()),
                when=escape(short_datetime(created)),
                body=_body_html(message.body) if message.body else "",
                files=FILES_HTML.format("".join(files)) if files else "",
                ticks=(
                    (ticks_read if getattr(message, "seen", False) else ticks_sent)
                    if mine and not internal
                    else ""
                ),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


INBOX_ROW_HTML = (
    '<a class="list-group-item list-group-item-action inbox-row{unread_class}" '
    'href="{url}#messages" data-testid="inbox-row">\n'
    '<div class="d-flex justify-content-between align-items-baseline gap-2">\n'
    '<span class="inbox-subject text-truncate">'
    '<span class="text-body-secondary me-1">{number}</span>{subject}</span>\n'
    '<span class="small text-body-secondary text-nowrap">{when}</span>\n'
    "</div>\n"
    '<div class="d-flex justify-content-between align-items-center gap-2 small mt-1">\n'
    '<span class="inbox-excerpt text-body-secondary" data-testid="inbox-excerpt">'
    "{who}{excerpt}</span>\n"
    '<span class="d-flex align-items-center gap-2 flex-shrink-0">\n'
    '<span class="badge text-bg-{color}{border}">{status}</span>\n'
    "{unread}\n"
    "</span>\n"
    "</div>\n"
    "</a>\n"
)
FILES_EXCERPT_HTML = '<i class="bi bi-paperclip" aria-hidden="true"></i> {}'
UNREAD_HTML = (
    '<span class="badge rounded-pill text-bg-primary" data-testid="inbox-unread" '
    'title="{title}">{count}</span>'
)


def inbox_rows(rows: Iterable[InboxRow], ticket_url: str) -> SafeString:
    """The inbox's rows (`ticket_url`: the area's URL name of a ticket's page) as links to the
    tickets' conversations."""
    detail = reverse(ticket_url, args=["0"])[: -len("0/")]
    short_datetime = date_formatter(get_format("SHORT_DATETIME_FORMAT"))
    you = escape(_("You")) + ": "
    files = FILES_EXCERPT_HTML.format(escape(_("files")))
    unread_title = escape(_("Unread"))
    html = []
    for row in rows:
        ticket = row.ticket
        unread = row.unread
        when = row.participant.last_message_at
        if row.mine:
            who = you
        elif row.author_name:
            who = escape(row.author_name) + ": "
        else:
            who = ""
        color = ticket.status_color
        html.append(
            INBOX_ROW_HTML.format(
                unread_class=" is-unread" if unread else "",
                url=escape(detail + quote(ticket.number, safe=URL_SAFE) + "/"),
                number=escape(ticket.number),
                subject=escape(ticket.subject),
                when=escape(short_datetime(timezone.localtime(when))) if when else "",
                who=who,
                excerpt=escape(row.excerpt) if row.excerpt else files,
                color=escape(color),
                border=" border" if color == "light" else "",
                status=escape(str(row.status)),
                unread=UNREAD_HTML.format(title=unread_title, count=unread) if unread else "",
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)
