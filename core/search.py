"""Search by substring over Chinese (and any other) text: on PostgreSQL through a GIN index of
the text's bigrams, on SQLite by a plain scan.

A list's search box finds records by their number, by exact identifiers, and by any substring
of two characters or more of their text. pg_trgm cannot serve the two-character words Chinese
is mostly searched by (a two-character pattern has no trigram to look up), so the index holds
the text's two-character substrings, ``fenghuo_bigrams(…)``: the records holding the query's
bigrams are the candidates, and ``fenghuo_holds(…)`` keeps those that hold the query itself."""

import time
from datetime import timedelta
from functools import reduce
from operator import or_

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BooleanField, Func, Q, QuerySet, TextField, Value

BIGRAMS_FUNCTION = "fenghuo_bigrams"
HOLDS_FUNCTION = "fenghuo_holds"
HOLDS_OPERATOR = "~~>"
BIGRAM_STATISTICS = 1000


def index_create(schema_editor, name: str, table: str, columns: tuple[str, ...]) -> None:
    """The GIN index ``name`` on the bigrams of ``table``'s ``columns`` (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} USING gin "
        f"({BIGRAMS_FUNCTION}({', '.join(quote(column) for column in columns)}))"
    )
    # ANALYZE counts the commonest 10 × this many bigrams: enough that a bigram it did not
    # count is rare, which the planner must know to read the index rather than walk the list
    schema_editor.execute(
        f"ALTER INDEX {quote(name)} ALTER COLUMN 1 SET STATISTICS {BIGRAM_STATISTICS}"
    )


def index_drop(schema_editor, name: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def bigrams(text: str) -> list[str]:
    """The distinct two-character substrings of ``text`` lower-cased, as the index has them."""
    text = text.lower()
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def number_matches(q: str) -> Q:
    """Records numbered ``q`` (``INC-20261122-0007``, in any case), or, given four characters
    or more, whose number begins with it (a day's: ``INC-20261122``). Numbers are upper case."""
    number = q.strip().upper()
    return Q(number__startswith=number) if len(number) >= 4 else Q(number=number)


class Bigrams(Func):
    """``fenghuo_bigrams(field, …)``: written as the search indexes are, so that PostgreSQL
    takes them for it."""

    function = BIGRAMS_FUNCTION
    output_field = ArrayField(TextField())


class Texts(Func):
    template = "ARRAY[%(expressions)s]"
    output_field = ArrayField(TextField())


class Holds(Func):
    """``ARRAY[field, …] ~~> q``: one of the fields holds ``q`` (any case, no wildcards)."""

    arg_joiner = f" {HOLDS_OPERATOR} "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, q: str, *fields: str):
        super().__init__(Texts(*fields), Value(q, output_field=TextField()))


# A bigram in one row in a hundred or more is common: walking the list newest first finds a
# page of rows holding it within a few thousand rows. A rarer one is read in windows of time
# (one in a thousand: a walk would read some 30,000 rows for a page, 120-240 ms at 10 million
# complaints, where the first window's rows are read in 30).
COMMON = 0.01
STATISTICS_AGE = 600.0  # seconds the index's statistics are kept before they are read again
_statistics: dict[str, tuple[float, dict[str, float]]] = {}
# A search for a word that is not common names its rows by this alias: its list is read in
# windows of time, newest first (core.keyset), the first this wide, the widest this before
# the last, which is all of it.
WINDOWED = "search_bigrams_windowed"
SEARCH_WINDOW = timedelta(days=3)
SEARCH_WINDOW_WIDEST = timedelta(days=1000)


def next_window(span: timedelta, found: int, wanted: int) -> timedelta | None:
    """The window to look in after ``span`` held ``found`` of the ``wanted`` rows: as wide
    as the rest needs at the same density with room to spare (twice to ten times as wide),
    or ``None`` (all) past the widest."""
    growth = min(10.0, max(2.0, 2 * wanted / max(found, 1)))
    wider = span * growth
    return None if wider > SEARCH_WINDOW_WIDEST else wider


def searched(queryset: QuerySet) -> bool:
    """Whether ``queryset`` looks for a word that is not common (read it in windows)."""
    return WINDOWED in queryset.query.annotations


def frequencies(index: str) -> dict[str, float]:
    """The share of rows holding each of the commonest bigrams of ``index`` (a bigram index),
    as ANALYZE last counted them. None before it has, nor for a role that may not read the
    statistics (``pg_stats`` shows them to the index's owner, the role that migrates): every
    bigram then counts as rare, which finds the same rows, a common phrase more slowly."""
    now = time.monotonic()
    read_at, counted = _statistics.get(index, (-STATISTICS_AGE, {}))
    if now - read_at < STATISTICS_AGE:
        return counted
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE tablename = %s AND most_common_elems IS NOT NULL",
            [index],
        )
        row = cursor.fetchone()
    counted = dict(zip(row[0], row[1], strict=False)) if row else {}
    _statistics[index] = (now, counted)
    return counted


def search(
    queryset: QuerySet, q: str, *, text: tuple[str, ...], index: str, exact: Q | None = None
) -> QuerySet:
    """The rows of ``queryset`` that ``exact`` matches or one of whose ``text`` fields holds
    ``q`` (two characters or more; in any case; ``%`` and ``_`` are themselves).

    On PostgreSQL the text is looked up in the GIN ``index`` on ``fenghuo_bigrams(*text)``
    (the fields in this order), and how depends on how common the query's bigrams are
    (:func:`frequencies`, :data:`COMMON`):

    - every bigram common: the list is walked newest first until a page is full, the rows
      tested for the rarest bigram. The planner would take the bigrams of one word for
      independent and think their rows few; told of one it knows how common the word is
      at most;
    - one of them rare: the rows holding every bigram of ``q``, read in windows of time by
      the list's paging (:func:`searched`, ``core.keyset``);

    of which ``~~>`` keeps those that hold ``q`` itself (see migration core 0006).
    """
    condition = exact if exact is not None else Q(pk__in=[])
    if text and len(q) >= 2:
        if connection.vendor == "postgresql":
            grams = bigrams(q)
            counted = frequencies(index)
            rarest = min(grams, key=lambda gram: counted.get(gram, 0.0))
            common = counted.get(rarest, 0.0) >= COMMON
            if common and len(grams) > 1:
                grams = [rarest]
            alias = "search_bigrams" if common else WINDOWED
            queryset = queryset.alias(**{alias: Bigrams(*text)})
            condition |= Q(Holds(q, *text)) & Q(**{f"{alias}__contains": grams})
        else:
            lookup = "contains" if q.lower() == q.upper() else "icontains"
            condition |= reduce(or_, (Q(**{f"{field}__{lookup}": q}) for field in text))
    return queryset.filter(condition)
