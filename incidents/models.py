"""Incidents 事件: service-quality events, their warning level, workflow, timeline and
submissions (seed 000 第四条 – 第十二条)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from core.links import record_url
from core.models import AppendOnlyEvent
from incidents.choices import (
    ActionItemState,
    BusinessLine,
    CancelReason,
    Factor,
    HandlingMode,
    HqLevel,
    Involvement,
    Level,
    Operator,
    ProblemKind,
    Publicity,
    Source,
    State,
    SubmissionKind,
)
from organisation.models import BilingualName, City, Department

from .workflow import LIVE_STATES, ActionItemWorkflow, IncidentWorkflow


class ClassificationRuleSet(models.Model):
    """One version of the warning-level matrix. Never edited in place: a change is a new
    version, and every incident records the version that classified it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        verbose_name = _("warning-level rule set")
        verbose_name_plural = _("warning-level rule sets")

    def __str__(self) -> str:
        return f"v{self.version}"


class ClassificationRule(models.Model):
    """One cell of 表-1: ``factor operator threshold`` gives ``level``."""

    rule_set = models.ForeignKey(
        ClassificationRuleSet, on_delete=models.CASCADE, related_name="rules"
    )
    factor = models.CharField(_("factor"), max_length=30, choices=Factor.choices)
    problem_kind = models.CharField(
        _("problem kind"),
        max_length=20,
        choices=ProblemKind.choices,
        default=ProblemKind.ANY,
        help_text=_("Customers affected: network/support problems have their own thresholds."),
    )
    level = models.CharField(
        _("level"), max_length=10, choices=[c for c in Level.choices if c[0] != Level.NONE]
    )
    operator = models.CharField(_("operator"), max_length=3, choices=Operator.choices)
    threshold = models.CharField(
        _("threshold"),
        max_length=30,
        help_text=_("A number, or for publicity / HQ level the value that fires the rule."),
    )
    citation = models.CharField(_("source clause"), max_length=100, blank=True)

    class Meta:
        ordering = ["factor", "problem_kind", "level"]
        verbose_name = _("warning-level rule")
        verbose_name_plural = _("warning-level rules")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "factor", "problem_kind", "level"], name="one_rule_per_cell"
            )
        ]

    def __str__(self) -> str:
        threshold: object = self.threshold
        if self.factor == Factor.PUBLICITY and threshold in Publicity.values:
            threshold = Publicity(threshold).label
        elif self.factor == Factor.HQ_LEVEL and threshold in HqLevel.values:
            threshold = HqLevel(threshold).label
        return (
            f"{self.get_factor_display()} {self.get_operator_display()} {threshold}"
            f" → {self.get_level_display()}"
        )

    def clean(self) -> None:
        numeric = self.factor not in (Factor.PUBLICITY, Factor.HQ_LEVEL)
        if numeric and not self.threshold.isdigit():
            raise ValidationError({"threshold": _("This factor needs a whole number.")})
        if self.factor == Factor.PUBLICITY and self.threshold not in Publicity.values:
            raise ValidationError({"threshold": _("Use one of: %s") % ", ".join(Publicity.values)})
        if self.factor == Factor.HQ_LEVEL and self.threshold not in HqLevel.values:
            raise ValidationError({"threshold": _("Use one of: %s") % ", ".join(HqLevel.values)})


