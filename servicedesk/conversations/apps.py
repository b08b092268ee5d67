from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "servicedesk.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from servicedesk.conversations import live
        from servicedesk.conversations.models import (
            Message,
            SurveyCriterion,
            SurveyResponse,
        )
        from servicedesk.core import pagecache
        from servicedesk.core.signals import on_change
        from servicedesk.customers import reference
        from servicedesk.tickets.receivers import ticket_part_changed

        reference.connect_signals((SurveyCriterion,))
        # Pages kept whole in the cache (core/pagecache.py): the ticket's pages show its
        # messages and its rating; every page shows the unread badge.
        on_change(ticket_part_changed, Message, SurveyResponse, uid="page-ticket")
        on_change(pagecache.reference_changed, SurveyCriterion, uid="page-reference")
        pagecache.person_keys.append(live.unread_version_key)
