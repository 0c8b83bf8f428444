"""The headquarters exchange 总部: the warnings HQ sends in (kept as received) and the reports
that go up to the leadership and to HQ (seed 000 第八条(一), 第九条, 第十一条, 第十二条)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, Submission
from notifications.models import ENDPOINT_CHANNELS, Channel, Endpoint

from .choices import WARNING_LEVELS, Intake, ReportKind, ReportState


class HqWarning(models.Model):
    """A warning 总部预警信息 as HQ sent it: its reference (one incident per reference), level,
    text, when HQ sent it, and the message exactly as it arrived (body and attachment)."""

    reference = models.CharField(_("HQ reference"), max_length=100, unique=True)
    level = models.CharField(_("HQ level"), max_length=10, choices=WARNING_LEVELS)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    sent_at = models.DateTimeField(_("sent by HQ"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    intake = models.CharField(_("received through"), max_length=10, choices=Intake.choices)
    raw = models.BinaryField(_("message as received"))
    attachment_name = models.CharField(_("attachment"), max_length=200, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    attachment = models.BinaryField(_("attachment content"), blank=True, default=b"")
    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="hq_warning"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("HQ warning")
        verbose_name_plural = _("HQ warnings")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def raw_text(self) -> str:
        return bytes(self.raw).decode("utf-8", "replace")


class ReportRecipient(models.Model):
    """Who receives a kind of report (data, edited in the admin): an e-mail address or a robot
    (a DingTalk / WeCom / Feishu robot or webhook of the notifications)."""

    kind = models.CharField(_("report"), max_length=30, choices=ReportKind.choices)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    endpoint = models.ForeignKey(
        Endpoint,
        verbose_name=_("robot or webhook"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"channel__in": [c.value for c in ENDPOINT_CHANNELS]},
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | models.Q(endpoint__isnull=False),
                name="report_recipient_has_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.name}"


class Report(models.Model):
    """A report generated from the incident, edited and approved by a person, then sent."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="hq_reports")
    kind = models.CharField(_("report"), max_length=30, choices=ReportKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    sections = models.JSONField(_("sections"), default=list)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    submission = models.OneToOneField(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_kind_display()}"


class ReportDelivery(models.Model):
    """One recipient of a sent report: to whom, how, when, and whether it arrived."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500)
    endpoint = models.ForeignKey(
        Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")

    def __str__(self) -> str:
        return f"{self.name} ({self.address})"
