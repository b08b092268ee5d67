from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "servicedesk.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from servicedesk.conversations import services
        from servicedesk.conversations.models import SurveyCriterion
        from servicedesk.customers import reference
        from servicedesk.tickets import hooks

        reference.connect_signals((SurveyCriterion,))
        hooks.assigned.connect(services.on_ticket_assigned)
        hooks.followed.connect(services.on_ticket_followed)
