"""Reference data every intake reads — deadline policies, mass-complaint rules, calendar
overrides, the customer-service department, the cities — kept for a short while in the
process cache.

Saving or deleting one of them clears its entry at once in this process; other processes
see the change within ``TIMEOUT`` seconds."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

TIMEOUT = 30
_MODELS = {
    "incidents.DeadlinePolicy": "policies",
    "incidents.MassComplaintRule": "mass_rules",
    "incidents.CalendarOverride": "calendar_overrides",
    "organisation.Department": "departments",
    "organisation.City": "cities",
}


def cached(name: str, load):
    """The value of ``load()`` under ``name``, loaded at most every ``TIMEOUT`` seconds."""
    return cache.get_or_set(f"fenghuo:reference:{name}", load, TIMEOUT)


def forget(name: str) -> None:
    cache.delete(f"fenghuo:reference:{name}")


def _forget_on_change(sender, **kwargs) -> None:
    forget(_MODELS[sender._meta.label])


def connect() -> None:
    from django.apps import apps

    for label in _MODELS:
        model = apps.get_model(label)
        post_save.connect(_forget_on_change, sender=model, dispatch_uid=f"reference:{label}")
        post_delete.connect(_forget_on_change, sender=model, dispatch_uid=f"reference:{label}-")
