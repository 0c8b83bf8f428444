"""The kinds of record people work on together (comment on, attach files to, are assigned):
an incident, a complaint, an action item, a violation, a submission. This app knows none of
them: each domain registers its own kind from its app's ``ready()``, saying who may see its
records (the same scoping as its lists), where a record's page is and what its live-update
topics are."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class RecordKind:
    code: str  # stable, in URLs and the API: "incident", "complaint", ...
    model: type[Model]
    label: str | Promise
    scope: Callable[[Any], QuerySet]  # user -> the records of this kind the user may see
    url: Callable[[Any], str]  # record -> its page
    topics: Callable[[Any], Iterable[str]] = lambda record: ()  # record -> live topics
    # user -> the records of this kind assigned to them and still to do ("My work")
    assigned: Callable[[Any], QuerySet] | None = None


_KINDS: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> RecordKind:
    known = _KINDS.get(kind.code)
    if known is not None and known.model is not kind.model:
        raise ValueError(f"The record kind {kind.code!r} is {known.model._meta.label}'s already.")
    _KINDS[kind.code] = kind
    return kind


def kind(code: str) -> RecordKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"Unknown record kind {code!r}.") from None


def kind_of(record: Model) -> RecordKind:
    for known in _KINDS.values():
        if isinstance(record, known.model):
            return known
    raise LookupError(f"{type(record).__name__} is not a registered record kind.")


def kinds() -> list[RecordKind]:
    return list(_KINDS.values())


def visible(user, record: Model) -> bool:
    """Whether ``user`` may see ``record`` (and so its comments and attachments)."""
    return kind_of(record).scope(user).filter(pk=record.pk).exists()
