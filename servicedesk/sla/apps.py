from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from servicedesk.core import pagecache
        from servicedesk.core.signals import on_change
        from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, WorkingHours

        # Calendars and rules are named on the ticket pages (core/pagecache.py) and cached for
        # the deadlines (sla/matching.py, sla/selectors.py); the record of warnings already
        # sent (SlaNotification) is on none.
        on_change(
            pagecache.reference_changed,
            ServiceCalendar,
            WorkingHours,
            Holiday,
            SlaRule,
            uid="page-reference",
        )
        for field in SlaRule._meta.many_to_many:
            m2m_changed.connect(
                pagecache.reference_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"sla-rule-lists-{field.name}",
            )
