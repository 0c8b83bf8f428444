"""The functions the search is built on (PostgreSQL only; SQLite searches unindexed).

``fenghuo_bigrams(a, b, …)`` is the set of two-character substrings of the lower-cased texts,
each text on its own (no pair spans two of them). A GIN index on it answers "contains this
substring" for any substring of two characters or more — Chinese text has no spaces to split
words on, and a trigram index (pg_trgm) has nothing to look up for a two-character word.

``ARRAY[a, b, …] ~~> q`` (``fenghuo_holds``): one of the texts holds ``q``, in any case, every
character of it itself (no wildcards). It comes with the bigrams that imply most of it; an
operator estimated as ``<>`` is (nearly every row) leaves the planner's estimate to them,
where a ``LIKE`` would be taken for independent of them and make a common word look rare. Cheap
(``COST 10``), it is tested before the bigrams are computed when the list is walked."""

from django.db import migrations

from core.search import BIGRAMS_FUNCTION, HOLDS_FUNCTION, HOLDS_OPERATOR

CREATE = f"""
CREATE OR REPLACE FUNCTION {BIGRAMS_FUNCTION}(VARIADIC parts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT substr(t, i, 2)
        FROM unnest(parts) AS part, lower(part) AS t, generate_series(1, char_length(t) - 1) AS i
    )
$$;
CREATE OR REPLACE FUNCTION {HOLDS_FUNCTION}(parts text[], q text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 10 AS $$
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
$$;
DROP OPERATOR IF EXISTS {HOLDS_OPERATOR} (text[], text);
CREATE OPERATOR {HOLDS_OPERATOR} (
    LEFTARG = text[], RIGHTARG = text, FUNCTION = {HOLDS_FUNCTION}, RESTRICT = neqsel
)
"""
DROP = (
    f"DROP OPERATOR IF EXISTS {HOLDS_OPERATOR} (text[], text); "
    f"DROP FUNCTION IF EXISTS {HOLDS_FUNCTION}(text[], text); "
    f"DROP FUNCTION IF EXISTS {BIGRAMS_FUNCTION}(VARIADIC text[])"
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
