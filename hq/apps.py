from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HqConfig(AppConfig):
    name = "hq"
    verbose_name = _("Headquarters exchange")

    def ready(self) -> None:
        from core import panels

        from .panels import hq_panel

        panels.register(hq_panel)
