from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Planned work")

    def ready(self) -> None:
        from core import panels
        from core.reference import forget_on_change

        from .models import PlannedWork
        from .panels import planned_work_panel
        from .selectors import SOON

        panels.register(planned_work_panel)
        forget_on_change(PlannedWork, SOON)