class BusinessLineOwner(models.Model):
    """Which department owns (and heads the professional line of) a business line."""

    business_line = models.CharField(
        _("business line"), max_length=30, choices=BusinessLine.choices, unique=True
    )
    department = models.ForeignKey(
        Department, verbose_name=_("owning department"), on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["business_line"]
        verbose_name = _("business-line owner")
        verbose_name_plural = _("business-line owners")

    def __str__(self) -> str:
        return f"{self.get_business_line_display()} → {self.department}"


class InvolvementDepartment(models.Model):
    """Media or legal involvement brings in a cooperating department (seed 000 第十条)."""

    involvement = models.CharField(_("involvement"), max_length=10, choices=Involvement.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("involvement department")
        verbose_name_plural = _("involvement departments")
        constraints = [
            models.UniqueConstraint(
                fields=["involvement", "department"], name="one_per_involvement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_involvement_display()} → {self.department}"


class Incident(IncidentWorkflow, ConcurrentTransitionMixin, models.Model):
    """A service-quality incident 重大业务服务质量事件."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    business_line = models.CharField(
        _("business line"), max_length=30, choices=BusinessLine.choices
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    hq_level = models.CharField(
        _("HQ level"), max_length=10, choices=HqLevel.choices, blank=True, default=HqLevel.NONE
    )
    cities = models.ManyToManyField(City, verbose_name=_("cities"), blank=True, related_name="+")
    customers_affected = models.PositiveIntegerField(_("customers affected"), default=0)
    publicity = models.CharField(
        _("publicity"), max_length=20, choices=Publicity.choices, default=Publicity.NONE
    )
    legal_involved = models.BooleanField(_("legal involvement"), default=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    detected_at = models.DateTimeField(_("detected at"))

    owning_department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="owned_incidents",
    )
    cooperating_departments = models.ManyToManyField(
        Department,
        verbose_name=_("cooperating departments"),
        through="Cooperation",
        related_name="cooperating_incidents",
        blank=True,
    )
    handling_mode = models.CharField(
        _("handling mode"), max_length=10, choices=HandlingMode.choices, default=HandlingMode.POINT
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # incident_assignee leads with it
        help_text=_("The person of the owning department working on the incident."),
    )

    state = FSMField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED, protected=True
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.NONE)
    level_reasons = models.JSONField(_("level reasons"), default=list, blank=True)
    rule_set = models.ForeignKey(
        ClassificationRuleSet,
        verbose_name=_("classified by rule set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )

    cancel_reason = models.CharField(
        _("cancel reason"), max_length=20, choices=CancelReason.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
    )
    root_cause_category = models.ForeignKey(
        "RootCauseCategory",
        verbose_name=_("root-cause category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("recurrence of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, db_index=True)
    restored_at = models.DateTimeField(_("service restored"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    deadlines = GenericRelation("deadlines.Deadline", related_query_name="incident")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["state", "level"]),
            models.Index(fields=["owning_department", "state"]),
            models.Index(fields=["assignee", "state"], name="incident_assignee"),  # my work
            models.Index(fields=["business_line", "created_at"]),
            # the lists' order (newest first, cursor by cursor), and the live ones' alone
            models.Index(fields=["created_at", "id"], name="incident_newest"),
            # a department's list read branch by branch (core.keyset): what it owns and what
            # each of its people reported, newest first
            models.Index(
                fields=["owning_department", "created_at", "id"], name="incident_department_newest"
            ),
            models.Index(
                fields=["created_by", "created_at", "id"], name="incident_reported_newest"
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(state__in=LIVE_STATES),
                name="incident_live_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("incidents:detail", self.pk)


class Cooperation(models.Model):
    """A department working on an incident beside the owner, with its written assignment."""

    class Reason(models.TextChoices):
        MEDIA = "media", _("Media involvement")
        LEGAL = "legal", _("Legal involvement")
        LINE = "line", _("Professional-line escalation")
        PLANE = "plane", _("Cross-department coordination")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="cooperations")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices)
    assignment = models.TextField(_("written assignment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("cooperating department")
        verbose_name_plural = _("cooperating departments")
        constraints = [
            models.UniqueConstraint(fields=["incident", "department"], name="cooperate_once")
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_reason_display()})"


class IncidentDailyCount(models.Model):
    """Complaints linked to an incident per day (deployment time zone): the facts behind the
    complaint and escalation rows of 表-1, kept current in the transaction that links them."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="daily_counts")
    day = models.DateField()
    complaints = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "day"], name="one_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.complaints} / {self.escalated}"


class TimelineEvent(AppendOnlyEvent):
    """What happened to an incident, when and by whom (a complaint's timeline is its own)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("State changed")
        LEVEL = "level", _("Level changed")
        FACTS = "facts", _("Facts changed")
        SUBMISSION = "submission", _("Submission")
        OWNER = "owner", _("Owner changed")
        COOPERATION = "cooperation", _("Department joined")
        DEADLINE = "deadline", _("Deadline missed")
        DUE_TIME = "due_time", _("Due time set")
        IMPROVEMENT = "improvement", _("Rectification")
        ASSIGNEE = "assignee", _("Assigned")
        ATTACHMENT = "attachment", _("File attached")
        RELAYED = "relayed", _("Warning passed on and phoned")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")


class Submission(models.Model):
    """A structured text the workflow requires; each change is a new version."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(_("kind"), max_length=30, choices=SubmissionKind.choices)
    version = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "version"], name="one_submission_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class RootCauseCategory(BilingualName):
    """What kind of root cause an incident had (data): with the business line and the cities,
    it tells whether an incident recurs."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("root-cause category")
        verbose_name_plural = _("root-cause categories")


class RecurrenceRule(models.Model):
    """An incident recurs when a closed incident of its business line and root-cause category
    touched one of its cities within ``days`` (data; the first row is used)."""

    days = models.PositiveIntegerField(_("within days"), default=90)

    class Meta:
        verbose_name = _("recurrence rule")
        verbose_name_plural = _("recurrence rules")

    def __str__(self) -> str:
        return f"{self.days}"


class ActionItem(ActionItemWorkflow, ConcurrentTransitionMixin, models.Model):
    """One measure of an incident's rectification plan 整改措施, tracked to verification."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="action_items")
    title = models.CharField(_("measure"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    owner_department = models.ForeignKey(
        Department, verbose_name=_("owner department"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    state = FSMField(
        _("state"),
        max_length=10,
        choices=ActionItemState.choices,
        default=ActionItemState.OPEN,
        protected=True,
    )
    evidence = models.TextField(_("evidence of completion"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified / waived"), null=True, blank=True)
    waiver_reason = models.TextField(_("why waived"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    deadlines = GenericRelation("deadlines.Deadline", related_query_name="action_item")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["owner_department", "state"], name="action_item_department")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url() + "#action-items"

    @property
    def number(self) -> str:
        return f"{self.incident.number} · {self.title}"

    @property
    def is_settled(self) -> bool:
        return self.state in (ActionItemState.VERIFIED, ActionItemState.WAIVED)
