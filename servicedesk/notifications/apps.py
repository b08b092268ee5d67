from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from servicedesk.notifications import events
        from servicedesk.tickets import hooks

        hooks.created.connect(events.on_ticket_created)
        hooks.status_changed.connect(events.on_status_changed)
        hooks.assigned.connect(events.on_ticket_assigned)
