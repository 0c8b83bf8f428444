from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app may use and that knows no domain (docs/architecture.md)."""

    name = "core"
    verbose_name = "Core"
