from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from servicedesk.core import pagecache
        from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, WorkingHours

        # Calendars and rules are named on the ticket pages (core/pagecache.py); the record of
        # warnings already sent (SlaNotification) is on none.
        for model in (ServiceCalendar, WorkingHours, Holiday, SlaRule):
            for signal in (post_save, post_delete):
                signal.connect(
                    pagecache.reference_changed,
                    sender=model,
                    dispatch_uid=f"page-reference-{signal is post_save}-{model}",
                )
