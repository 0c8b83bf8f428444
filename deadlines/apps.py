from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    """The deadline clock: the working-day calendar, policies, deadlines, the sweep and the
    breach announcement (docs/architecture.md)."""

    name = "deadlines"
    verbose_name = _("Deadlines")
