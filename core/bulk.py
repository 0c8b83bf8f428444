"""New rows written as sets, in as few statements as the database allows.

On PostgreSQL, ids for new rows are drawn from their table's sequence beforehand, so that
rows of several tables that point at each other go together: a few rows (a single intake)
in one statement of data-modifying CTEs, which is atomic by itself; many rows (a bulk
intake) by COPY, one per table. Elsewhere (the embedded SQLite), the ORM's ``bulk_create``.

The objects are model instances built as for ``bulk_create``: no ``save()``, no signals.
"""

import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from datetime import date
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar, cast

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin

#: up to this many rows in all, one statement; beyond, COPY (its rounds trips pay off)
ONE_STATEMENT_ROWS = 50

_sequences: dict[str, str] = {}
_columns: dict[tuple[type[models.Model], bool], "_Plan"] = {}
_shapes: dict[type[models.Model], "_Shape"] = {}


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


def _initialised_as_stored(model: type[models.Model]) -> bool:
    """Whether ``model``'s instances are nothing but their fields' values and a fresh state
    (and, for a workflow's, the states they were built in): no ``__init__`` of its own
    beyond the workflow mixin's, and nobody listening for its construction."""
    return (
        model.__init__ in (models.Model.__init__, ConcurrentTransitionMixin.__init__)
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


class _Shape(NamedTuple):
    """How ``instances`` builds a model's objects: the fields' attnames in order, where each
    key of a row goes (an attname, or a relation's name with its field), the values of the
    defaults that are constants, and the fields whose defaults are made anew (a callable's)."""

    names: list[str]
    slots: dict[str, tuple[int, models.ForeignKey | None]]
    template: list[Any]
    made: list[tuple[int, models.Field]]


def _shape(model: type[models.Model]) -> _Shape:
    if model not in _shapes:
        fields = model._meta.concrete_fields
        slots: dict[str, tuple[int, models.ForeignKey | None]] = {}
        template: list[Any] = []
        made: list[tuple[int, models.Field]] = []
        for index, field in enumerate(fields):
            slots[field.attname] = (index, None)
            if field.is_relation:
                slots[field.name] = (index, cast(models.ForeignKey, field))
            if field.has_default() and callable(field.default):
                made.append((index, field))
                template.append(None)
            else:
                template.append(field.get_default())
        _shapes[model] = _Shape([field.attname for field in fields], slots, template, made)
    return _shapes[model]


def instances(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> list:
    """Unsaved instances of ``model`` from dicts of field attnames (``city_id``), or of
    relations' names (``city``) for related objects at hand, built as rows read from the
    database are: for many, much less work than keyword construction. A related object
    given is kept as the instance's, as keyword construction keeps it, so reading it reads
    nothing. A field a dict leaves out takes its default. A model whose construction does
    nothing more (:func:`_initialised_as_stored`) gets its values set directly, as
    ``Model.__init__`` would set them on a new object (and records its workflow's states,
    as the workflow mixin's ``__init__`` would)."""
    shape = _shape(model)
    names, slots, template, made_anew = shape
    plain = _initialised_as_stored(model)
    workflow = issubclass(model, ConcurrentTransitionMixin)
    made = []
    for row in rows:
        values = template.copy()
        related = []
        for key, value in row.items():
            try:
                index, relation = slots[key]
            except KeyError:
                raise TypeError(f"{model.__name__} has no field {key!r}") from None
            if relation is not None:
                related.append((relation, value))
                value = None if value is None else value.pk
            values[index] = value
        for index, field in made_anew:
            if field.attname not in row and field.name not in row:
                values[index] = field.get_default()
        if plain:
            obj = model.__new__(model)
            obj.__dict__.update(zip(names, values, strict=True))
            obj._state = ModelState()
            if workflow:
                cast(ConcurrentTransitionMixin, obj)._update_initial_state()
        else:
            obj = model(*values)
        for field, value in related:
            field.set_cached_value(obj, value)
        made.append(obj)
    return made


def _text(value):
    # a choices member is a str subclass: the database gets its value
    return value if value is None or type(value) is str else str(value)


def _plain(value):
    # a choices member as the database gives it back: its value
    return str(value) if isinstance(value, str) else value


class _Plan(NamedTuple):
    """How a model's objects become rows: its fields, their values read at once, those that
    are stamped with the moment of writing (auto_now and auto_now_add: one moment for all
    the rows of a statement), those that must otherwise be prepared (``pre_save``: files),
    the texts (a choices member is written as its value) and those written as JSON (with
    their encoder)."""

    fields: list[models.Field]
    read: Callable[[models.Model], tuple]
    stamped: list[tuple[int, str, bool]]
    prepared: list[tuple[int, models.Field]]
    texts: list[int]
    json: list[tuple[int, type[json.JSONEncoder] | None]]


def _stamped(field: models.Field) -> bool:
    return isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)


def _prepares(field: models.Field) -> bool:
    # a date's pre_save only stamps it (auto_now, auto_now_add): see _stamped
    return not (
        type(field).pre_save is models.Field.pre_save or isinstance(field, models.DateField)
    )


def _plan(model: type[models.Model], with_pk: bool) -> _Plan:
    key = (model, with_pk)
    if key not in _columns:
        fields = [
            field for field in model._meta.concrete_fields if with_pk or not field.primary_key
        ]
        names = [field.attname for field in fields]
        read = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
        _columns[key] = _Plan(
            fields,
            read,
            [
                (index, field.attname, isinstance(field, models.DateTimeField))
                for index, field in enumerate(fields)
                if _stamped(field)
            ],
            [(index, field) for index, field in enumerate(fields) if _prepares(field)],
            [
                index
                for index, field in enumerate(fields)
                if isinstance(field, models.CharField | models.TextField)
            ],
            [
                (index, field.encoder)
                for index, field in enumerate(fields)
                if isinstance(field, models.JSONField)
            ],
        )
    return _columns[key]


def _rows(objs: Sequence[models.Model]) -> tuple[str, list[str], list[list[Any]]]:
    model = type(objs[0])
    plan = _plan(model, objs[0].pk is not None)
    now = timezone.now()
    moments = {True: now, False: date.today()}  # as DateTimeField's and DateField's pre_save
    # a value many rows share (the reminders of deadlines built as copies) is encoded once:
    # by identity, which holds while the objects hold their values, that is for this call
    dumped: dict[int, str] = {}
    rows = []
    for obj in objs:
        values = list(plan.read(obj))
        for index, attname, is_moment in plan.stamped:
            values[index] = moments[is_moment]
            setattr(obj, attname, values[index])
        for index, field in plan.prepared:
            values[index] = field.pre_save(obj, True)
        for index in plan.texts:
            values[index] = _text(values[index])
        for index, encoder in plan.json:
            value = values[index]
            if value is not None:
                text = dumped.get(id(value))
                if text is None:
                    text = dumped[id(value)] = json.dumps(value, cls=encoder)
                values[index] = text
        rows.append(values)
    quote = connection.ops.quote_name
    columns = [quote(str(field.column)) for field in plan.fields]  # concrete: each has a column
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


def _integers(field: models.Field) -> bool:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    return isinstance(target, models.IntegerField | models.AutoField)


def rows_insert_alike(template: models.Model, varying: Sequence[dict[str, Any]]) -> None:
    """Insert one row per mapping of ``varying``: ``template``'s values (its id left to the
    database), with the mapping's integers (ids, numbers; by attname, every mapping naming
    the same) in their place. On PostgreSQL one ``INSERT … SELECT`` over an array of each
    column that varies: the values the rows share are converted and sent once, not once a
    row. Elsewhere, as :func:`rows_insert` writes objects. Runs inside the caller's
    transaction, if any."""
    if not varying:
        return
    if template.pk is not None:
        raise ValueError("rows_insert_alike leaves the ids to the database")
    model = type(template)
    fields = {field.attname: field for field in _plan(model, False).fields}
    names = list(varying[0])
    for name in names:
        if name not in fields or not _integers(fields[name]):
            raise TypeError(f"{model.__name__}.{name} is not an integer field that can vary")
    if not sets_supported():
        shared = {name: getattr(template, name) for name in fields}
        rows_insert(instances(model, ({**shared, **row} for row in varying)))
        return
    table, columns, (values,) = _rows([template])
    kinds = [field.db_type(connection) for field in fields.values()]
    varies = [attname in names for attname in fields]
    quote = connection.ops.quote_name
    shared_sql = [f"%s::{kind}" for kind, vary in zip(kinds, varies, strict=True) if not vary]
    params = [value for value, vary in zip(values, varies, strict=True) if not vary]
    arrays = []
    for name in names:
        arrays.append(f"%s::{fields[name].db_type(connection)}[]")
        params.append([row[name] for row in varying])
    aliases = [f"v{index}" for index in range(len(names))]
    order = [column for column, vary in zip(columns, varies, strict=True) if not vary] + [
        quote(str(fields[name].column)) for name in names
    ]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(order)})"
            f" SELECT {', '.join(shared_sql + aliases)}"
            f" FROM unnest({', '.join(arrays)}) AS v({', '.join(aliases)})",
            params,
        )


