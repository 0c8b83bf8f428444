"""Keyset (cursor) pagination: a page is the rows after (or before) the last one shown, in a
total order that ends with the primary key, so reading page 10,000 costs what page 1 does
and nothing counts the whole list.

A cursor is an opaque URL-safe token naming the edge row's ordering values and the direction.
One that cannot be read is :class:`BadCursor` (the API answers 400, a page shows the first
page).
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.dateparse import parse_datetime


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Key:
    """One ordering field: its name, whether it runs newest (largest) first, and whether it
    may be null (nulls come last either way)."""

    field: str
    descending: bool = False
    nullable: bool = False


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _encode(values: list, forward: bool) -> str:
    raw = json.dumps(
        {
            "k": [v.isoformat() if isinstance(v, datetime) else v for v in values],
            "d": "n" if forward else "p",
        },
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, keys: tuple[Key, ...]) -> tuple[list, bool]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values, direction = data["k"], data["d"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise BadCursor(cursor) from error
    if direction not in ("n", "p") or not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor(cursor)
    decoded: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            if not key.nullable:
                raise BadCursor(cursor)
            decoded.append(None)
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BadCursor(cursor)
        elif key.field.endswith("_at"):
            try:
                moment = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise BadCursor(cursor)
            decoded.append(moment)
        elif isinstance(value, int) and abs(value) < 2**63:
            decoded.append(value)
        else:
            raise BadCursor(cursor)
    return decoded, direction == "n"


def _beyond(key: Key, value: Any, forward: bool) -> Q | None:
    """Rows strictly beyond ``value`` on ``key`` in the reading direction (``None``: none)."""
    descending = key.descending if forward else not key.descending
    if value is None:
        # nulls come last: nothing is beyond them forward, everything else is backward
        return None if forward else Q(**{f"{key.field}__isnull": False})
    condition = Q(**{f"{key.field}__{'lt' if descending else 'gt'}": value})
    if key.nullable and forward:
        condition |= Q(**{f"{key.field}__isnull": True})
    return condition


def _equal(key: Key, value: Any) -> Q:
    if value is None:
        return Q(**{f"{key.field}__isnull": True})
    return Q(**{key.field: value})


def _after(keys: tuple[Key, ...], values: list, forward: bool) -> Q:
    """Rows that come after the row with ``values`` (forward) or before it (backward)."""
    alternatives = []
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value, forward)
        if beyond is not None:
            alternatives.append(prefix & beyond)
        prefix &= _equal(key, value)
    condition = reduce(or_, alternatives) if alternatives else Q(pk__in=[])
    first, value = keys[0], values[0]
    if value is not None and not (first.nullable and forward):
        # the same bound on the first key alone, which an index on it answers
        descending = first.descending if forward else not first.descending
        condition &= Q(**{f"{first.field}__{'lte' if descending else 'gte'}": value})
    return condition


def order_by(keys: tuple[Key, ...], forward: bool = True) -> list:
    """The ordering of ``keys`` read forward, or its exact reverse (nulls first) backward."""
    ordering = []
    for key in keys:
        descending = key.descending if forward else not key.descending
        expression = F(key.field)
        if not key.nullable:  # plain, so that an index on the field serves it either way
            ordering.append(expression.desc() if descending else expression.asc())
        elif forward:
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        else:
            ordering.append(
                expression.desc(nulls_first=True)
                if descending
                else expression.asc(nulls_first=True)
            )
    return ordering


def _values(row, keys: tuple[Key, ...]) -> list:
    values = []
    for key in keys:
        value = row
        for part in key.field.split("__"):
            value = getattr(value, part)
        values.append(value)
    return values


def page_query(
    queryset: QuerySet,
    keys: tuple[Key, ...],
    cursor: str | None,
    size: int,
    branches: Sequence[Q] = (),
) -> tuple[QuerySet, bool]:
    """The query of :func:`keyset_page`'s rows (one more than ``size``, in reading order) and
    whether it reads forward; raises :class:`BadCursor`.

    ``branches``, conditions one of which every row of ``queryset`` meets (the ways a scoped
    list reaches its reader: a department's own complaints, those it took, those it was
    convened on), are read one by one: each branch's first rows beyond the cursor, on an
    index of its own, and the page is the first of those. Read at once, the ``OR`` of them
    walks the whole table newest first, testing each row, until a page is full."""
    forward = True
    if cursor:
        values, forward = _decode(cursor, keys)
        queryset = queryset.filter(_after(keys, values, forward))
    queryset = queryset.order_by(*order_by(keys, forward))
    if len(branches) > 1:
        firsts = [
            queryset.filter(branch).prefetch_related(None).values("pk")[: size + 1]
            for branch in branches
        ]
        queryset = queryset.filter(pk__in=firsts[0].union(*firsts[1:], all=True))
    return queryset[: size + 1], forward


def keyset_page(
    queryset: QuerySet,
    keys: tuple[Key, ...],
    cursor: str | None,
    size: int,
    branches: Sequence[Q] = (),
) -> KeysetPage:
    """The page of ``queryset`` (ordered by ``keys``, the last of which is unique) that
    ``cursor`` points at (none: the first), its scope's ``branches`` read one by one (see
    :func:`page_query`); raises :class:`BadCursor`."""
    query, forward = page_query(queryset, keys, cursor, size, branches)
    rows = list(query)
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None)
    has_next = more if forward else bool(cursor)
    has_previous = bool(cursor) if forward else more
    return KeysetPage(
        rows,
        _encode(_values(rows[-1], keys), True) if has_next else None,
        _encode(_values(rows[0], keys), False) if has_previous else None,
    )


def page_for_request(
    queryset: QuerySet,
    keys: tuple[Key, ...],
    cursor: str | None,
    size: int,
    branches: Sequence[Q] = (),
):
    """A page for an HTML list: an unreadable cursor shows the first page."""
    try:
        return keyset_page(queryset, keys, cursor, size, branches)
    except BadCursor:
        return keyset_page(queryset, keys, None, size, branches)
