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


class AppliesWhen(models.TextChoices):
    """Conditions under which a policy applies to a record (``deadlines.applies``)."""

    ALWAYS = "always", _("Always")
    HQ_ISSUED = "hq_issued", _("HQ-issued")
    HQ_LEVEL1 = "hq_level1", _("HQ level-1")
    HQ_LEVEL2_OR_SENSITIVE = "hq_level2_or_sensitive", _("HQ level-2 or sensitive")
    HQ_OR_RED_ORANGE = "hq_or_red_orange", _("HQ-issued, or red / orange")
    FAULT_TICKET = "fault_ticket", _("Fault ticket (network or support)")
    GENERAL_COMPLAINT = "general_complaint", _("General complaint")
    SERIOUS_COMPLAINT = "serious_complaint", _("Serious or batch complaint")
