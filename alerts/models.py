"""Alerts 预警信息: the published notice of an incident's warning level, its recipients and
their acknowledgments (seed 000 第八条, 第九条, 表-4)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import Level
from incidents.models import Incident
from organisation.models import Department


class Trigger(models.TextChoices):
    RED = "red", _("Red warning")
    ORANGE = "orange", _("Orange warning")
    YELLOW = "yellow", _("Yellow warning")
    MEDIA = "media", _("Media involvement")
    LEGAL = "legal", _("Legal involvement")


class Audience(models.TextChoices):
    EXECUTIVE = "executive", _("Executive in charge")
    GENERAL_OFFICE = "general_office", _("General office")
    BUSINESS_DEPARTMENTS = "business_departments", _("Business management departments")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service departments")
    MARKETING = "marketing", _("Marketing department")
    LEGAL = "legal", _("Legal & security department")
    OWNING_DEPARTMENT = "owning_department", _("Owning department")


class DistributionRule(models.Model):
    """Who receives an alert (表-4, plus the media/legal additions of 第十条), as data."""

    trigger = models.CharField(_("when"), max_length=10, choices=Trigger.choices)
    audience = models.CharField(_("who"), max_length=30, choices=Audience.choices)

    class Meta:
        ordering = ["trigger", "audience"]
        verbose_name = _("distribution rule")
        verbose_name_plural = _("distribution rules")
        constraints = [
            models.UniqueConstraint(fields=["trigger", "audience"], name="one_rule_per_audience")
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} → {self.get_audience_display()}"


class Alert(models.Model):
    """One publication of an incident's warning; an upgrade is a new alert of the incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="alerts")
    sequence = models.PositiveSmallIntegerField(_("publication"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    is_upgrade = models.BooleanField(_("upgrade"), default=False)
    content = models.JSONField(_("content"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["incident", "sequence"], name="one_alert_per_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.incident.number} #{self.sequence} {self.level}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("alerts:detail", kwargs={"pk": self.pk})


# The kinds of a recipient's acknowledgment limits: the first, and the second that starts once
# the first is missed and the leader told (then the working-group head is told).
ACK_KIND = "alert-acknowledge"
ESCALATED_KIND = "alert-acknowledge-escalated"


class AckChannel(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    API = "api", _("API")
    LINK = "link", _("Link in email / SMS")
    WORKFLOW = "workflow", _("Incident acknowledged")


class AlertRecipient(models.Model):
    """A person who must receive an incident's alerts: reached once, updated on upgrades,
    phoned by the publisher, and who acknowledges."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="alert_recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    audience = models.CharField(_("as"), max_length=30, choices=Audience.choices)
    first_alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="+")
    latest_alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="recipients")
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_via = models.CharField(
        _("acknowledged via"), max_length=10, choices=AckChannel.choices, blank=True
    )
    phoned_at = models.DateTimeField(_("phoned"), null=True, blank=True)
    phoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("phoned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    link_nonce = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        verbose_name = _("alert recipient")
        verbose_name_plural = _("alert recipients")
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="reach_each_person_once")
        ]
        indexes = [
            models.Index(fields=["user", "acknowledged_at"], name="recipient_inbox"),
            # the dashboards: acknowledgments of a day, and who has not acknowledged yet
            models.Index(fields=["acknowledged_at"], name="recipient_acknowledged"),
            # the dashboard's "not acknowledged" count of the live incidents, from the index
            # alone: which incidents the unacknowledged are of, never their rows
            models.Index(
                fields=["incident"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="recipient_unacknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident.number} → {self.user}"

    def get_absolute_url(self) -> str:
        return self.latest_alert.get_absolute_url()

    @property
    def number(self) -> str:
        return self.incident.number
