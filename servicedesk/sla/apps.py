from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from servicedesk.core.signals import on_change
        from servicedesk.sla.matching import reference_changed
        from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, WorkingHours

        # The rules and calendars are cached for the deadlines (sla/matching.py,
        # sla/selectors.py): their own saves and those of the customers' data the rules name
        # (companies, sites, equipment, contracts, reference lists) read them again. The
        # record of warnings already sent (SlaNotification) is in neither.
        customers = apps.get_app_config("customers").get_models()
        on_change(
            reference_changed,
            ServiceCalendar,
            WorkingHours,
            Holiday,
            SlaRule,
            *customers,
            uid="sla-reference",
        )
        for field in SlaRule._meta.many_to_many:
            m2m_changed.connect(
                reference_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"sla-rule-lists-{field.name}",
            )
