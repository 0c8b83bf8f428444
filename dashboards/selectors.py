"""The dashboards' figures: sums over the daily rollups for a period, and a few live counts
that partial or narrow indexes answer without reading the big tables.

The rollups are read with plain SQL, one statement per figure set (a ``UNION ALL`` of the
sums each needs), as tuples: a request pays one round trip and no ORM compilation or model
instances for them. Departments and cities come from the reference cache (core.reference)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Model,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from alerts.models import AlertRecipient
from collaboration.records import kinds as record_kinds
from core.reference import cached
from deadlines.choices import DeadlineState
from deadlines.models import Deadline
from incidents.choices import Level
from incidents.models import Incident
from incidents.workflow import LIVE_STATES
from organisation.models import City, Department, bilingual

from .models import (
    AckRollup,
    ComplaintRollup,
    DeadlineRollup,
    Grain,
    IncidentRollup,
    ProvinceRollup,
    RollupRun,
    month_of,
)


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    department: Department | None = None
    city: City | None = None
    level: str = ""
    business_line: str = ""

    @classmethod
    def default(cls, today: date | None = None, days: int = 30) -> "Filters":
        today = today or timezone.localdate()
        return cls(since=today - timedelta(days=days - 1), until=today)

    def as_query(self) -> dict[str, str]:
        """The filters as the list pages take them (drill-down links)."""
        query = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        if self.department:
            query["department"] = self.department.code
        if self.city:
            query["city"] = self.city.code
        if self.level:
            query["level"] = self.level
        if self.business_line:
            query["business_line"] = self.business_line
        return query


def whole_months(since: date, until: date) -> tuple[date, date] | None:
    """The first days of the first and the last month lying wholly inside the period."""
    first = since if since.day == 1 else month_of(since)[1] + timedelta(days=1)
    end = until if until == month_of(until)[1] else month_of(until)[0] - timedelta(days=1)
    last = end.replace(day=1)
    return (first, last) if first <= last else None


# --- reference data ------------------------------------------------------------------------

#: names in the reference cache; dashboards.apps forgets them when a department or city changes
DEPARTMENTS = "dashboards:departments"
CITIES = "dashboards:cities"


@dataclass(frozen=True)
class DepartmentRef:
    """What the figures show of a department: its code and its name in both languages."""

    pk: int
    code: str
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    def __str__(self) -> str:
        return self.name


def department_refs() -> dict[int, DepartmentRef]:
    """Every department (inactive ones too: their past figures stay), by id."""
    return cached(
        DEPARTMENTS,
        lambda: {
            pk: DepartmentRef(pk, code, zh, en)
            for pk, code, zh, en in Department.objects.values_list(
                "pk", "code", "name_zh", "name_en"
            )
        },
    )


def city_codes() -> dict[int, str]:
    return cached(CITIES, lambda: dict(City.objects.values_list("pk", "code")))


# --- rollup reads --------------------------------------------------------------------------

# (WHERE clause, its parameters)
Where = tuple[str, list]
# (the columns, the rollup, which of its rows, the GROUP BY)
Part = tuple[str, type[Model], Where, str]


def _day(value) -> date:
    """A day as the database returns it (SQLite may hand back its text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _int(value) -> int:
    """A sum as an int (PostgreSQL sums bigints as numeric)."""
    return int(value) if isinstance(value, Decimal) else value


def _period(f: Filters, *, daily: bool = False) -> Where:
    """The rollup rows that add up to the period: the month rows of the months it covers
    whole, the day rows of the days at its edges (``daily``: day rows only); index on
    (grain, day)."""
    day = connection.ops.adapt_datefield_value
    months = None if daily else whole_months(f.since, f.until)
    if months is None:
        return "grain = %s AND day >= %s AND day <= %s", [
            Grain.DAY.value,
            day(f.since),
            day(f.until),
        ]
    first, last = months
    return (
        "(grain = %s AND day >= %s AND day <= %s"
        " OR grain = %s AND day >= %s AND day < %s"
        " OR grain = %s AND day > %s AND day <= %s)",
        [
            Grain.MONTH.value,
            day(first),
            day(last),
            Grain.DAY.value,
            day(f.since),
            day(first),
            Grain.DAY.value,
            day(month_of(last)[1]),
            day(f.until),
        ],
    )


def _and(where: Where, conditions: list[tuple[str, object]]) -> Where:
    clause, params = where
    for condition, value in conditions:
        clause += f" AND {condition}"
        if value is not None:
            params = [*params, value]
    return clause, params


def _incident_like(f: Filters, *, department: bool = True, daily: bool = False) -> Where:
    """Incident and acknowledgment rollups: the city rows or the all-city rows."""
    return _and(
        _period(f, daily=daily),
        [
            ("city_id = %s", f.city.pk) if f.city else ("city_id IS NULL", None),
            *([("department_id = %s", f.department.pk)] if department and f.department else []),
            *([("level = %s", f.level)] if f.level else []),
            *([("business_line = %s", f.business_line)] if f.business_line else []),
        ],
    )


def _complaints(f: Filters, *, department: bool = True, daily: bool = False) -> Where:
    return _and(
        _period(f, daily=daily),
        [
            *([("city_id = %s", f.city.pk)] if f.city else []),
            *([("department_id = %s", f.department.pk)] if department and f.department else []),
            *([("business_line = %s", f.business_line)] if f.business_line else []),
        ],
    )


def _whole_province(f: Filters) -> bool:
    """Whether ProvinceRollup answers for ``f``: no city and no business line chosen."""
    return f.city is None and not f.business_line


def _province(f: Filters, *, daily: bool = False) -> Where:
    """ProvinceRollup rows of the period: the chosen level's incident and acknowledgment
    counters (every level's without one) and the complaint counters (kept under no level:
    complaints are not filtered by level)."""
    return _and(
        _period(f, daily=daily),
        [
            *([("department_id = %s", f.department.pk)] if f.department else []),
            *([("level IN (%s, '')", f.level)] if f.level else []),
        ],
    )


def _deadlines(f: Filters, *, department: bool = True) -> Where:
    return _and(
        _period(f),
        [("department_id = %s", f.department.pk)] if department and f.department else [],
    )


def _sums(parts: list[Part]) -> list[tuple]:
    """One statement: ``SELECT <columns> FROM <rollup> WHERE … GROUP BY …`` of each part,
    joined by ``UNION ALL`` (each part the same number of columns)."""
    sql, params = [], []
    for columns, model, (where, values), group in parts:
        sql.append(f"SELECT {columns} FROM {model._meta.db_table} WHERE {where} GROUP BY {group}")
        params += values
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        return cursor.fetchall()


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(total_seconds: int, count: int, unit: int) -> float | None:
    return round(total_seconds / count / unit, 1) if count else None


# --- live ----------------------------------------------------------------------------------


def _live_incidents(f: Filters) -> QuerySet:
    incidents = Incident.objects.filter(state__in=LIVE_STATES)
    if f.department:
        incidents = incidents.filter(owning_department=f.department)
    if f.city:
        incidents = incidents.filter(cities=f.city)
    if f.level:
        incidents = incidents.filter(level=f.level)
    if f.business_line:
        incidents = incidents.filter(business_line=f.business_line)
    return incidents


def _whole(queryset: QuerySet) -> QuerySet:
    """``queryset`` as one group: its aggregates over all its rows (none if it has none)."""
    return queryset.values(whole=Cast(Value(1), output_field=IntegerField()))


def _member(queryset: QuerySet, tag: str, **columns) -> Where:
    """``queryset`` as one member of the overview's statement: the columns ``key``, ``a``,
    ``b``, ``at`` (expressions; those left out are NULL) and the tag, grouped by what the
    queryset's values() name."""
    nothing = {
        "key": Value("", output_field=CharField()),
        "a": Value(0, output_field=IntegerField()),
        "b": Value(0, output_field=IntegerField()),
        "at": Cast(Value(None), output_field=DateTimeField()),
    }
    annotated = queryset.order_by().annotate(**(nothing | columns), tag=Value(tag))
    sql, params = annotated.values_list("key", "a", "b", "at", "tag").query.sql_with_params()
    return sql, list(params)


def overview(f: Filters) -> dict:
    """Now: open incidents by level, deadlines overdue and due soon, alerts not acknowledged;
    today: complaints by business line and by city; when today's rollup was computed. One
    statement (a ``UNION ALL`` of each figure's query), so one round trip."""
    now = timezone.now()
    today = timezone.localdate()
    pending = Q(state=DeadlineState.PENDING)
    unmet = Deadline.objects.filter(  # the partial index deadline_unmet
        state__in=[DeadlineState.PENDING, DeadlineState.BREACHED], met_at__isnull=True
    )
    if f.department:
        unmet = unmet.filter(responsible_department=f.department)
    soon = now + timedelta(minutes=settings.DEADLINE_DUE_SOON_MINUTES)
    unacknowledged = AlertRecipient.objects.filter(
        acknowledged_at__isnull=True, incident__state__in=LIVE_STATES
    )
    if f.department:
        unacknowledged = unacknowledged.filter(department=f.department)
    if f.level:
        unacknowledged = unacknowledged.filter(incident__level=f.level)
    if f.business_line:
        unacknowledged = unacknowledged.filter(incident__business_line=f.business_line)
    if f.city:
        unacknowledged = unacknowledged.filter(incident__cities=f.city)
    todays = _complaints(
        Filters(
            since=today,
            until=today,
            department=f.department,
            city=f.city,
            business_line=f.business_line,
        )
    )
    # only a city filter joins the incidents' cities, where an incident of several cities
    # would count more than once: otherwise a plain count, COUNT(*), which an index that
    # holds the filtered columns answers alone (the rows' ids are in no such index)
    once = f.city is not None
    rows = Count("pk", distinct=True) if once else Count("*")
    members = [
        _member(_live_incidents(f).values("level"), "incidents", key=F("level"), a=rows),
        _member(
            _whole(unmet),
            "deadlines",
            # state, never null, is in deadline_unmet (due_at, state): its rows, not their ids
            a=Count("state", filter=Q(state=DeadlineState.BREACHED) | pending & Q(due_at__lt=now)),
            b=Count("state", filter=pending & Q(due_at__gte=now, due_at__lt=soon)),
        ),
        _member(_whole(unacknowledged), "alerts", a=rows),
        _member(_whole(RollupRun.objects.filter(day=today)), "as_of", at=Max("computed_at")),
        # the day's complaint rows by city and line (a few dozen), summed both ways below
        (
            "SELECT business_line, city_id, SUM(received), NULL, 'complaints'"
            f" FROM {ComplaintRollup._meta.db_table} WHERE {todays[0]}"
            " GROUP BY business_line, city_id",
            todays[1],
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(sql for sql, _params in members),
            [param for _sql, params in members for param in params],
        )
        rows = cursor.fetchall()
    by_level: dict[str, int] = {}
    deadlines = {"overdue": 0, "due_soon": 0}
    unacknowledged_count, computed_at = 0, None
    by_line: dict[str, int] = defaultdict(int)
    by_city: dict[str, int] = defaultdict(int)
    codes = city_codes()
    for key, a, b, at, tag in rows:
        if tag == "incidents":
            by_level[key] = _int(a)
        elif tag == "deadlines":
            deadlines = {"overdue": _int(a), "due_soon": _int(b)}
        elif tag == "alerts":
            unacknowledged_count = _int(a)
        elif tag == "as_of":
            computed_at = _moment(at)
        elif b:
            by_line[key] += _int(b)
            if a in codes:
                by_city[codes[a]] += _int(b)
    return {
        "incidents_by_level": {
            level: by_level.get(level, 0) for level in (Level.RED, Level.ORANGE, Level.YELLOW)
        }
        | {"none": by_level.get(Level.NONE, 0)},
        "deadlines_overdue": deadlines["overdue"],
        "deadlines_due_soon": deadlines["due_soon"],
        "due_soon_minutes": settings.DEADLINE_DUE_SOON_MINUTES,
        "alerts_unacknowledged": unacknowledged_count,
        "complaints_today": sum(by_line.values()),
        "complaints_today_by_line": _largest_first(by_line),
        "complaints_today_by_city": _largest_first(by_city),
        "as_of": computed_at,
    }


def _moment(value) -> datetime | None:
    """A time as the database returns it (SQLite: its text, in UTC)."""
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def _largest_first(counts: dict[str, int]) -> list[dict]:
    return [
        {"key": key, "n": n} for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def as_of():
    """When today's rollup was last computed."""
    return RollupRun.objects.filter(day=timezone.localdate()).aggregate(at=Max("computed_at"))["at"]


# --- trends --------------------------------------------------------------------------------


MONTHLY_TRENDS_FROM_DAYS = 92  # a longer period is drawn month by month


def trends(f: Filters) -> dict:
    """Per day of the period (per month of a period of more than three months): incidents
    opened by level, complaints received and escalated. ``days`` are the buckets' first
    days and ``ends`` their last, inside the period."""
    monthly = (f.until - f.since).days + 1 > MONTHLY_TRENDS_FROM_DAYS
    if monthly:
        starts, month = [], month_of(f.since)[0]
        while month <= f.until:
            starts.append(month)
            month = month_of(month)[1] + timedelta(days=1)
        ends = [min(month_of(start)[1], f.until) for start in starts]
        starts[0] = f.since
    else:
        starts = [f.since + timedelta(days=n) for n in range((f.until - f.since).days + 1)]
        ends = starts

    def bucket(day: date) -> date:
        return max(day.replace(day=1), f.since) if monthly else day

    opened: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    received: dict[date, int] = defaultdict(int)
    escalated: dict[date, int] = defaultdict(int)
    parts: list[Part]
    if _whole_province(f):
        parts = [
            (
                "'province', day, level, SUM(opened), SUM(received), SUM(escalated)",
                ProvinceRollup,
                _province(f, daily=not monthly),
                "day, level",
            )
        ]
    else:
        parts = [
            (
                "'incident', day, level, SUM(opened), 0, 0",
                IncidentRollup,
                _incident_like(f, daily=not monthly),
                "day, level",
            ),
            (
                "'complaint', day, '', 0, SUM(received), SUM(escalated)",
                ComplaintRollup,
                _complaints(f, daily=not monthly),
                "day",
            ),
        ]
    for _tag, day, level, *sums in _sums(parts):
        at = bucket(_day(day))
        n, complaints, escalations = (_int(value) for value in sums)
        if level:
            opened[level][at] += n
        received[at] += complaints
        escalated[at] += escalations
    return {
        "bucket": "month" if monthly else "day",
        "days": [day.isoformat() for day in starts],
        "ends": [day.isoformat() for day in ends],
        "incidents_opened": {
            level.value: [opened[level].get(day, 0) for day in starts]
            for level in (Level.RED, Level.ORANGE, Level.YELLOW, Level.NONE)
        },
        "complaints_received": [received.get(d, 0) for d in starts],
        "complaints_escalated": [escalated.get(d, 0) for d in starts],
    }


# --- per department ------------------------------------------------------------------------


@dataclass
class DepartmentFigures:
    department: DepartmentRef
    on_time: dict[str, float | None] = field(default_factory=dict)  # per deadline kind
    met: int = 0
    due: int = 0
    acknowledged: int = 0
    ack_seconds: int = 0
    resolved: int = 0
    restored: int = 0
    restore_seconds: int = 0
    closed: int = 0
    recurred: int = 0
    archived: int = 0
    first_ask: int = 0
    answered: int = 0
    satisfied: int = 0
    repeated: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.met, self.due)

    @property
    def mtta_minutes(self) -> float | None:
        return _mean(self.ack_seconds, self.acknowledged, 60)

    @property
    def mttr_hours(self) -> float | None:
        return _mean(self.restore_seconds, self.restored, 3600)

    @property
    def first_ask_rate(self) -> float | None:
        return rate(self.first_ask, self.archived)

    @property
    def satisfaction(self) -> float | None:
        return rate(self.satisfied, self.answered)

    @property
    def recurrence_rate(self) -> float | None:
        return rate(self.repeated + self.recurred, self.archived + self.closed)

    def as_dict(self) -> dict:
        return {
            "department": self.department.code,
            "department_name": self.department.name,
            "on_time_rate": self.on_time_rate,
            "on_time_by_kind": self.on_time,
            "deadlines_due": self.due,
            "mtta_minutes": self.mtta_minutes,
            "mttr_hours": self.mttr_hours,
            "incidents_resolved": self.resolved,
            "first_ask_rate": self.first_ask_rate,
            "satisfaction": self.satisfaction,
            "recurrence_rate": self.recurrence_rate,
            "complaints_archived": self.archived,
            "incidents_closed": self.closed,
        }


# The per-department counters, in the order the statement reads them (DepartmentFigures'
# fields; ack_seconds and restore_seconds as the rollups name them).
_COUNTERS = (
    "met",
    "breached",
    "acknowledged",
    "ack_seconds",
    "resolved",
    "restored",
    "restore_seconds",
    "closed",
    "recurred",
    "archived",
    "first_ask",
    "answered",
    "satisfied",
    "repeated",
)


def _sum(names) -> str:
    return ", ".join(f"SUM({name})" for name in names)


def departments(f: Filters) -> list[DepartmentFigures]:
    """On-time rate per deadline kind, MTTA, MTTR, first-ask resolution rate, satisfaction
    and recurrence rate of each department in the period (those with anything to show)."""
    rows: dict[int, DepartmentFigures] = {}
    names = department_refs()
    kinds: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    # every part: a tag, the department, the deadline kind, then these counters
    zero = ", 0" * len(_COUNTERS)
    parts: list[Part] = [
        (
            f"'deadline', department_id, kind, SUM(met), SUM(breached){zero[6:]}",
            DeadlineRollup,
            _deadlines(f),
            "department_id, kind",
        )
    ]
    if _whole_province(f):
        parts.append(
            (
                f"'province', department_id, '', 0, 0, {_sum(_COUNTERS[2:])}",
                ProvinceRollup,
                _province(f),
                "department_id",
            )
        )
    else:
        parts += [
            (
                f"'ack', department_id, '', 0, 0, {_sum(_COUNTERS[2:4])}{zero[: 3 * 10]}",
                AckRollup,
                _incident_like(f),
                "department_id",
            ),
            (
                f"'incident', department_id, '', 0, 0, 0, 0, {_sum(_COUNTERS[4:9])}{zero[: 3 * 5]}",
                IncidentRollup,
                _incident_like(f),
                "department_id",
            ),
            (
                f"'complaint', department_id, ''{zero[: 3 * 9]}, {_sum(_COUNTERS[9:])}",
                ComplaintRollup,
                _complaints(f),
                "department_id",
            ),
        ]
    for tag, pk, kind, *sums in _sums(parts):
        if pk not in names:  # no department, or one deleted since
            continue
        figures = rows.setdefault(pk, DepartmentFigures(names[pk]))
        values = dict(zip(_COUNTERS, (_int(value) for value in sums), strict=True))
        if tag == "deadline":
            met, breached = values.pop("met"), values.pop("breached")
            figures.met += met
            figures.due += met + breached
            kinds[pk][kind][0] += met
            kinds[pk][kind][1] += met + breached
        else:  # one row per department of each rollup: only its own counters are not 0
            for name, value in values.items():
                if value:
                    setattr(figures, name, value)
    for pk, by_kind in kinds.items():
        rows[pk].on_time = {kind: rate(met, due) for kind, (met, due) in sorted(by_kind.items())}
    return sorted(rows.values(), key=lambda figures: figures.department.code)


# --- my work: what is assigned to a person, across the kinds of record ---------------------------

MY_WORK_PER_KIND = 200  # a person's open assignments; beyond that, the lists' filters


@dataclass(frozen=True)
class WorkRow:
    """One record assigned to the person, with its nearest open deadline."""

    kind: str  # the record kind's code
    kind_label: str
    number: str
    title: str
    state: str  # the state's label
    url: str
    deadline: Deadline | None
    overdue: bool

    @property
    def due_at(self) -> datetime | None:
        return self.deadline.due_at if self.deadline is not None else None


def _nearest_deadlines(model, ids: list[int]) -> dict[int, Deadline]:
    """Each record's nearest deadline not met yet: pending, or breached and still open."""
    content_type = ContentType.objects.get_for_model(model)
    open_ = Deadline.objects.filter(
        Q(state=DeadlineState.PENDING) | Q(state=DeadlineState.BREACHED, met_at__isnull=True),
        content_type=content_type,
        object_id__in=ids,
        due_at__isnull=False,
    ).select_related("policy_version", "policy")
    nearest: dict[int, Deadline] = {}
    for deadline in open_.order_by("due_at", "id"):
        nearest.setdefault(deadline.object_id, deadline)
    return nearest


def my_work(user, *, now: datetime | None = None) -> list[WorkRow]:
    """What ``user`` is assigned to and still has to do, of every kind of record that has
    assignments (incidents, complaints, action items: ``collaboration.records``), the
    nearest deadline first; records without one come last, newest first."""
    now = now or timezone.now()
    rows: list[tuple[WorkRow, datetime]] = []
    for kind in record_kinds():
        if kind.assigned is None:
            continue
        records = list(kind.assigned(user).order_by("-pk")[:MY_WORK_PER_KIND])
        nearest = _nearest_deadlines(kind.model, [record.pk for record in records])
        for record in records:
            deadline = nearest.get(record.pk)
            number = getattr(record, "number", "") or str(record.pk)
            title = str(getattr(record, "title", None) or getattr(record, "summary", ""))
            row = WorkRow(
                kind=kind.code,
                kind_label=str(kind.label),
                number=number,
                title="" if title in number else title,  # an action item's number has it
                state=record.get_state_display(),
                url=kind.url(record),
                deadline=deadline,
                overdue=deadline is not None
                and deadline.due_at is not None
                and deadline.due_at <= now,
            )
            rows.append((row, getattr(record, "created_at", now)))
    rows.sort(
        key=lambda pair: (
            pair[0].due_at is None,
            pair[0].due_at or now,
            -pair[1].timestamp(),
        )
    )
    return [row for row, _created in rows]
