"""The enumerations of the headquarters exchange; names match the REST contract."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.choices import HqLevel, SubmissionKind

# The levels HQ sends (seed 000 第四条(三) 表-1, 总部层面): level-1, level-2, sensitive.
WARNING_LEVELS = [(value, label) for value, label in HqLevel.choices if value]


class Intake(models.TextChoices):
    WEBHOOK = "webhook", _("Signed webhook")
    MAILBOX = "mailbox", _("Mailbox")


class ReportKind(models.TextChoices):
    """The reports that go up (seed 000 第十一条, 第十二条(二)); each is recorded as the
    incident's submission of the same name, which meets its deadline."""

    LEADERSHIP_REPORT = (
        SubmissionKind.LEADERSHIP_REPORT.value,
        SubmissionKind.LEADERSHIP_REPORT.label,
    )
    HQ_FEEDBACK = SubmissionKind.HQ_FEEDBACK.value, SubmissionKind.HQ_FEEDBACK.label
    HQ_PLAN = SubmissionKind.HQ_PLAN.value, SubmissionKind.HQ_PLAN.label
    BULLETIN = SubmissionKind.BULLETIN.value, SubmissionKind.BULLETIN.label


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
