"""What other apps add to a deadline wherever one is listed (accountability: the penalty its
breach carries), without the deadline clock knowing them."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

_DEADLINE_MARKS: list[Callable] = []


def register_deadline_mark(mark: Callable) -> Callable:
    """``mark(deadline, memo) -> str`` (HTML, or ""); ``memo`` is a dict kept for one page's
    rendering, for what a mark loads once however many deadlines the page lists."""
    if mark not in _DEADLINE_MARKS:
        _DEADLINE_MARKS.append(mark)
    return mark


def deadline_marks(deadline, memo: dict) -> SafeString:
    return mark_safe("".join(mark(deadline, memo) for mark in _DEADLINE_MARKS))
