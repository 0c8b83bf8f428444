"""How values read in the active language: lists joined by its separator, moments in the
deployment's time zone."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language


def list_separator() -> str:
    """ "、" between the items of a Chinese list, ", " of an English one."""
    return "、" if (get_language() or "zh").startswith("zh") else ", "


def joined(items) -> str:
    return list_separator().join(str(item) for item in items)


def local_moment(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment (aware datetime or ISO 8601 text, as JSON snapshots keep it) in
    settings.TIME_ZONE, date and time apart: "2026-12-01 20:19"."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(fmt)
