"""Sharing an article with a ticket's customer: attach it (the «Статьи» tab, a TicketEvent:
`services.ticket_article_attach`, which refuses an article the ticket's company may not read)
and tell the customer in the ticket's conversation, in their language, with a link to it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.conversations.services import message_post
from servicedesk.knowledge import services
from servicedesk.knowledge.models import Article, TicketArticle
from servicedesk.tickets.models import Ticket


@transaction.atomic
def ticket_article_share(
    *, ticket: Ticket, article: Article, by: User, article_url: str
) -> tuple[TicketArticle, bool]:
    """Attach `article` to `ticket` and post a public message linking to it (`article_url`, an
    absolute link to the portal's page). Sharing it again changes nothing: (link, False)."""
    already = TicketArticle.objects.filter(ticket=ticket, article=article).exists()
    link = services.ticket_article_attach(ticket=ticket, article=article, by=by)
    if already:
        return link, False
    title = article.title.replace("[", "(").replace("]", ")")
    with translation.override(getattr(ticket.contact, "language", "") or settings.LANGUAGE_CODE):
        body = _("An article that may help: [%(title)s](%(url)s)") % {
            "title": title,
            "url": article_url,
        }
    message_post(by=by, ticket=ticket, body=body)
    return link, True
