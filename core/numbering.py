"""Human numbers such as INC-20261122-0007: a prefix, the day and the day's counter."""

from datetime import datetime

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .bulk import id_sequence, sets_supported
from .models import NumberSequence

# The day's counter moved on by a count, in one statement that returns where it now stands
# (concurrent callers never share a number); PostgreSQL and SQLite both speak it.
_COUNT = (
    "INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, %s) "
    "ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + EXCLUDED.last "
    "RETURNING last"
)


def numbers_next(*, prefix: str, count: int = 1, when: datetime | None = None) -> list[str]:
    """``count`` numbers ``PREFIX-YYYYMMDD-NNNN``, counted per day in the deployment's time
    zone. One statement (an upsert that returns the new counter), so concurrent callers
    never get the same number; PostgreSQL and SQLite both speak it."""
    day = timezone.localdate(when or timezone.now())
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_COUNT.format(table=table), [prefix, day, count])
        last = cursor.fetchone()[0]
    return [f"{prefix}-{day:%Y%m%d}-{n:04d}" for n in range(last - count + 1, last + 1)]


def number_next(*, prefix: str, when: datetime | None = None) -> str:
    return numbers_next(prefix=prefix, when=when)[0]


def numbers_and_ids(
    *, prefix: str, model: type[Model], count: int, when: datetime | None = None
) -> list[tuple[str, int | None]]:
    """``count`` numbers as :func:`numbers_next`, each with an id for a new row of ``model``
    drawn from its sequence in the same statement (PostgreSQL; elsewhere the rows get their
    ids as they are written, and the ids here are None)."""
    if not sets_supported():
        return [(number, None) for number in numbers_next(prefix=prefix, count=count, when=when)]
    day = timezone.localdate(when or timezone.now())
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH counter AS ({_COUNT.format(table=table)}) "
            "SELECT last, nextval(%s) FROM counter, generate_series(1, %s)",
            [prefix, day, count, id_sequence(model), count],
        )
        rows = cursor.fetchall()
    last = rows[0][0]
    ids = sorted(row[1] for row in rows)
    return [
        (f"{prefix}-{day:%Y%m%d}-{n:04d}", pk)
        for n, pk in zip(range(last - count + 1, last + 1), ids, strict=True)
    ]
