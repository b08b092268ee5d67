from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from servicedesk.core import pagecache
        from servicedesk.notifications import selectors

        pagecache.person_keys.append(selectors.bell_version_key)  # the bell on every page
