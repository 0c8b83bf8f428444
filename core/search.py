"""Search by substring over Chinese (and any other) text: on PostgreSQL through a GIN index of
the text's bigrams, on SQLite by a plain scan.

A list's search box finds records by their number, by exact identifiers, and by any substring
of two characters or more of their text. pg_trgm cannot serve the two-character words Chinese
is mostly searched by (a two-character pattern has no trigram to look up), so the index holds
the text's two-character substrings, ``fenghuo_bigrams(…)``: the records holding every bigram of
the query are the candidates, and ``LIKE`` keeps those that hold the query itself."""

from functools import reduce
from operator import or_

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField

BIGRAMS_FUNCTION = "fenghuo_bigrams"


def index_create(schema_editor, name: str, table: str, columns: tuple[str, ...]) -> None:
    """The GIN index ``name`` on the bigrams of ``table``'s ``columns`` (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} USING gin "
        f"({BIGRAMS_FUNCTION}({', '.join(quote(column) for column in columns)}))"
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


def search(queryset: QuerySet, q: str, *, text: tuple[str, ...], exact: Q | None = None):
    """The rows of ``queryset`` that ``exact`` matches or one of whose ``text`` fields holds
    ``q`` (two characters or more; case-insensitive; ``%`` and ``_`` in it are themselves).

    On PostgreSQL the text is looked up in the GIN index on ``fenghuo_bigrams(*text)`` (a
    migration creates one per searched model, over exactly these fields, in this order): the
    rows holding every bigram of ``q``, of which ``LIKE`` keeps those holding ``q``. A lone
    caseless bigram (``断网``) needs no ``LIKE``: holding it is holding ``q``. The planner,
    knowing each bigram's frequency from the index's statistics, either reads the index (a
    rare word) or walks the list newest first until the page is full (a frequent one)."""
    condition = exact if exact is not None else Q(pk__in=[])
    if text and len(q) >= 2:
        caseless = q.lower() == q.upper()
        lookup = "contains" if caseless else "icontains"
        like = reduce(or_, (Q(**{f"{field}__{lookup}": q}) for field in text))
        if connection.vendor == "postgresql":
            queryset = queryset.alias(search_bigrams=Bigrams(*text))
            indexed = Q(search_bigrams__contains=bigrams(q))
            like = indexed if caseless and len(q) == 2 else indexed & like
        condition |= like
    return queryset.filter(condition)
