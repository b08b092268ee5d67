from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    name = "servicedesk.works"
    label = "works"
    verbose_name = _("Completed works")
