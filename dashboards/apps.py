from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from core.reference import forget_on_change
        from organisation.models import City, Department

        from .selectors import CITIES, DEPARTMENTS

        # the figures name departments and cities from the reference cache
        forget_on_change(Department, DEPARTMENTS)
        forget_on_change(City, CITIES)
