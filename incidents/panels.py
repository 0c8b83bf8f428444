"""Extra panels on the incident and complaint pages, contributed by downstream apps (alerts,
accountability) without incidents knowing them: each registers a function that returns the
HTML of its panel (or "")."""

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
