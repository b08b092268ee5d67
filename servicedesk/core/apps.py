from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servicedesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from servicedesk.core import checks  # noqa: F401  (registers the system checks)
        from servicedesk.core.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="servicedesk.unicode_like")
