from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActsConfig(AppConfig):
    name = "servicedesk.acts"
    label = "acts"
    verbose_name = _("Acts of completed work")

    def ready(self) -> None:
        from servicedesk.acts.services import signed_act_required
        from servicedesk.tickets import hooks

        hooks.stage_guard.connect(signed_act_required)
