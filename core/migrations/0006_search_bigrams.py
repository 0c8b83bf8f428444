"""The functions the search is built on (PostgreSQL only; SQLite searches unindexed).

``fenghuo_bigrams(a, b, …)`` is the set of two-character substrings of the lower-cased texts,
each text on its own (no pair spans two of them). A GIN index on it answers "contains this
substring" for any substring of two characters or more — Chinese text has no spaces to split
words on, and a trigram index (pg_trgm) has nothing to look up for a two-character word.

``fenghuo_holds(q, a, b, …)``: one of the texts holds ``q``, in any case, every character of it
itself (no wildcards). PL/pgSQL so that the planner sees a call, not a ``LIKE`` it would
estimate as if it were independent of the bigrams that already imply most of it."""

from django.db import migrations

from core.search import BIGRAMS_FUNCTION, HOLDS_FUNCTION

CREATE = f"""
CREATE OR REPLACE FUNCTION {BIGRAMS_FUNCTION}(VARIADIC parts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT substr(t, i, 2)
        FROM unnest(parts) AS part, lower(part) AS t, generate_series(1, char_length(t) - 1) AS i
    )
$$;
CREATE OR REPLACE FUNCTION {HOLDS_FUNCTION}(q text, VARIADIC parts text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    needle text := lower(q);
    part text;
BEGIN
    FOREACH part IN ARRAY parts LOOP
        IF strpos(lower(part), needle) > 0 THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$$
"""
DROP = (
    f"DROP FUNCTION IF EXISTS {BIGRAMS_FUNCTION}(VARIADIC text[]); "
    f"DROP FUNCTION IF EXISTS {HOLDS_FUNCTION}(text, VARIADIC text[])"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_live_changes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
