"""Search by substring over Chinese (and any other) text: on PostgreSQL through a GIN index of
the text's bigrams, on SQLite by a plain scan.

A list's search box finds records by their number, by exact identifiers, and by any substring
of two characters or more of their text. pg_trgm cannot serve the two-character words Chinese
is mostly searched by (a two-character pattern has no trigram to look up), so the index holds
the text's two-character substrings, ``fenghuo_bigrams(…)``: the records holding every bigram of
the query are the candidates, and ``LIKE`` keeps those that hold the query itself."""

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
