"""Reference data every intake reads — deadline policies, calendar overrides and confirmed
calendar years, the customer-service department, the cities — kept for a short while in each
process's memory.

Saving or deleting one of them clears its entry at once in this process; other processes
see the change within ``TIMEOUT`` seconds. Values are kept as they are, not pickled as
Django's local-memory cache would (that cost every intake more than the reads it saved):
callers share them and must not change them."""

import time

from django.db.models.signals import post_delete, post_save

TIMEOUT = 30
_MODELS = {
    "deadlines.DeadlinePolicy": "policies",
    "deadlines.CalendarOverride": "calendar_overrides",
    "deadlines.CalendarYear": "calendar_years",
    "organisation.Department": "departments",
    "organisation.City": "cities",
}
_values: dict[str, tuple[float, object]] = {}


def cached(name: str, load):
    """The value of ``load()`` under ``name``, loaded at most every ``TIMEOUT`` seconds."""
    now = time.monotonic()
    held = _values.get(name)
    if held is not None and held[0] > now:
        return held[1]
    value = load()
    _values[name] = (now + TIMEOUT, value)
    return value


def forget(name: str) -> None:
    _values.pop(name, None)


def _forget_on_change(sender, **kwargs) -> None:
    forget(_MODELS[sender._meta.label])


def connect() -> None:
    from django.apps import apps

    for label in _MODELS:
        model = apps.get_model(label)
        post_save.connect(_forget_on_change, sender=model, dispatch_uid=f"reference:{label}")
        post_delete.connect(_forget_on_change, sender=model, dispatch_uid=f"reference:{label}-")
