"""Keep the rollups current: recompute a day's rows from the base tables.

A day is recomputed whole (delete, then insert) in one transaction, so a run is idempotent
and two runs at once cannot double-count: the second waits for the first's lock on the day's
`RollupRun` row. Each count uses the indexed time of its own event (created, resolved,
closed, acknowledged, archived, due), so a day reads only that day's records."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from alerts.models import AlertRecipient
from complaints.choices import ComplaintState, Satisfaction
from complaints.models import ESCALATED, Complaint
from deadlines.choices import DeadlineState
from deadlines.models import Deadline
from incidents.choices import State
from incidents.models import Incident
from incidents.selectors import period_bounds

from .models import (
    PROVINCE_COUNTERS,
    AckRollup,
    ComplaintRollup,
    DeadlineRollup,
    Grain,
    IncidentRollup,
    ProvinceRollup,
    RollupRun,
    month_of,
)

# Each rollup: the columns that tell its rows apart, and the counters summed into a month.
# each rollup model: its key columns and its counters
ROLLUPS: dict[type[Any], tuple[tuple[str, ...], tuple[str, ...]]] = {
    IncidentRollup: (
        ("department_id", "city_id", "business_line", "level"),
        ("opened", "resolved", "restored", "restore_seconds", "closed", "recurred"),
    ),
    AckRollup: (
        ("department_id", "city_id", "business_line", "level"),
        ("acknowledged", "ack_seconds"),
    ),
    ComplaintRollup: (
        ("department_id", "city_id", "business_line"),
        ("received", "escalated", "archived", "first_ask", "answered", "satisfied", "repeated"),
    ),
    DeadlineRollup: (("department_id", "kind"), ("met", "breached")),
    ProvinceRollup: (
        ("department_id", "level"),
        tuple(name for names in PROVINCE_COUNTERS.values() for name in names),
    ),
}


def _seconds(value) -> int:
    return int(value.total_seconds()) if value is not None else 0


def _duration(later: str, earlier: str):
    return Sum(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()))


Counters = dict[tuple, dict[str, int]]


def _by_city(queryset, keys: tuple[str, ...], city: str, annotations: dict) -> Iterable[tuple]:
    """Rows of ``queryset`` grouped by ``keys``, once with no city (all cities) and once per
    city through the many-to-many ``city`` path."""
    for row in queryset.order_by().values(*keys).annotate(**annotations):
        yield (*(row[k] for k in keys), None), row
    for row in queryset.order_by().values(*keys, city).annotate(**annotations):
        if row[city] is not None:
            yield (*(row[k] for k in keys), row[city]), row


def _incident_counters(start: datetime, end: datetime) -> Counters:
    counters: Counters = defaultdict(lambda: defaultdict(int))
    keys = ("owning_department", "business_line", "level")
    incidents = Incident.objects.all()
    for key, row in _by_city(
        incidents.filter(created_at__gte=start, created_at__lt=end),
        keys,
        "cities",
        {"n": Count("pk")},
    ):
        counters[key]["opened"] += row["n"]
    for key, row in _by_city(
        incidents.filter(resolved_at__gte=start, resolved_at__lt=end),
        keys,
        "cities",
        {
            "n": Count("pk"),
            "restored": Count("pk", filter=Q(restored_at__isnull=False)),
            "seconds": _duration("restored_at", "occurred_at"),
        },
    ):
        counters[key]["resolved"] += row["n"]
        counters[key]["restored"] += row["restored"]
        counters[key]["restore_seconds"] += _seconds(row["seconds"])
    for key, row in _by_city(
        incidents.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end),
        keys,
        "cities",
        {"n": Count("pk"), "recurred": Count("pk", filter=Q(recurrence_of__isnull=False))},
    ):
        counters[key]["closed"] += row["n"]
        counters[key]["recurred"] += row["recurred"]
    return counters


def _ack_counters(start: datetime, end: datetime) -> Counters:
    counters: Counters = defaultdict(lambda: defaultdict(int))
    acknowledged = AlertRecipient.objects.filter(
        acknowledged_at__gte=start, acknowledged_at__lt=end
    )
    keys = ("department", "incident__business_line", "incident__level")
    for key, row in _by_city(
        acknowledged,
        keys,
        "incident__cities",
        {"n": Count("pk"), "seconds": _duration("acknowledged_at", "first_alert__published_at")},
    ):
        counters[key]["acknowledged"] += row["n"]
        counters[key]["ack_seconds"] += _seconds(row["seconds"])
    return counters


def _complaint_counters(start: datetime, end: datetime) -> Counters:
    counters: Counters = defaultdict(lambda: defaultdict(int))
    complaints = Complaint.objects.order_by().annotate(
        owner=Coalesce("department", "first_ask_department")
    )
    keys = ("owner", "city", "business_line")
    received = (
        complaints.filter(created_at__gte=start, created_at__lt=end)
        .values(*keys)
        .annotate(n=Count("pk"), escalated=Count("pk", filter=ESCALATED))
    )
    for row in received:
        key = tuple(row[k] for k in keys)
        counters[key]["received"] += row["n"]
        counters[key]["escalated"] += row["escalated"]
    satisfied = Q(satisfaction=Satisfaction.SATISFIED)
    archived = (
        complaints.filter(
            state=ComplaintState.ARCHIVED, archived_at__gte=start, archived_at__lt=end
        )
        .values(*keys)
        .annotate(
            n=Count("pk"),
            first_ask=Count("pk", filter=satisfied & Q(repeat_count=0, round=0)),
            answered=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=satisfied),
            repeated=Count("pk", filter=Q(repeat_count__gt=0)),
        )
    )
    for row in archived:
        key = tuple(row[k] for k in keys)
        counters[key]["archived"] += row["n"]
        for field in ("first_ask", "answered", "satisfied", "repeated"):
            counters[key][field] += row[field]
    return counters


def _deadline_counters(start: datetime, end: datetime) -> Counters:
    counters: Counters = defaultdict(lambda: defaultdict(int))
    rows = (
        Deadline.objects.filter(
            due_at__gte=start,
            due_at__lt=end,
            state__in=[DeadlineState.MET, DeadlineState.BREACHED],
        )
        .order_by()
        .values("responsible_department", "kind")
        .annotate(
            met=Count("pk", filter=Q(state=DeadlineState.MET)),
            breached=Count("pk", filter=Q(state=DeadlineState.BREACHED)),
        )
    )
    for row in rows:
        key = (row["responsible_department"], row["kind"])
        counters[key]["met"] += row["met"]
        counters[key]["breached"] += row["breached"]
    return counters


def _province_counters(incidents: Counters, acks: Counters, complaints: Counters) -> Counters:
    """The day's counters summed over cities (the all-city rows) and business lines, by
    department and level (complaints under the empty level)."""
    counters: Counters = defaultdict(lambda: defaultdict(int))
    for source in (incidents, acks):
        for (department, _line, level, city), values in source.items():
            if city is None:
                for name, value in values.items():
                    counters[(department, level)][name] += value
    for (department, _city, _line), values in complaints.items():
        for name, value in values.items():
            counters[(department, "")][name] += value
    return counters


@transaction.atomic
def rollup_month(day: date) -> None:
    """Recompute the month rows of ``day``'s month as the sums of its day rows. The run row
    of the month's first day is the month's lock: two recomputations never interleave."""
    first, last = month_of(day)
    run, _ = RollupRun.objects.get_or_create(day=first)
    RollupRun.objects.select_for_update().get(pk=run.pk)
    for model, (keys, counters) in ROLLUPS.items():
        model.objects.filter(grain=Grain.MONTH, day=first).delete()
        model.objects.bulk_create(
            model(grain=Grain.MONTH, day=first, **row)
            for row in model.objects.filter(grain=Grain.DAY, day__gte=first, day__lte=last)
            .order_by()
            .values(*keys)
            .annotate(**{name: Sum(name) for name in counters})
        )


@transaction.atomic
def rollup_day(day: date, *, month: bool = True) -> None:
    """Recompute every rollup of ``day`` from the base tables, then (unless ``month`` is
    false, for a caller that does it once for many days) the rows of its month."""
    run, _ = RollupRun.objects.get_or_create(day=day)
    RollupRun.objects.select_for_update().get(pk=run.pk)  # one recomputation of a day at a time
    start, end = period_bounds(day, day)
    assert start is not None and end is not None
    for model in ROLLUPS:
        model.objects.filter(grain=Grain.DAY, day=day).delete()
    incidents, acks = _incident_counters(start, end), _ack_counters(start, end)
    complaints = _complaint_counters(start, end)
    IncidentRollup.objects.bulk_create(
        IncidentRollup(
            day=day, department_id=d, business_line=line, level=level, city_id=city, **values
        )
        for (d, line, level, city), values in incidents.items()
    )
    AckRollup.objects.bulk_create(
        AckRollup(day=day, department_id=d, business_line=line, level=level, city_id=city, **v)
        for (d, line, level, city), v in acks.items()
    )
    ComplaintRollup.objects.bulk_create(
        ComplaintRollup(day=day, department_id=d, city_id=city, business_line=line, **values)
        for (d, city, line), values in complaints.items()
    )
    ProvinceRollup.objects.bulk_create(
        ProvinceRollup(day=day, department_id=d, level=level, **values)
        for (d, level), values in _province_counters(incidents, acks, complaints).items()
    )
    DeadlineRollup.objects.bulk_create(
        DeadlineRollup(day=day, department_id=d, kind=kind, **values)
        for (d, kind), values in _deadline_counters(start, end).items()
    )
    if month:
        rollup_month(day)
    RollupRun.objects.filter(pk=run.pk).update(computed_at=timezone.now())


def rollup_recent(days: int = 2) -> list[date]:
    """Today and the days before it (late events: a deadline of yesterday settled today, a
    level changed on an incident opened yesterday)."""
    today = timezone.localdate()
    rollup_range(today - timedelta(days=days - 1), today)  # each month touched summed once
    return [today - timedelta(days=n) for n in range(days)]


def rollup_range(since: date, until: date) -> int:
    """Every day of ``since``..``until`` (a first build, or after a correction of old data)."""
    day, count = since, 0
    while day <= until:
        last_of_month = month_of(day)[1]
        rollup_day(day, month=day in (last_of_month, until))
        day += timedelta(days=1)
        count += 1
    return count
