"""Accountability 考核问责: the penalty catalogue, violations and their procedure, the monthly
assessment, department grading, the working group's supervision samples (seeds 001 – 004)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from complaints.models import Complaint
from core.links import record_url
from incidents.models import Incident
from organisation.models import BilingualName, Department

from .workflow import ViolationWorkflow


class Doubling(models.TextChoices):
    NONE = "", _("Never")
    CUSTOMER_LEFT = "customer_left", _("When the key customer leaves")
    REPEAT_COMPLAINT = "repeat_complaint", _("When the customer complains again")


class PricedPer(models.TextChoices):
    """What a rule's yuan is counted by: each occurrence, or each hour or day late, the count
    taken from the breach itself (seed 003 第九条(一)12: 每时考核8元)."""

    OCCURRENCE = "occurrence", _("Each occurrence")
    HOUR = "hour", _("Each hour late")
    DAY = "day", _("Each day late")


class Target(models.TextChoices):
    """Who pays a rule's yuan (seed 003) — the rest of the cascade is in points."""

    PERSON = "person", _("The responsible person")
    DEPARTMENT_HEAD = "department_head", _("The department head")


class PenaltyRule(BilingualName):
    """One row of the catalogue: seed 003's yuan schedule, seed 002's first-ask penalties,
    with seed 004's cascaded points where a grade is set."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    citation = models.CharField(_("source clause"), max_length=100)
    yuan = models.PositiveIntegerField(_("yuan"), default=0)
    yuan_subsequent = models.PositiveIntegerField(
        _("yuan for each later one"),
        null=True,
        blank=True,
        help_text=_("“First 1,000, then 2,000 each”: the later occurrences in one period."),
    )
    priced_per = models.CharField(
        _("priced per"), max_length=20, choices=PricedPer.choices, default=PricedPer.OCCURRENCE
    )
    doubles_when = models.CharField(
        _("doubled"), max_length=20, choices=Doubling.choices, blank=True, default=Doubling.NONE
    )
    target = models.CharField(
        _("paid by"), max_length=20, choices=Target.choices, default=Target.PERSON
    )
    bonus_months_min = models.PositiveSmallIntegerField(_("bonus months, at least"), default=0)
    bonus_months_max = models.PositiveSmallIntegerField(_("bonus months, at most"), default=0)
    circulated_criticism = models.BooleanField(_("circulated criticism"), default=False)
    cascade_grade = models.PositiveSmallIntegerField(
        _("cascade grade"),
        null=True,
        blank=True,
        choices=[(1, "1"), (2, "2"), (3, "3")],
        help_text=_(
            "Points along the line of responsibility (the regulations' accident grades), if any."
        ),
    )
    triggers = models.JSONField(
        _("created automatically on"),
        default=list,
        blank=True,
        help_text=_(
            'Facts that create a violation of this rule, e.g. ["deadline:incident-explanation", '
            '"escalation:ministry", "complaint:returned"].'
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("penalty rule")
        verbose_name_plural = _("penalty rules")


class CascadeGrade(models.Model):
    """Points along the line of responsibility per grade (seed 004 事故等级划分及扣分标准)."""

    grade = models.PositiveSmallIntegerField(_("grade"), unique=True)
    responsible = models.PositiveSmallIntegerField(_("responsible person"))
    department_head = models.PositiveSmallIntegerField(_("department head"))
    direct_superior = models.PositiveSmallIntegerField(_("direct superior"))
    superior_of_superior = models.PositiveSmallIntegerField(_("superior's superior"))

    class Meta:
        ordering = ["grade"]
        verbose_name = _("cascade grade")
        verbose_name_plural = _("cascade grades")

    def __str__(self) -> str:
        points = (
            self.responsible,
            self.department_head,
            self.direct_superior,
            self.superior_of_superior,
        )
        return f"{self.grade}: " + "/".join(str(p) for p in points)


class ViolationState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INSPECTING = "inspecting", _("Self-inspection requested")
    REPORTED = "reported", _("Self-inspection reported")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    PUBLISHED = "published", _("Published")


class Violation(ViolationWorkflow, ConcurrentTransitionMixin, models.Model):
    """A breach of a rule, with its evidence and who answers for it."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    rule = models.ForeignKey(PenaltyRule, verbose_name=_("rule"), on_delete=models.PROTECT)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    evidence = GenericForeignKey("content_type", "object_id")
    evidence_key = models.CharField(
        _("evidence"), max_length=120, help_text=_("What the violation rests on; once per rule.")
    )
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="violations",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("breached deadline"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    units_late = models.PositiveIntegerField(
        _("hours or days late"),
        default=0,
        help_text=_("Counted from the breached deadline when the violation is determined."),
    )
    doubled = models.BooleanField(_("doubled"), default=False)
    automatic = models.BooleanField(_("found by the platform"), default=True)
    state = FSMField(
        _("state"),
        max_length=20,
        choices=ViolationState.choices,
        default=ViolationState.PROPOSED,
        protected=True,
    )
    determination = models.TextField(_("determination"), blank=True)
    determined_at = models.DateTimeField(_("determined"), null=True, blank=True)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        "MonthlyAssessment",
        verbose_name=_("monthly assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    deadlines = GenericRelation("deadlines.Deadline", related_query_name="violation")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "evidence_key"], name="one_violation_per_evidence"
            )
        ]
        indexes = [models.Index(fields=["department", "state"], name="violation_department")]

    def __str__(self) -> str:
        return f"{self.number} {self.rule}"

    def get_absolute_url(self) -> str:
        return record_url("accountability:violation", self.pk)


class ShareRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible person")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    DIRECT_SUPERIOR = "direct_superior", _("Direct superior")
    SUPERIOR_OF_SUPERIOR = "superior_of_superior", _("Superior's superior")


class ViolationShare(models.Model):
    """What one person (or the department) bears of a confirmed violation."""

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("as"), max_length=30, choices=ShareRole.choices)
    yuan = models.PositiveIntegerField(_("yuan"), default=0)
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    bonus_months = models.PositiveSmallIntegerField(_("bonus months"), default=0)
    circulated_criticism = models.BooleanField(_("circulated criticism"), default=False)

    class Meta:
        ordering = ["violation", "id"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")

    def __str__(self) -> str:
        return f"{self.violation.number} {self.get_role_display()}"


class InteractionForm(models.Model):
    """互动单: the CS centre's report of a suspected first-ask violation to marketing, with the
    fields of seed 002."""

    violation = models.OneToOneField(
        Violation, on_delete=models.PROTECT, related_name="interaction_form"
    )
    responsible_person = models.CharField(_("first-ask person"), max_length=100)
    customer_name = models.CharField(_("customer"), max_length=100)
    complaint_reason = models.TextField(_("complaint reason"))
    violation_description = models.TextField(_("description of the violation"))
    cs_opinion = models.TextField(_("CS centre opinion"))
    cs_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("CS centre signature"),
    )
    cs_signed_at = models.DateField(_("CS centre date"))
    marketing_opinion = models.TextField(_("marketing opinion"), blank=True)
    marketing_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("marketing signature"),
    )
    marketing_signed_at = models.DateField(_("marketing date"), null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=30)

    class Meta:
        verbose_name = _("interaction form")
        verbose_name_plural = _("interaction forms")

    def __str__(self) -> str:
        return f"互动单 {self.violation.number}"


class SelfInspectionReport(models.Model):
    """The unit's self-inspection report 自查报告, naming the responsible person, or disputing."""

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="reports")
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disputed = models.BooleanField(_("the unit disputes the violation"), default=False)
    findings = models.TextField(_("findings"))
    evidence = models.TextField(_("evidence"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("self-inspection report")
        verbose_name_plural = _("self-inspection reports")

    def __str__(self) -> str:
        return f"{self.violation.number} {self.submitted_at:%Y-%m-%d}"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class MonthlyAssessment(models.Model):
    """月考评: one period's confirmed items, approved by the assessment committee, published
    and then frozen (corrections are new items of a later period)."""

    period = models.CharField(_("period"), max_length=7, unique=True, help_text="YYYY-MM")
    state = models.CharField(
        _("state"), max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(_("published figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("monthly assessment")
        verbose_name_plural = _("monthly assessments")

    def __str__(self) -> str:
        return self.period


class GradeRule(models.Model):
    """Department grading (seed 004 pattern): a grade needs this score and none of its vetoes."""

    grade = models.PositiveSmallIntegerField(_("grade"), unique=True)
    min_score = models.PositiveSmallIntegerField(_("at least"))
    vetoes = models.JSONField(
        _("vetoed by"),
        default=list,
        blank=True,
        help_text=_('e.g. ["owned_red_incident", "circulated_criticism", "ministry_complaint"]'),
    )

    class Meta:
        ordering = ["grade"]
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")

    def __str__(self) -> str:
        return f"{self.grade}: ≥{self.min_score}"


class SupervisionSample(models.Model):
    """The working group's random draw of closed cases for review (seed 001 §五)."""

    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(default=timezone.now)
    since = models.DateField(_("closed since"))
    until = models.DateField(_("closed until"))
    size = models.PositiveSmallIntegerField(_("sample size"))
    seed = models.CharField(_("random seed"), max_length=40)

    class Meta:
        ordering = ["-drawn_at"]
        verbose_name = _("supervision sample")
        verbose_name_plural = _("supervision samples")

    def __str__(self) -> str:
        return f"{self.drawn_at:%Y-%m-%d} ({self.size})"


class SampleReview(models.Model):
    """One drawn case and what its review found."""

    sample = models.ForeignKey(SupervisionSample, on_delete=models.CASCADE, related_name="reviews")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    compliant = models.BooleanField(_("handled as required"), null=True)
    findings = models.TextField(_("findings"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("sample review")
        verbose_name_plural = _("sample reviews")

    def __str__(self) -> str:
        record = self.incident or self.complaint
        return str(record)
