from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "servicedesk.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from servicedesk.conversations import live
        from servicedesk.conversations.models import (
            Message,
            SurveyCriterion,
            SurveyResponse,
        )
        from servicedesk.core import pagecache
        from servicedesk.customers import reference
        from servicedesk.tickets.receivers import ticket_part_changed

        reference.connect_signals((SurveyCriterion,))
        # Pages kept whole in the cache (core/pagecache.py): the ticket's pages show its
        # messages and its rating; every page shows the unread badge.
        for signal in (post_save, post_delete):
            for model in (Message, SurveyResponse):
                signal.connect(
                    ticket_part_changed,
                    sender=model,
                    dispatch_uid=f"page-ticket-{signal is post_save}-{model}",
                )
            signal.connect(
                pagecache.reference_changed,
                sender=SurveyCriterion,
                dispatch_uid=f"page-reference-{signal is post_save}-criterion",
            )
        pagecache.person_keys.append(live.unread_version_key)
