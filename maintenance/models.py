"""Planned work 计划性工作 / 割接: network upgrades, optimisation and cable or box work that
affect customers, approved and announced in writing to the departments concerned before it
starts (seed 003 第八条8: 未要点、审批手续不全或未提前书面申告相关部门, 考核责任部门200元)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from core.models import AppendOnlyEvent
from incidents.choices import BusinessLine
from organisation.models import City, Department

from .workflow import PlannedWorkWorkflow


class PlannedWorkKind(models.TextChoices):
    UPGRADE = "upgrade", _("Network upgrade")
    OPTIMISATION = "optimisation", _("Network optimisation")
    CABLE_BOX = "cable_box", _("Cable and box work")
    OTHER = "other", _("Other planned work")


class PlannedWorkState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved and announced")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    UNANNOUNCED = "unannounced", _("Done without announcement")


class LateReason(models.TextChoices):
    NONE = "", _("Announced in time")
    SUBMITTED_AFTER_START = "submitted_after_start", _("Submitted after its window had started")
    UNANNOUNCED = "unannounced", _("Found behind a fault, never announced")


#: States in which the work is announced: its window excuses the complaints it causes.
ANNOUNCED_STATES = (PlannedWorkState.APPROVED, PlannedWorkState.COMPLETED)


class PlannedWork(PlannedWorkWorkflow, ConcurrentTransitionMixin, models.Model):
    """A piece of planned work 计划性工作 (割接): what, where, when, the customers it
    affects, the department that owns it; approved by the customer-service department and
    announced in writing to the departments concerned before its window opens."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("what"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlannedWorkKind.choices)
    description = models.TextField(_("details"), blank=True)
    cities = models.ManyToManyField(City, verbose_name=_("cities"), related_name="+")
    districts = models.CharField(
        _("districts"), max_length=300, blank=True, help_text=_("Counties, districts, streets.")
    )
    business_lines = models.JSONField(_("business lines"), default=list)
    starts_at = models.DateTimeField(_("window starts"))
    ends_at = models.DateTimeField(_("window ends"))
    customer_impact = models.TextField(_("expected customer impact"))
    customers_affected = models.PositiveIntegerField(_("customers affected"), default=0)
    owning_department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="planned_work",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    state = FSMField(
        _("state"),
        max_length=20,
        choices=PlannedWorkState.choices,
        default=PlannedWorkState.DRAFT,
        protected=True,
    )
    late = models.CharField(
        _("announcement"), max_length=30, choices=LateReason.choices, blank=True, default=""
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("decision"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # when the complaints it caused were counted after all (it overran), so they count once
    overrun_counted_at = models.DateTimeField(_("overrun counted"), null=True, blank=True)
    announced_to = models.ManyToManyField(
        Department, verbose_name=_("announced to"), blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("fault it caused"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("planned work")
        verbose_name_plural = _("planned work")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="planned_work_window_order"
            ),
        ]
        indexes = [models.Index(fields=["state", "starts_at", "ends_at"], name="planned_open")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("maintenance:detail", kwargs={"pk": self.pk})

    def get_business_lines_display(self) -> str:
        labels = dict(BusinessLine.choices)
        return ", ".join(str(labels.get(line, line)) for line in self.business_lines)

    @property
    def overran(self) -> bool:
        """Ended after its window, or still not done once it has closed."""
        if self.completed_at is not None:
            return self.completed_at > self.ends_at
        return self.state == PlannedWorkState.APPROVED and timezone.now() > self.ends_at

    def excuses_complaints(self, now=None) -> bool:
        """Announced and keeping its window: the complaints it causes count toward no
        incident level and no mass complaint."""
        if self.state not in ANNOUNCED_STATES:
            return False
        if self.completed_at is not None:
            return self.completed_at <= self.ends_at
        return (now or timezone.now()) <= self.ends_at


def works_keeping_window(now) -> Q:
    """:meth:`PlannedWork.excuses_complaints` as a condition on planned work."""
    return Q(state__in=ANNOUNCED_STATES) & (
        Q(completed_at__lte=F("ends_at")) | Q(completed_at__isnull=True, ends_at__gte=now)
    )


class PlannedWorkEvent(AppendOnlyEvent):
    """What happened to a piece of planned work, when and by whom."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        CHANGED = "changed", _("Changed")
        TRANSITION = "transition", _("State changed")
        ANNOUNCED = "announced", _("Announced")
        OVERRUN = "overrun", _("Ran past its window: its complaints count")

    work = models.ForeignKey(PlannedWork, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("planned-work event")
        verbose_name_plural = _("planned-work events")
