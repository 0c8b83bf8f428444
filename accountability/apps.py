from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from core import panels
        from deadlines import marks

        from . import receivers  # noqa: F401 - connects the signal receivers
        from .lists import register_lists
        from .panels import penalty_mark, violations_panel
        from .records import register_records

        panels.register(violations_panel)
        marks.register_deadline_mark(penalty_mark)
        register_records()
        register_lists()
