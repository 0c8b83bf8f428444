from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
        from .conditions import register_conditions
        from .lists import register_lists
        from .records import register_records

        register_conditions()
        register_records()
        register_lists()
