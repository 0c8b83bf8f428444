"""The enumerations of incidents; names match the REST contract."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessLine(models.TextChoices):
    """按业务线条 (seed 000 第四条(一))."""

    NETWORK = "network", _("Network quality")
    BUSINESS_SUPPORT = "business_support", _("Business-support quality")
    VALUE_ADDED = "value_added", _("Value-added service")
    ENTERPRISE_PRODUCT = "enterprise_product", _("Enterprise product")
    TERMINAL = "terminal", _("Terminal / device")
    BILLING = "billing", _("Billing dispute")
    SERVICE = "service", _("Service quality")
    INFORMATION_SECURITY = "information_security", _("Information security")


class Source(models.TextChoices):
    """按预警信息来源 (seed 000 第四条(二))."""

    HQ = "hq", _("Headquarters")
    PUBLIC_OPINION = "public_opinion", _("Public opinion")
    LITIGATION = "litigation", _("Litigation")
    MAJOR_COMPLAINT = "major_complaint", _("Major complaints")
    BUSINESS_RISK = "business_risk", _("Business risk & outages")


class HqLevel(models.TextChoices):
    NONE = "", _("Not HQ-issued")
    LEVEL1 = "level1", _("HQ level-1")
    LEVEL2 = "level2", _("HQ level-2")
    SENSITIVE = "sensitive", _("HQ sensitive")


class Publicity(models.TextChoices):
    NONE = "none", _("None")
    MAY_ATTRACT = "may_attract", _("May draw media attention")
    RECURRING = "recurring", _("Recurring, drawing attention")
    NATIONAL = "national", _("National exposure")


class Level(models.TextChoices):
    """预警级别: red 红色 (特别重大) > orange 橙色 (重大) > yellow 黄色 (需关注)."""

    NONE = "none", _("No warning")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    RESOLVED = "resolved", _("Resolved")
    IMPROVING = "improving", _("Improving")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class CancelReason(models.TextChoices):
    """Out of scope (seed 000 第三条: natural disasters and social events follow other plans)
    or a duplicate merged into another incident."""

    NATURAL_DISASTER = "natural_disaster", _("Natural disaster (out of scope)")
    SOCIAL_EVENT = "social_event", _("Social event (out of scope)")
    DUPLICATE = "duplicate", _("Duplicate, merged into another incident")
    WITHDRAWN = "withdrawn", _("Withdrawn: not a service-quality event")


class HandlingMode(models.TextChoices):
    """点 / 线 / 面 (seed 000 第十条(三))."""

    POINT = "point", _("Point: the owning department")
    LINE = "line", _("Line: escalated within the professional line")
    PLANE = "plane", _("Plane: cross-department coordination")


class Factor(models.TextChoices):
    """The factors of the warning-level matrix (seed 000 表-1)."""

    CITIES = "cities", _("Cities affected")
    CUSTOMERS_AFFECTED = "customers_affected", _("Customers affected")
    COMPLAINTS_PER_DAY = "complaints_per_day", _("Complaints in one day")
    ESCALATED_PER_DAY = "escalated_per_day", _("Escalated complaints in one day")
    ESCALATED_PER_WEEK = "escalated_per_week", _("Escalated complaints in one week")
    PUBLICITY = "publicity", _("Negative publicity")
    HQ_LEVEL = "hq_level", _("Headquarters level")


class ProblemKind(models.TextChoices):
    ANY = "any", _("Any problem")
    NETWORK_SUPPORT = "network_support", _("Network or business-support problem")
    OTHER = "other", _("Any other problem")


class Operator(models.TextChoices):
    GT = "gt", ">"
    GTE = "gte", "≥"
    EQ = "eq", "="


class SubmissionKind(models.TextChoices):
    EXPLANATION = "explanation", _("Explanation script")
    ROOT_CAUSE = "root_cause", _("Root cause and complaint-handling plan")
    HQ_FEEDBACK = "hq_feedback", _("First feedback to HQ")
    HQ_PLAN = "hq_plan", _("Written implementation plan to HQ")
    LEADERSHIP_REPORT = "leadership_report", _("Report to the executive and leadership group")
    RESOLUTION = "resolution", _("Resolution (three clears)")
    SUMMARY_REPORT = "summary_report", _("Summary report")
    BULLETIN = "bulletin", _("Special bulletin")


class Involvement(models.TextChoices):
    MEDIA = "media", _("Media involvement")
    LEGAL = "legal", _("Legal involvement")


class ActionItemState(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done, to verify")
    VERIFIED = "verified", _("Verified")
    WAIVED = "waived", _("Waived")
