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


# What downstream apps add to a deadline wherever one is listed (accountability: the penalty
# its breach carries), without incidents knowing them.
_DEADLINE_MARKS: list[Callable] = []


def register_deadline_mark(mark: Callable) -> Callable:
    """``mark(deadline, memo) -> str`` (HTML, or ""); ``memo`` is a dict kept for one page's
    rendering, for what a mark loads once however many deadlines the page lists."""
    if mark not in _DEADLINE_MARKS:
        _DEADLINE_MARKS.append(mark)
    return mark


def deadline_marks(deadline, memo: dict) -> SafeString:
    return mark_safe("".join(mark(deadline, memo) for mark in _DEADLINE_MARKS))
