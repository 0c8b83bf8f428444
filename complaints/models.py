"""Complaints 投诉: a customer's complaint or ticket 工单, from intake to archive, its own
timeline, the departments convened on it, possible mass complaints and who read a customer's
personal data (seed 002, seed 003 考核, seed 004)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from core.links import record_url
from core.models import AppendOnlyEvent
from incidents.choices import BusinessLine
from incidents.models import Incident
from maintenance.models import PlannedWork
from organisation.models import City, Department

from .choices import ComplaintChannel, ComplaintState, Escalation, Satisfaction, Severity
from .workflow import ComplaintWorkflow


def _where_set(field: str) -> models.Q:
    return models.Q(**{f"{field}__isnull": False})


class Complaint(ComplaintWorkflow, ConcurrentTransitionMixin, models.Model):
    """A customer complaint 投诉 / ticket 工单, taken by the hotline or posted by a system.

    Its first receiver stays its first-ask owner 首问责任人 until the customer is satisfied
    (seed 002)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    api_key = models.ForeignKey(
        "organisation.ApiKey",
        verbose_name=_("posted with API key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # complaint_api_key below: a text key needs no pattern index
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ComplaintChannel.choices)
    customer_name = models.CharField(_("customer name"), max_length=100)
    customer_phone = models.CharField(_("contact phone"), max_length=30)
    customer_account = models.CharField(_("account"), max_length=50)
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300)
    business_line = models.CharField(
        _("business line"), max_length=30, choices=BusinessLine.choices
    )
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("details"))
    is_vip = models.BooleanField(_("VIP / key customer"), default=False)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by (employee)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # complaint_referred_by: only the referrals
    )
    escalation = models.CharField(
        _("escalation"), max_length=30, choices=Escalation.choices, default=Escalation.NONE
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,  # complaint_linked leads with it
    )
    planned_work = models.ForeignKey(
        PlannedWork,
        verbose_name=_("planned work"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        help_text=_("Announced work in the complaint's city and business line, open when taken."),
        db_index=False,  # complaint_planned_work: only the complaints it explains
    )
    state = FSMField(
        _("state"),
        max_length=20,
        choices=ComplaintState.choices,
        default=ComplaintState.RECEIVED,
        protected=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,  # complaint_dispatched leads with it
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first-responsible handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # complaint_handler: only the complaints handed to someone
    )
    first_ask_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first-ask owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_ask_department = models.ForeignKey(
        Department,
        verbose_name=_("first-ask department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # complaint_taken_newest leads with it
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    repeat_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    round = models.PositiveSmallIntegerField(
        _("round"),
        default=0,
        help_text=_("Counts dispatches and repeats; each runs its limits anew."),
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    deadlines = GenericRelation("deadlines.Deadline", related_query_name="complaint")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "external_id"],
                condition=~models.Q(external_id=""),
                name="external_id_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["customer_phone", "created_at"], name="complaint_by_phone"),
            # search: by account; the text's GIN index is PostgreSQL's alone (migration 0007)
            models.Index(fields=["customer_account"], name="complaint_by_account"),
            models.Index(fields=["business_line", "city", "created_at"], name="complaint_mass"),
            # A column that is empty when a complaint is taken is indexed where it is set:
            # intake (thousands an hour in a storm) maintains none of these, and every read
            # by them names a value, so the partial index serves it.
            models.Index(
                fields=["department", "state"],
                condition=_where_set("department"),
                name="complaint_dispatched",
            ),
            models.Index(
                fields=["incident", "created_at"],
                condition=_where_set("incident"),
                name="complaint_linked",
            ),
            models.Index(
                fields=["planned_work"],
                condition=_where_set("planned_work"),
                name="complaint_planned_work",
            ),
            models.Index(
                fields=["handler"], condition=_where_set("handler"), name="complaint_handler"
            ),
            models.Index(
                fields=["referred_by"],
                condition=_where_set("referred_by"),
                name="complaint_referred_by",
            ),
            models.Index(
                fields=["archived_at"],
                condition=_where_set("archived_at"),
                name="complaint_archived",
            ),
            models.Index(fields=["api_key"], name="complaint_api_key"),
            # the lists' order (newest first, cursor by cursor), and the open ones' alone
            models.Index(fields=["created_at", "id"], name="complaint_newest"),
            models.Index(
                fields=["created_at", "id"],
                condition=~models.Q(state="archived"),
                name="complaint_open_newest",
            ),
            # a department's list read branch by branch (core.keyset.keyset_page): what it
            # handles and what it took, each newest first
            models.Index(
                fields=["department", "created_at", "id"],
                condition=_where_set("department"),
                name="complaint_dispatched_newest",
            ),
            models.Index(
                fields=["first_ask_department", "created_at", "id"], name="complaint_taken_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    def get_absolute_url(self) -> str:
        return record_url("complaints:detail", self.pk)

    @property
    def is_escalated(self) -> bool:
        return self.escalation != Escalation.NONE


#: Complaints that came through an escalation channel 升级投诉 (the default is ``none``).
ESCALATED = ~models.Q(escalation=Escalation.NONE)


class ComplaintCooperation(models.Model):
    """A department convened on a cross-department complaint, with its written assignment;
    it shares the liability (seed 002)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="cooperations")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    assignment = models.TextField(_("written assignment"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("complaint cooperation")
        verbose_name_plural = _("complaint cooperations")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "department"], name="convene_once")
        ]

    def __str__(self) -> str:
        return f"{self.complaint.number} + {self.department}"


class MassComplaintRule(models.Model):
    """Mass-complaint detection as data: ≥ ``threshold`` complaints of one business line and
    city within ``window_minutes`` that match no open incident alert the CS department."""

    business_line = models.CharField(
        _("business line"),
        max_length=30,
        choices=BusinessLine.choices,
        blank=True,
        help_text=_("Empty: every business line."),
    )
    threshold = models.PositiveIntegerField(_("complaints"), default=20)
    window_minutes = models.PositiveIntegerField(_("within minutes"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    # the sweep's watermark: the moment up to which it has read this rule's complaints
    swept_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mass-complaint rule")
        verbose_name_plural = _("mass-complaint rules")

    def __str__(self) -> str:
        line = self.get_business_line_display() if self.business_line else _("every business line")
        return _("≥%(threshold)s in %(minutes)s minutes, %(line)s") % {
            "threshold": self.threshold,
            "minutes": self.window_minutes,
            "line": line,
        }


class MassComplaintCluster(models.Model):
    """Complaints that look like a mass event nobody has raised yet: offered to the CS
    department as a prefilled incident."""

    business_line = models.CharField(
        _("business line"), max_length=30, choices=BusinessLine.choices
    )
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="+"
    )
    complaints = models.ManyToManyField(
        Complaint, verbose_name=_("complaints"), related_name="clusters"
    )
    detected_at = models.DateTimeField(_("detected"), default=timezone.now)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("possible mass complaint")
        verbose_name_plural = _("possible mass complaints")

    def __str__(self) -> str:
        detected = timezone.localtime(self.detected_at)
        return f"{self.city} {self.get_business_line_display()} {detected:%m-%d %H:%M}"


class PersonalDataRead(models.Model):
    """Who read a customer's full phone number or account, when (privacy log)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    where = models.CharField(max_length=50)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("personal-data read")
        verbose_name_plural = _("personal-data reads")

    def __str__(self) -> str:
        return f"{self.user} {self.complaint_id} {self.at:%Y-%m-%d %H:%M}"


class ComplaintEvent(AppendOnlyEvent):
    """What happened to a complaint, when and by whom."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("State changed")
        COOPERATION = "cooperation", _("Department joined")
        DEADLINE = "deadline", _("Deadline missed")
        DUE_TIME = "due_time", _("Due time set")
        LINKED = "linked", _("Linked to an incident")
        ASSIGNEE = "assignee", _("Assigned")
        ATTACHMENT = "attachment", _("File attached")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
