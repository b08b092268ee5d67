from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "servicedesk.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from servicedesk.intake import rules  # noqa: F401 (registers the permissions)