_M = TypeVar("_M", bound=models.Model)

#: rows per statement where there is no COPY (SQLite: its variables per statement)
MERGE_CHUNK = 500


def rows_merge(
    objs: Sequence[_M],
    *,
    conflict: Sequence[str] = (),
    key: Sequence[str] = (),
    found: bool = False,
) -> list[_M]:
    """Insert objects of one model, leaving those a unique constraint already holds:
    ``INSERT … ON CONFLICT`` on ``conflict``'s columns (none: any unique constraint), of a
    few rows' values, or of many rows fed by COPY into a temporary table on PostgreSQL.
    ``key`` (field names; by default ``conflict``'s) tells the objects apart; each object
    written gets its id, and with ``found`` (which needs ``conflict``) so does each whose
    row was there already.
    Returns the objects written (with ``found``: all). Runs inside the caller's
    transaction, if any.

    What a storm writes in batches (breaches' notifications, violations, limits): no model
    field preparation per value, no arrays quoted value by value, one round trip per table."""
    if not objs:
        return []
    key = key or conflict
    if not key:
        raise ValueError("rows_merge needs the key that tells the objects apart")
    model = type(objs[0])
    meta = model._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return str(cast(models.Field, meta.get_field(name)).column)

    key_columns = [column(name) for name in key]
    target = f"({', '.join(quote(column(name)) for name in conflict)})" if conflict else ""
    if found:
        if not conflict:
            raise ValueError("found=True needs the conflict's columns")
        first = quote(column(conflict[0]))
        action = f"DO UPDATE SET {first} = EXCLUDED.{first}"  # the row stays as it was
    else:
        action = "DO NOTHING"
    returning = ", ".join(quote(str(name)) for name in [meta.pk.column, *key_columns])
    table, columns, rows = _rows(objs)
    written: list[tuple] = []
    copied = sets_supported() and len(rows) > ONE_STATEMENT_ROWS
    if not copied:
        if not sets_supported():  # SQLite: values as the ORM stores them
            fields = _plan(model, objs[0].pk is not None).fields
            rows = [
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
                for obj in objs
            ]
        chunks = [rows[start : start + MERGE_CHUNK] for start in range(0, len(rows), MERGE_CHUNK)]
    # a few rows: one statement, atomic by itself; more: all or none of them
    whole = transaction.atomic() if copied or len(chunks) > 1 else nullcontext()
    with whole, connection.cursor() as cursor, connection.wrap_database_errors:
        if copied:
            # a table of this column list for the session, emptied after each use
            staging = quote(f"_merge_{meta.db_table}_{zlib.crc32(repr(columns).encode()):08x}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} AS"
                f" SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {staging} ({', '.join(columns)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)}"
                f" FROM {staging} ON CONFLICT {target} {action} RETURNING {returning}"
            )
            written = cursor.fetchall()
            cursor.execute(f"TRUNCATE {staging}")
        else:
            row = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for chunk in chunks:
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    + ", ".join([row] * len(chunk))
                    + f" ON CONFLICT {target} {action} RETURNING {returning}",
                    [value for values in chunk for value in values],
                )
                written += cursor.fetchall()
    ids = {tuple(found_row[1:]): found_row[0] for found_row in written}
    attnames = [cast(models.Field, meta.get_field(name)).attname for name in key]
    done = []
    for obj in objs:
        pk = ids.get(tuple(_plain(getattr(obj, name)) for name in attnames))
        if pk is not None:
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
            done.append(obj)
    return done
