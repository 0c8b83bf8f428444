"""Extra panels on a record's page (an incident, a complaint), contributed by apps above the
record's own (alerts, accountability) without the record's app knowing them: each registers
a function that returns the HTML of its panel for the record (or "")."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    """``panel(request, record) -> str``; used as a decorator in the app's ``ready()``."""
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def render(request, record) -> SafeString:
    return mark_safe("".join(panel(request, record) for panel in _PANELS))
