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
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.search import SEARCH_WINDOW, next_window, searched


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


@dataclass(frozen=True)
class PageQuery:
    """The statement of a page's rows (one more than the page, in reading order), whether
    it reads forward, and, when the rows were chosen beforehand, whether there were more than
    a page of them (else the rows' number tells)."""

    query: QuerySet
    forward: bool
    more: bool | None = None


def page_query(
    queryset: QuerySet,
    keys: tuple[Key, ...],
    cursor: str | None,
    size: int,
    branches: Sequence[Q] = (),
) -> PageQuery:
    """The query of :func:`keyset_page`'s rows; raises :class:`BadCursor`.

    ``branches``, conditions one of which every row of ``queryset`` meets (the ways a scoped
    list reaches its reader: a department's own complaints, those it took, those it was
    convened on), are read one by one: each branch's first rows beyond the cursor, on an
    index of its own, and the page is the first of those. Read at once, the ``OR`` of them
    walks the whole table newest first, testing each row, until a page is full.

    A search for a word that is not common (:func:`core.search.searched`) is read in windows
    of the first key, a time: see :func:`_windowed`."""
    forward = True
    values: list = []
    if cursor:
        values, forward = _decode(cursor, keys)
        queryset = queryset.filter(_after(keys, values, forward))
    queryset = queryset.order_by(*order_by(keys, forward))
    if searched(queryset):
        found = _windowed(queryset, keys, values[0] if values else None, forward, size, branches)
        if found is not None:
            return PageQuery(queryset.filter(pk__in=found)[: size + 1], forward, len(found) > size)
    return PageQuery(_branched(queryset, size, branches)[: size + 1], forward)


def _branched(queryset: QuerySet, size: int, branches: Sequence[Q]) -> QuerySet:
    """``queryset`` whose rows are those of its ``branches``' first ``size + 1`` each (on a
    database that can slice the parts of a UNION; SQLite reads the list at once)."""
    features = connections[queryset.db].features
    if len(branches) <= 1 or not features.supports_slicing_ordering_in_compound:
        return queryset
    firsts = [
        queryset.filter(branch).prefetch_related(None).values("pk")[: size + 1]
        for branch in branches
    ]
    try:
        sql, params = (
            firsts[0].union(*firsts[1:], all=True).query.get_compiler(using=queryset.db).as_sql()
        )
    except EmptyResultSet:  # a scope of nothing
        return queryset.none()
    # compiled here, once: a queryset given to the filter is copied and relabelled whole
    # (every branch's scope and filters) to be nested, which took a page longer than its SQL.
    # The ids alone: a DISTINCT list's parts select their ordering too.
    pk = connections[queryset.db].ops.quote_name("pk")
    return queryset.filter(pk__in=RawSQL(f"SELECT {pk} FROM ({sql}) AS branched", params))


def _windowed(
    queryset: QuerySet,
    keys: tuple[Key, ...],
    edge: Any,
    forward: bool,
    size: int,
    branches: Sequence[Q] = (),
) -> list | None:
    """The primary keys of the first ``size + 1`` rows of ``queryset`` (ordered by ``keys``,
    a time and the primary key, beyond the cursor at ``edge``), looked for in windows of
    time from the edge, each wider than the last as the rows found in it tell
    (:func:`core.search.next_window`), the last one all; ``None`` when the list is not
    ordered so (then it is read as any other).

    Each window's rows are those the text index names and the time index bounds, read whole
    (``WITH … AS MATERIALIZED``), then sorted: a word in one record in a thousand fills a
    page from a few days' rows. Walking the list newest first until a page is full reads
    tens of thousands of rows for it; and the planner, which cannot tell a word in one
    record in a thousand from one in a hundred thousand by their statistics, walks the
    whole table for the rarer. A scope's ``branches`` are each bounded by their own index
    within the window, and their rows joined."""
    first, last = keys[0], keys[-1]
    descending = first.descending if forward else not first.descending
    connection = connections[queryset.db]
    if (
        connection.vendor != "postgresql"
        or len(keys) != 2
        or last.field not in ("id", "pk")
        or first.nullable
        or not isinstance(edge, datetime | None)
        or (edge is None and not descending)
    ):
        return None
    edge = timezone.now() if edge is None else edge
    order = ", ".join(
        f"{column} {'DESC' if key.descending == forward else 'ASC'}"
        for column, key in (("o", first), ("k", last))
    )
    span: timedelta | None = SEARCH_WINDOW
    while True:
        rows = queryset
        if span is not None:
            rows = rows.filter(
                **{f"{first.field}__gte": edge - span}
                if descending
                else {f"{first.field}__lte": edge + span}
            )
        parts = [
            part.order_by().values_list(first.field, "pk")
            for part in ([rows.filter(branch) for branch in branches] or [rows])
        ]
        try:
            sql, params = parts[0].union(*parts[1:]).query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:  # a scope of nothing
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH found (o, k) AS MATERIALIZED ({sql}) "
                f"SELECT k FROM found ORDER BY {order} LIMIT %s",
                (*params, size + 1),
            )
            found = [row[0] for row in cursor.fetchall()]
        if len(found) > size or span is None:
            return found
        span = next_window(span, len(found), size + 1)


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
    page = page_query(queryset, keys, cursor, size, branches)
    rows = list(page.query)
    # rows chosen beforehand: one that left the list since leaves a shorter page, with the
    # way on to the next
    more = len(rows) > size if page.more is None else page.more
    rows = rows[:size]
    if not page.forward:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None)
    has_next = more if page.forward else bool(cursor)
    has_previous = bool(cursor) if page.forward else more
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
