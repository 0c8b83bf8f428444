"""New rows written as sets, in as few statements as the database allows.

On PostgreSQL, ids for new rows are drawn from their table's sequence beforehand, so that
rows of several tables that point at each other go together: a few rows (a single intake)
in one statement of data-modifying CTEs, which is atomic by itself; many rows (a bulk
intake) by COPY, one per table. Elsewhere (the embedded SQLite), the ORM's ``bulk_create``.

The objects are model instances built as for ``bulk_create``: no ``save()``, no signals.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

#: up to this many rows in all, one statement; beyond, COPY (its rounds trips pay off)
ONE_STATEMENT_ROWS = 50

_sequences: dict[str, str] = {}
_columns: dict[tuple[type[models.Model], bool], tuple[list[models.Field], list[Callable]]] = {}


def sets_supported() -> bool:
    """Whether ids are drawn beforehand and rows written by :func:`rows_insert`'s own
    statements (PostgreSQL)."""
    return connection.vendor == "postgresql"


def id_sequence(model: type[models.Model]) -> str:
    """The name of the sequence ``model``'s ids come from (PostgreSQL)."""
    table = model._meta.db_table
    if table not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def instances(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> list:
    """Unsaved instances of ``model`` from dicts of field attnames (``city_id``, not
    ``city``), built positionally as rows read from the database are: for many, much less
    work than keyword construction. A field a dict leaves out takes its default."""
    fields = model._meta.concrete_fields
    return [
        model(
            *[
                row[field.attname] if field.attname in row else field.get_default()
                for field in fields
            ]
        )
        for row in rows
    ]


def _same(value):
    return value


def _text(value):
    # a choices member is a str subclass: the database gets its value
    return value if value is None or type(value) is str else str(value)


def _json(field: models.JSONField) -> Callable:
    def dump(value):
        return None if value is None else json.dumps(value, cls=field.encoder)

    return dump


def _plan(model: type[models.Model], with_pk: bool) -> tuple[list[models.Field], list[Callable]]:
    key = (model, with_pk)
    if key not in _columns:
        fields = [
            field for field in model._meta.concrete_fields if with_pk or not field.primary_key
        ]
        converters = [
            _json(field)
            if isinstance(field, models.JSONField)
            else _text
            if isinstance(field, models.CharField | models.TextField)
            else _same
            for field in fields
        ]
        _columns[key] = (fields, converters)
    return _columns[key]


def _rows(objs: Sequence[models.Model]) -> tuple[str, list[str], list[list[Any]]]:
    model = type(objs[0])
    fields, converters = _plan(model, objs[0].pk is not None)
    rows = [
        [
            convert(field.pre_save(obj, True))
            for field, convert in zip(fields, converters, strict=True)
        ]
        for obj in objs
    ]
    quote = connection.ops.quote_name
    columns = [quote(str(field.column)) for field in fields]  # concrete: each has a column
    return quote(model._meta.db_table), columns, rows


def rows_insert(*groups: Sequence[models.Model]) -> None:
    """Insert each group's objects (a group: objects of one model; their ids drawn
    beforehand, or all left to the database). Runs inside the caller's transaction, if any;
    a violated constraint raises :class:`django.db.IntegrityError` and writes nothing of
    the statement that met it."""
    groups = tuple(group for group in groups if group)
    if not groups:
        return
    if not sets_supported():
        for group in groups:
            type(group[0])._default_manager.bulk_create(group)
        return
    tables = [_rows(group) for group in groups]
    for group in groups:
        for obj in group:
            obj._state.adding, obj._state.db = False, connection.alias
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if sum(len(rows) for _table, _columns, rows in tables) <= ONE_STATEMENT_ROWS:
            statements: list[str] = []
            params: list[Any] = []
            for table, columns, rows in tables:
                row = "(" + ", ".join(["%s"] * len(columns)) + ")"
                statements.append(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    + ", ".join([row] * len(rows))
                )
                params.extend(value for values in rows for value in values)
            *first, last = statements
            ctes = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(first))
            cursor.execute((f"WITH {ctes} " if ctes else "") + last, params)
            return
        for table, columns, rows in tables:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
