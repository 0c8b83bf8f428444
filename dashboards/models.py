"""Daily rollups behind the dashboards: small tables summed per request instead of the big
ones. Each row counts what happened on its day (in the deployment's time zone) for one
combination of the filters; a periodic job recomputes recent days from the base tables.

Every day row is also summed into a month row (``grain`` month, ``day`` the first of the
month) whenever a day of that month is recomputed, so that a long period reads a dozen
months and the few days at its edges instead of hundreds of days.

Incidents touch several cities: their rows exist once per city and once with no city ("all
cities"), so that a city filter and the province total are both exact."""

from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import City, Department


class _Day(models.Model):
    day = models.DateField(_("day"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day}"


class Grain(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")


def month_of(day: date) -> tuple[date, date]:
    """The first and the last day of ``day``'s month: a month row is kept under the first."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


class _Rollup(_Day):
    grain = models.CharField(_("grain"), max_length=5, choices=Grain.choices, default=Grain.DAY)

    class Meta:
        abstract = True


class IncidentRollup(_Rollup):
    department = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+"
    )  # the owning department
    city = models.ForeignKey(City, null=True, on_delete=models.CASCADE, related_name="+")
    business_line = models.CharField(max_length=30)
    level = models.CharField(max_length=10)
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    restored = models.PositiveIntegerField(default=0)  # resolved with a restoration time
    restore_seconds = models.BigIntegerField(default=0)  # occurrence → service restored
    closed = models.PositiveIntegerField(default=0)
    recurred = models.PositiveIntegerField(default=0)  # closed, and a recurrence

    class Meta:
        indexes = [models.Index(fields=["grain", "day", "city"], name="incident_rollup_day")]


class AckRollup(_Rollup):
    """Alert acknowledgments, by the department of the person who acknowledged."""

    department = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+"
    )
    city = models.ForeignKey(City, null=True, on_delete=models.CASCADE, related_name="+")
    business_line = models.CharField(max_length=30)
    level = models.CharField(max_length=10)
    acknowledged = models.PositiveIntegerField(default=0)
    ack_seconds = models.BigIntegerField(default=0)  # first publication → acknowledgment

    class Meta:
        indexes = [models.Index(fields=["grain", "day", "city"], name="ack_rollup_day")]


class ComplaintRollup(_Rollup):
    """Complaints, by handling department (else the first-ask department), city and line."""

    department = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    business_line = models.CharField(max_length=30)
    received = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    first_ask = models.PositiveIntegerField(default=0)  # archived at the first ask, satisfied
    answered = models.PositiveIntegerField(default=0)  # archived with a satisfaction answer
    satisfied = models.PositiveIntegerField(default=0)
    repeated = models.PositiveIntegerField(default=0)  # archived after being reopened

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="complaint_rollup_day")]


class DeadlineRollup(_Rollup):
    """Deadlines by the day they fell due: met in time, or missed."""

    department = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.SlugField(max_length=60)
    met = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="deadline_rollup_day")]


class ProvinceRollup(_Rollup):
    """The province's figures by department and level, summed over cities and business lines
    from the rollups above as they are computed: what the per-department table and the
    trends read when no city or business line is chosen (a few rows a day instead of one per
    city and line). Incident and acknowledgment counters are kept under the incident's level;
    complaint counters, which have no level, under the empty level. Each counter counts by
    the department its own rollup does (owning, acknowledging, handling)."""

    department = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(max_length=10, blank=True)
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    restored = models.PositiveIntegerField(default=0)
    restore_seconds = models.BigIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    recurred = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    ack_seconds = models.BigIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    first_ask = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    repeated = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="province_rollup_day")]


#: ProvinceRollup's counters, by the rollup each comes from
PROVINCE_COUNTERS = {
    "incident": ("opened", "resolved", "restored", "restore_seconds", "closed", "recurred"),
    "ack": ("acknowledged", "ack_seconds"),
    "complaint": (
        "received",
        "escalated",
        "archived",
        "first_ask",
        "answered",
        "satisfied",
        "repeated",
    ),
}


class RollupRun(_Day):
    """When each day's rollup was last computed (the dashboards say how fresh they are)."""

    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day"], name="one_run_per_day")]
