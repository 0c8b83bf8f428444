"""When a deadline policy applies to a record: the conditions ``DeadlinePolicy.applies_when``
names. The clock knows no domain: each domain registers its own conditions (from its app's
``ready()``), a test of its record; "always" is the clock's own."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ALWAYS = "always"


@dataclass(frozen=True)
class Condition:
    code: str
    label: str | Promise
    record_type: str  # the policies it may be set on (DeadlinePolicy.record_type)
    test: Callable[[Any], bool]  # the record -> whether the policy applies to it


_CONDITIONS: dict[str, Condition] = {}


def register(code: str, label: str | Promise, record_type: str, test: Callable[[Any], bool]):
    """Declare the condition ``code`` of ``record_type``'s policies."""
    known = _CONDITIONS.get(code)
    if known is not None and known.record_type != record_type:
        raise ValueError(f"The condition {code!r} is {known.record_type!r}'s already.")
    _CONDITIONS[code] = Condition(code, label, record_type, test)


def applies(condition: str, record) -> bool:
    """Whether a policy with ``condition`` applies to ``record`` now."""
    if condition == ALWAYS:
        return True
    try:
        return _CONDITIONS[condition].test(record)
    except KeyError:
        raise ValueError(f"Unknown condition {condition!r}.") from None


def choices(record_type: str | None = None) -> list[tuple[str, str | Promise]]:
    """The conditions a policy (of ``record_type``, or of any type) may name, "always" first."""
    return [(ALWAYS, _("Always"))] + [
        (c.code, c.label)
        for c in _CONDITIONS.values()
        if record_type is None or c.record_type == record_type
    ]


def label(condition: str) -> str | Promise:
    if condition == ALWAYS:
        return _("Always")
    known = _CONDITIONS.get(condition)
    return known.label if known else condition
