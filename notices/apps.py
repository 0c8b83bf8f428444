from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Public notices")

    def ready(self) -> None:
        from core import panels

        from . import receivers  # noqa: F401 - connects the signal receivers
        from .panels import notice_panel

        panels.register(notice_panel)
