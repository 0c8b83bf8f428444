"""Public notices 对外公告 of an incident with customer impact, the public status page they
make, and the SMS broadcasts 短信群发 to affected customers.

A notice is drafted from the incident's explanation script 解释口径 and goes public only once
the owning department approves it; each later update is a new version approved the same way.
Nothing of a notice but its approved versions ever leaves the building.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from incidents.choices import BusinessLine
from incidents.models import Incident
from organisation.models import City, bilingual

from .workflow import NoticeWorkflow


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RESOLVED = "resolved", _("Resolved")


class VersionKind(models.TextChoices):
    INITIAL = "initial", _("First notice")
    UPDATE = "update", _("Update")
    RESOLUTION = "resolution", _("Resolved")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")


class PublicNotice(NoticeWorkflow, ConcurrentTransitionMixin, models.Model):
    """The public notice 对外公告 of one incident. ``public_id`` names it on the status page,
    so the incident's internal number never shows there."""

    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, related_name="public_notice"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = FSMField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT,
        protected=True,
    )  # fmt: skip
    business_line = models.CharField(
        _("service"), max_length=30, choices=BusinessLine.choices, blank=True
    )
    cities = models.ManyToManyField(City, verbose_name=_("cities"), blank=True, related_name="+")
    affected_since = models.DateTimeField(_("affected since"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("last public update"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_state_display()}"

    @property
    def public_url(self) -> str:
        """Its page on the status site (a draft's answers 404 until it is approved)."""
        from django.urls import reverse

        return reverse("status:detail", kwargs={"public_id": self.public_id})


class NoticeVersion(models.Model):
    """One text of a notice: the first notice, an update, or the final (resolution) text.
    Only an approved version is public; a draft waits for the owning department."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="versions")
    sequence = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=12, choices=VersionKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    next_update_at = models.DateTimeField(_("next update by"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "sequence"]
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")
        constraints = [
            models.UniqueConstraint(fields=["notice", "sequence"], name="one_notice_version")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} v{self.sequence}"

    @property
    def title(self) -> str:
        """In the reader's language; English falls back to Chinese."""
        return bilingual(self.title_zh, self.title_en or self.title_zh)

    @property
    def text(self) -> str:
        return bilingual(self.text_zh, self.text_en or self.text_zh)


class BroadcastState(models.TextChoices):
    DRAFT = "draft", _("List uploaded")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")


class Broadcast(models.Model):
    """An SMS broadcast 短信群发 of an approved notice text to the customers of an uploaded
    list, sent at ``rate`` messages a second."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="broadcasts")
    state = models.CharField(
        _("state"), max_length=10, choices=BroadcastState.choices, default=BroadcastState.DRAFT
    )
    text = models.TextField(_("text"), blank=True)
    rate = models.PositiveIntegerField(_("messages a second"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS broadcast")
        verbose_name_plural = _("SMS broadcasts")

    def __str__(self) -> str:
        return f"{self.incident.number} #{self.pk}"


class RecipientState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    OPTED_OUT = "opted_out", _("Opted out")


class BroadcastRecipient(models.Model):
    """One customer's message of a broadcast: claimed (``sending``) before it goes, so a
    worker that dies mid-broadcast never sends it twice."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="recipients")
    phone = models.CharField(_("mobile number"), max_length=11)
    state = models.CharField(
        _("state"), max_length=10, choices=RecipientState.choices, default=RecipientState.QUEUED
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["broadcast", "id"]
        verbose_name = _("broadcast recipient")
        verbose_name_plural = _("broadcast recipients")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "phone"], name="one_message_per_phone")
        ]
        indexes = [models.Index(fields=["broadcast", "state"])]

    def __str__(self) -> str:
        return self.phone


class OptOut(models.Model):
    """A mobile number that asked for no more messages (replied TD 退订): never sent to."""

    class Source(models.TextChoices):
        REPLY = "reply", _("Replied to unsubscribe")
        ADMIN = "admin", _("Entered by an administrator")

    phone = models.CharField(_("mobile number"), max_length=11, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("opted out"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return self.phone
