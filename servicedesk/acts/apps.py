from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActsConfig(AppConfig):
    name = "servicedesk.acts"
    label = "acts"
    verbose_name = _("Acts of completed work")
