from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "servicedesk.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from servicedesk.core import pagecache
        from servicedesk.core.signals import on_change
        from servicedesk.customers import reference

        reference.connect_signals()
        # Companies, sites, equipment, contracts and the reference lists are named on pages
        # kept whole in the cache (core/pagecache.py); they change rarely: all pages go.
        on_change(pagecache.reference_changed, *self.get_models(), uid="page-reference")
