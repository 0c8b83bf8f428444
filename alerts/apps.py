from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from core import panels

        from . import receivers  # noqa: F401 - connects the signal receivers
        from .panels import undeliverable_panel

        panels.register(undeliverable_panel)
