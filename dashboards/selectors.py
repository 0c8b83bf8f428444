"""The dashboards' figures: sums over the daily rollups for a period, and a few live counts
that partial or narrow indexes answer without reading the big tables."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from alerts.models import AlertRecipient
from deadlines.choices import DeadlineState
from deadlines.models import Deadline
from incidents.choices import Level
from incidents.models import Incident
from incidents.workflow import LIVE_STATES
from organisation.models import City, Department

from .models import (
    AckRollup,
    ComplaintRollup,
    DeadlineRollup,
    Grain,
    IncidentRollup,
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


def _period(queryset: QuerySet, f: Filters, *, daily: bool = False) -> QuerySet:
    """The rollup rows that add up to the period: the month rows of the months it covers
    whole, the day rows of the days at its edges (``daily``: day rows only)."""
    months = None if daily else whole_months(f.since, f.until)
    if months is None:
        return queryset.filter(grain=Grain.DAY, day__gte=f.since, day__lte=f.until)
    first, last = months
    return queryset.filter(
        Q(grain=Grain.MONTH, day__gte=first, day__lte=last)
        | Q(grain=Grain.DAY, day__gte=f.since, day__lt=first)
        | Q(grain=Grain.DAY, day__gt=month_of(last)[1], day__lte=f.until)
    )


def _incident_like(
    queryset: QuerySet, f: Filters, *, department: bool = True, daily: bool = False
) -> QuerySet:
    """Incident and acknowledgment rollups: the city rows or the all-city rows."""
    queryset = _period(queryset, f, daily=daily)
    queryset = queryset.filter(city=f.city) if f.city else queryset.filter(city__isnull=True)
    if department and f.department:
        queryset = queryset.filter(department=f.department)
    if f.level:
        queryset = queryset.filter(level=f.level)
    if f.business_line:
        queryset = queryset.filter(business_line=f.business_line)
    return queryset


def _complaints(f: Filters, *, department: bool = True, daily: bool = False) -> QuerySet:
    queryset = _period(ComplaintRollup.objects.all(), f, daily=daily)
    if f.city:
        queryset = queryset.filter(city=f.city)
    if department and f.department:
        queryset = queryset.filter(department=f.department)
    if f.business_line:
        queryset = queryset.filter(business_line=f.business_line)
    return queryset


def _deadlines(f: Filters, *, department: bool = True) -> QuerySet:
    queryset = _period(DeadlineRollup.objects.all(), f)
    if department and f.department:
        queryset = queryset.filter(department=f.department)
    return queryset


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


def overview(f: Filters) -> dict:
    """Now: open incidents by level, deadlines overdue and due soon, alerts not acknowledged;
    today: complaints by business line and by city."""
    now = timezone.now()
    by_level = dict(
        _live_incidents(f).order_by().values_list("level").annotate(n=Count("pk", distinct=True))
    )
    pending = Q(state=DeadlineState.PENDING)
    unmet = Deadline.objects.filter(  # the partial index deadline_unmet
        state__in=[DeadlineState.PENDING, DeadlineState.BREACHED], met_at__isnull=True
    )
    if f.department:
        unmet = unmet.filter(responsible_department=f.department)
    soon = now + timedelta(minutes=settings.DEADLINE_DUE_SOON_MINUTES)
    deadlines = unmet.aggregate(
        overdue=Count("pk", filter=Q(state=DeadlineState.BREACHED) | pending & Q(due_at__lt=now)),
        due_soon=Count("pk", filter=pending & Q(due_at__gte=now, due_at__lt=soon)),
    )
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
    today = timezone.localdate()
    todays = Filters(
        since=today,
        until=today,
        department=f.department,
        city=f.city,
        business_line=f.business_line,
    )
    complaints = _complaints(todays)
    return {
        "incidents_by_level": {
            level: by_level.get(level, 0) for level in (Level.RED, Level.ORANGE, Level.YELLOW)
        }
        | {"none": by_level.get(Level.NONE, 0)},
        "deadlines_overdue": deadlines["overdue"],
        "deadlines_due_soon": deadlines["due_soon"],
        "due_soon_minutes": settings.DEADLINE_DUE_SOON_MINUTES,
        "alerts_unacknowledged": unacknowledged.values("pk").distinct().count(),
        "complaints_today": sum(r["n"] for r in _sum_by(complaints, "business_line", "received")),
        "complaints_today_by_line": _sum_by(complaints, "business_line", "received"),
        "complaints_today_by_city": _sum_by(complaints, "city__code", "received"),
        "as_of": as_of(),
    }


def _sum_by(queryset: QuerySet, key: str, field_name: str) -> list[dict]:
    rows = queryset.order_by().values(key).annotate(n=Sum(field_name)).filter(n__gt=0)
    return sorted(({"key": r[key], "n": r["n"]} for r in rows), key=lambda r: -r["n"])


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
    for row in (
        _incident_like(IncidentRollup.objects.all(), f, daily=not monthly)
        .order_by()
        .values("day", "level")
        .annotate(n=Sum("opened"))
    ):
        opened[row["level"]][bucket(row["day"])] += row["n"]
    received: dict[date, int] = defaultdict(int)
    escalated: dict[date, int] = defaultdict(int)
    for row in (
        _complaints(f, daily=not monthly)
        .order_by()
        .values("day")
        .annotate(received=Sum("received"), escalated=Sum("escalated"))
    ):
        received[bucket(row["day"])] += row["received"]
        escalated[bucket(row["day"])] += row["escalated"]
    return {
        "bucket": "month" if monthly else "day",
        "days": [day.isoformat() for day in starts],
        "ends": [day.isoformat() for day in ends],
        "incidents_opened": {
            level: [opened[level].get(day, 0) for day in starts]
            for level in (Level.RED, Level.ORANGE, Level.YELLOW, Level.NONE)
        },
        "complaints_received": [received.get(d, 0) for d in starts],
        "complaints_escalated": [escalated.get(d, 0) for d in starts],
    }


# --- per department ------------------------------------------------------------------------


@dataclass
class DepartmentFigures:
    department: Department
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


def departments(f: Filters) -> list[DepartmentFigures]:
    """On-time rate per deadline kind, MTTA, MTTR, first-ask resolution rate, satisfaction
    and recurrence rate of each department in the period (those with anything to show)."""
    rows: dict[int, DepartmentFigures] = {}
    names = {d.pk: d for d in Department.objects.all()}

    def of(pk) -> DepartmentFigures | None:
        if pk is None or pk not in names:
            return None
        return rows.setdefault(pk, DepartmentFigures(names[pk]))

    kinds: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in (
        _deadlines(f)
        .order_by()
        .values("department", "kind")
        .annotate(met=Sum("met"), breached=Sum("breached"))
    ):
        figures = of(row["department"])
        if figures is None:
            continue
        figures.met += row["met"]
        figures.due += row["met"] + row["breached"]
        kinds[row["department"]][row["kind"]][0] += row["met"]
        kinds[row["department"]][row["kind"]][1] += row["met"] + row["breached"]
    for row in (
        _incident_like(AckRollup.objects.all(), f)
        .order_by()
        .values("department")
        .annotate(n=Sum("acknowledged"), seconds=Sum("ack_seconds"))
    ):
        if figures := of(row["department"]):
            figures.acknowledged, figures.ack_seconds = row["n"], row["seconds"]
    for row in (
        _incident_like(IncidentRollup.objects.all(), f)
        .order_by()
        .values("department")
        .annotate(
            resolved=Sum("resolved"),
            restored=Sum("restored"),
            seconds=Sum("restore_seconds"),
            closed=Sum("closed"),
            recurred=Sum("recurred"),
        )
    ):
        if figures := of(row["department"]):
            figures.resolved, figures.restored = row["resolved"], row["restored"]
            figures.restore_seconds = row["seconds"]
            figures.closed, figures.recurred = row["closed"], row["recurred"]
    for row in (
        _complaints(f)
        .order_by()
        .values("department")
        .annotate(
            archived=Sum("archived"),
            first_ask=Sum("first_ask"),
            answered=Sum("answered"),
            satisfied=Sum("satisfied"),
            repeated=Sum("repeated"),
        )
    ):
        if figures := of(row["department"]):
            for name in ("archived", "first_ask", "answered", "satisfied", "repeated"):
                setattr(figures, name, row[name])
    for pk, by_kind in kinds.items():
        rows[pk].on_time = {kind: rate(met, due) for kind, (met, due) in sorted(by_kind.items())}
    return sorted(rows.values(), key=lambda figures: figures.department.code)
