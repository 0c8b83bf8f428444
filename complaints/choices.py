"""The enumerations of complaints; names match the REST contract."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintChannel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    API = "api", _("External system")
    WALK_IN = "walk_in", _("Walk-in")
    EMPLOYEE_REFERRAL = "employee_referral", _("Employee referral")


class Escalation(models.TextChoices):
    """Where the customer took the complaint (seed 003 考核: the higher, the costlier)."""

    NONE = "none", _("Not escalated")
    HOTLINE = "hotline", _("Hotline (attitude)")
    BRANCH = "branch", _("Branch office")
    CITY_AUTHORITY = "city_authority", _("City authority (12315, city telecom administration)")
    IN_PERSON = "in_person", _("Disrupted the office in person")
    PROVINCE = "province", _("Escalated to the province")
    PROVINCIAL_AUTHORITY = "provincial_authority", _("Provincial authority")
    MINISTRY = "ministry", _("Ministry (MIIT) or group HQ")
    CITY_MEDIA = "city_media", _("City media")
    PROVINCIAL_MEDIA = "provincial_media", _("Provincial media")


class Severity(models.TextChoices):
    """Complaint severity (seed 004): general 一般 / batch 批量 / serious 重大."""

    GENERAL = "general", _("General")
    BATCH = "batch", _("Batch")
    SERIOUS = "serious", _("Serious")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned to CS")
    ASSIGNED = "assigned", _("Handed to a handler")
    IN_PROGRESS = "in_progress", _("Customer contacted")
    REPLIED = "replied", _("Replied")
    ARCHIVED = "archived", _("Archived")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
