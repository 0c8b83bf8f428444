"""Reference data every intake reads (deadline policies, calendar overrides and confirmed
calendar years, the customer-service department, the cities: each app registers its own),
kept for a short while in each process's memory.

Saving or deleting one of them clears its entry at once in this process; other processes
see the change within ``TIMEOUT`` seconds. Values are kept as they are, not pickled as
Django's local-memory cache would (that cost every intake more than the reads it saved):
callers share them and must not change them."""

import time

from django.db.models.signals import m2m_changed, post_delete, post_save

TIMEOUT = 30
_values: dict[str, tuple[float, object]] = {}
# model label -> the names its rows feed
_FED_BY: dict[str, set[str]] = {}


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


def forget_all() -> None:
    """Forget everything (a test's rows are rolled back after it: so must be what it read)."""
    _values.clear()


def forget_on_change(model, *names: str) -> None:
    """Forget ``names`` as soon as a row of ``model`` is saved or deleted in this process,
    or its many-to-many relations (a planned work's cities) change. The app that owns the
    model calls it from its ``ready()``."""
    label = model._meta.label
    _FED_BY.setdefault(label, set()).update(names)
    post_save.connect(_forget_fed_by, sender=model, dispatch_uid=f"reference:{label}")
    post_delete.connect(_forget_fed_by, sender=model, dispatch_uid=f"reference:{label}-")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            _forget_fed_by_relation,
            sender=field.remote_field.through,
            dispatch_uid=f"reference:{label}:{field.name}",
        )


def _forget_fed_by(sender, **kwargs) -> None:
    for name in _FED_BY.get(sender._meta.label, ()):
        forget(name)


def _forget_fed_by_relation(sender, instance, model, **kwargs) -> None:
    # either side of the relation may have changed it: forget what both sides feed
    fed = _FED_BY.get(type(instance)._meta.label, set()) | _FED_BY.get(model._meta.label, set())
    for name in fed:
        forget(name)
