from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app may use and that knows no domain (docs/architecture.md)."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from core.memory import freeze_after_warm_up

        request_finished.connect(freeze_after_warm_up, dispatch_uid="core.memory")
