from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from core.reference import forget_on_change

        from .models import City, Department

        forget_on_change(Department, "departments")
        forget_on_change(City, "cities")
