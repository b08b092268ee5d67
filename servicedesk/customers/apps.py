from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "servicedesk.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from servicedesk.core import pagecache
        from servicedesk.customers import reference

        reference.connect_signals()
        # Companies, sites, equipment, contracts and the reference lists are named on pages
        # kept whole in the cache (core/pagecache.py); they change rarely: all pages go.
        for model in apps.get_app_config("customers").get_models():
            for signal in (post_save, post_delete):
                signal.connect(
                    pagecache.reference_changed,
                    sender=model,
                    dispatch_uid=f"page-reference-{signal is post_save}-{model}",
                )
