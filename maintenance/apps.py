from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Planned work")

    def ready(self) -> None:
        from core import panels

        from .panels import planned_work_panel

        panels.register(planned_work_panel)
