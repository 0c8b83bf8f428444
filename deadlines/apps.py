from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    """The deadline clock: the working-day calendar, policies, deadlines, the sweep and the
    breach announcement (docs/architecture.md)."""

    name = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from core.reference import forget_on_change

        from .models import CalendarOverride, CalendarYear, DeadlinePolicy

        forget_on_change(DeadlinePolicy, "policies")
        forget_on_change(CalendarOverride, "calendar_overrides")
        forget_on_change(CalendarYear, "calendar_years")
