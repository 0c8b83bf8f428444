"""The deadline clock's tables: the working-day calendar, policies (rules as data), the
versions of each policy that deadlines started with, and the deadlines running against
records of any app (a generic relation)."""

import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import BilingualName, Department

from . import conditions
from .choices import Clock, DeadlineState, RecordType, Responsible, StartsAt


class CalendarOverride(models.Model):
    """A day whose working status an administrator sets: for a year the statutory calendar
    package does not know yet, or to correct it. An override always wins."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day} {'✓' if self.is_working_day else '✗'}"


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule 节假日安排 an administrator entered: its
    holidays (days off) and make-up working days 调休 are calendar overrides, and every other
    day follows the normal week. Only for a year the ``chinesecalendar`` package does not
    know; the year counts as known from its confirmation on."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Where the schedule comes from, e.g. the notice.")
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class DeadlinePolicy(BilingualName):
    """A time limit as data: which records it applies to, when its clock starts, how long it
    runs, who answers for it. Running deadlines keep the version they started with."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    record_type = models.CharField(_("record"), max_length=20, choices=RecordType.choices)
    applies_when = models.CharField(
        _("applies when"),
        max_length=30,
        default=conditions.ALWAYS,
        help_text=_("A condition of the record's own (its app declares which there are)."),
    )
    starts_at = models.CharField(
        _("clock starts"), max_length=20, choices=StartsAt.choices, default=StartsAt.OPENED
    )
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    amount = models.PositiveIntegerField(
        _("amount"), help_text=_("Minutes, or days for the working-days clock.")
    )
    windows = models.JSONField(
        _("daily windows"),
        default=list,
        blank=True,
        help_text=_('For windowed clocks, e.g. [["09:00", "12:00"], ["14:30", "18:00"]].'),
    )
    reminder_fractions = models.JSONField(
        _("reminders at"),
        default=list,
        blank=True,
        help_text=_("Fractions of the time, e.g. [0.5, 0.8]."),
    )
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=Responsible.choices, default=Responsible.OWNER
    )
    citation = models.CharField(_("source clause"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["record_type", "code"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")

    def clean(self) -> None:
        from .rules import spec_from_snapshot

        if self.applies_when not in dict(conditions.choices(self.record_type)):
            raise ValidationError(
                {"applies_when": _("Not a condition of this kind of record.")}, code="invalid"
            )
        try:
            spec_from_snapshot(self.snapshot())
        except ValueError as error:
            raise ValidationError({"windows": str(error)}) from error

    def snapshot(self) -> dict:
        """What a deadline keeps of this policy when it starts."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "clock": self.clock,
            "amount": self.amount,
            "windows": self.windows,
            "reminder_fractions": self.reminder_fractions,
            "starts_at": self.starts_at,
            "citation": self.citation,
        }


def snapshot_digest(snapshot: dict) -> str:
    """A policy snapshot's content as a key: equal snapshots, equal digests."""
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class DeadlinePolicyVersion(models.Model):
    """One version of a policy, as deadlines started under it keep it: stored once however
    many deadlines refer to it, never changed (editing a policy makes a new version the next
    deadline takes; the running ones keep theirs)."""

    policy = models.ForeignKey(
        DeadlinePolicy,
        verbose_name=_("policy"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="versions",
    )
    digest = models.CharField(_("content digest"), max_length=64, unique=True, editable=False)
    snapshot = models.JSONField(_("policy as it was"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["policy", "created_at"]
        verbose_name = _("deadline policy version")
        verbose_name_plural = _("deadline policy versions")

    def __str__(self) -> str:
        return f"{self.snapshot.get('code', '?')} @ {self.created_at:%Y-%m-%d %H:%M}"


class Deadline(models.Model):
    """One running time limit of one record (incident, complaint, procedure, action item)."""

    # no index of its own: the unique constraint's (content_type, object_id, kind, round)
    # leads with it, and a lone index on it misleads the planner into scanning every deadline
    # of a record type
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # no index of its own either: a query of a kind also names the record (the unique
    # constraint's index), the state or the due time (the indexes below); intake writes two
    # deadlines per complaint, and each index costs
    kind = models.SlugField(_("kind"), max_length=60, db_index=False)
    round = models.PositiveSmallIntegerField(
        _("round"), default=0, help_text=_("A step done again (a re-dispatch, a repeat) runs anew.")
    )
    policy = models.ForeignKey(
        DeadlinePolicy, verbose_name=_("policy"), null=True, on_delete=models.SET_NULL
    )
    policy_version = models.ForeignKey(
        DeadlinePolicyVersion,
        verbose_name=_("policy as it started"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query looks deadlines up by it; each index costs every intake
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(
        _("due"), null=True, blank=True, help_text=_("Empty while the calendar year is unknown.")
    )
    reminders = models.JSONField(_("reminder times"), default=list, blank=True)
    next_reminder_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    # when the breach's consequences (timeline, notifications, violations) were written: the
    # sweep marks breaches first, in one statement per batch, and announces them after
    announced_at = models.DateTimeField(_("breach announced"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.PENDING
    )
    problem = models.CharField(_("problem"), max_length=200, blank=True)
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        on_delete=models.PROTECT,
        db_index=False,  # deadline_department leads with it
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "round"],
                name="one_deadline_per_kind_and_round",
            )
        ]
        indexes = [
            # the sweep: pending deadlines by due time, and by next reminder
            models.Index(
                fields=["due_at"], condition=models.Q(state="pending"), name="deadline_due"
            ),
            models.Index(
                fields=["next_reminder_at"],
                condition=models.Q(state="pending"),
                name="deadline_reminder",
            ),
            models.Index(fields=["responsible_department", "state"], name="deadline_department"),
            # the dashboards' daily rollup of deadlines met and missed, by the day they fell due
            models.Index(fields=["due_at"], name="deadline_by_due"),
            # breaches marked whose consequences are still to be written
            models.Index(
                fields=["breached_at"],
                condition=models.Q(state="breached", announced_at__isnull=True),
                name="deadline_unannounced",
            ),
            # "my deadlines" of a department: its deadlines not met yet, most urgent first
            models.Index(
                fields=["responsible_department", "due_at", "id"],
                condition=models.Q(met_at__isnull=True, state__in=["pending", "breached"]),
                name="deadline_unmet_department",
            ),
            # the dashboards' live counts: deadlines not met yet (overdue, due soon)
            models.Index(
                fields=["due_at", "state"],
                condition=models.Q(met_at__isnull=True, state__in=["pending", "breached"]),
                name="deadline_unmet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.due_at}"

    @property
    def snapshot(self) -> dict:
        """The policy as this deadline started with it (read once per process: versions
        never change)."""
        from .versions import version_snapshot

        return version_snapshot(self)

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        snapshot = self.snapshot
        zh = (get_language() or "zh").startswith("zh")
        return snapshot.get("name_zh" if zh else "name_en") or self.kind

    def breach_payload(self) -> dict[str, object]:
        """What a timeline line about this deadline's breach keeps."""
        return {"due_at": self.due_at.isoformat() if self.due_at else None}

    def due_time_payload(self, year: int) -> dict[str, object]:
        """What a timeline line keeps when the deadline got its due time because ``year``'s
        working days were confirmed (its name in both languages: readers read it in theirs)."""
        assert self.due_at is not None
        return {
            "due_at": self.due_at.isoformat(),
            "calendar_year": year,
            "name_zh": self.snapshot.get("name_zh", ""),
            "name_en": self.snapshot.get("name_en", ""),
        }


def overdue_condition(now=None) -> models.Q:
    """Deadlines missed and still not done: breached by the sweep, or past due and about to
    be. The lists' "overdue" filter."""
    now = now or timezone.now()
    return models.Q(met_at__isnull=True) & (
        models.Q(state=DeadlineState.BREACHED)
        | models.Q(state=DeadlineState.PENDING, due_at__lt=now)
    )


def pending_prefetch() -> models.Prefetch:
    """The records' pending deadlines, most urgent first, as ``record.pending_deadlines``: a
    list row shows the first. A list of its own rather than the relation's cache, which
    Django fills by building a queryset for every record."""
    return models.Prefetch(
        "deadlines",
        queryset=Deadline.objects.filter(state=DeadlineState.PENDING, met_at__isnull=True).order_by(
            "due_at", "id"
        ),
        to_attr="pending_deadlines",
    )


def overdue_records(model) -> models.QuerySet:
    """The ids of ``model``'s records with an overdue deadline (a subquery)."""
    return Deadline.objects.filter(
        overdue_condition(), content_type=ContentType.objects.get_for_model(model)
    ).values("object_id")
