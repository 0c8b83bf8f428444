from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class Clock(models.TextChoices):
    """How a deadline's time runs; the values are those of the pure rules."""

    WALL = rules.Clock.WALL.value, _("Elapsed time")
    WORKING_DAYS = rules.Clock.WORKING_DAYS.value, _("Working days")
    WORKING_HOURS = rules.Clock.WORKING_HOURS.value, _("Working hours")
    WINDOWS = rules.Clock.WINDOWS.value, _("Time inside daily windows")


class DeadlineState(models.TextChoices):
    PENDING = "pending", _("Pending")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


class RecordType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    COMPLAINT = "complaint", _("Complaint")
    ACCOUNTABILITY = "accountability", _("Accountability procedure")
    ACTION_ITEM = "action_item", _("Action item")
    ALERT = "alert", _("Alert acknowledgment")


class StartsAt(models.TextChoices):
    """The moment a limit's clock starts (seed 000 第八条 – 第十一条)."""

    OPENED = "opened", _("When the step begins")
    OCCURRED = "occurred", _("When the event occurred")
    DETECTED = "detected", _("When the event was detected")
    RECEIVED = "received", _("When the platform received it")


class Responsible(models.TextChoices):
    OWNER = "owner", _("The owning / handling department")
    CUSTOMER_SERVICE = "customer_service", _("The customer-service department")
    REPORTER = "reporter", _("The reporting department")
    ASSESSOR = "assessor", _("The assessing department (marketing)")
    RECIPIENT = "recipient", _("The recipient")
