from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from servicedesk.core import pagecache

        # Calendars and rules are named on the ticket pages (core/pagecache.py).
        for model in apps.get_app_config("sla").get_models():
            for signal in (post_save, post_delete):
                signal.connect(
                    pagecache.reference_changed,
                    sender=model,
                    dispatch_uid=f"page-reference-{signal is post_save}-{model}",
                )
