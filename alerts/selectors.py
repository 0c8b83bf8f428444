"""Who an alert reaches, and the alerts people see."""

from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet

from incidents.models import Incident
from incidents.selectors import in_period, incident_scope
from incidents.workflow import LIVE_STATES
from organisation.models import CUSTOMER_SERVICE_KINDS, Department, DepartmentKind, Role
from organisation.selectors import (
    department_people,
    group_head,
    user_department,
    user_sees_everything,
)

from .models import Alert, AlertRecipient, Audience, DistributionRule, Trigger


def alert_triggers(incident: Incident) -> list[str]:
    """The rows of 表-4 that apply: the level's, and media / legal involvement."""
    triggers = (
        [incident.level] if incident.level in (Trigger.RED, Trigger.ORANGE, Trigger.YELLOW) else []
    )
    if incident.publicity != "none":
        triggers.append(Trigger.MEDIA)
    if incident.legal_involved or incident.source == "litigation":
        triggers.append(Trigger.LEGAL)
    return triggers


def _audience_departments(audience: str, incident: Incident) -> QuerySet[Department]:
    active = Department.objects.filter(is_active=True)
    match audience:
        case Audience.GENERAL_OFFICE:
            return active.filter(kind=DepartmentKind.GENERAL_OFFICE)
        case Audience.MARKETING:
            return active.filter(kind=DepartmentKind.MARKETING)
        case Audience.LEGAL:
            return active.filter(kind=DepartmentKind.LEGAL_SECURITY)
        case Audience.BUSINESS_DEPARTMENTS:
            return active.filter(manages_business=True)
        case Audience.CUSTOMER_SERVICE:
            return active.filter(kind__in=CUSTOMER_SERVICE_KINDS)
        case Audience.OWNING_DEPARTMENT:
            return active.filter(pk=incident.owning_department_id)
    return active.none()


def alert_audience(incident: Incident) -> dict[int, tuple[User, Department | None, str]]:
    """Every person the incident's alert must reach now: user id → (user, department,
    audience). Departments are reached through their interface persons 接口人; the executive
    in charge is the head of the leadership group."""
    audiences = (
        DistributionRule.objects.filter(trigger__in=alert_triggers(incident))
        .values_list("audience", flat=True)
        .distinct()
    )
    people: dict[int, tuple[User, Department | None, str]] = {}
    for audience in sorted(audiences, key=list(Audience.values).index):
        if audience == Audience.EXECUTIVE:
            executive = group_head(Role.LEADERSHIP_GROUP)
            if executive is not None:
                department = getattr(getattr(executive, "profile", None), "department", None)
                people.setdefault(executive.pk, (executive, department, audience))
            continue
        for department in _audience_departments(audience, incident):
            for person in department_people(department, Role.INTERFACE_PERSON):
                people.setdefault(person.pk, (person, department, audience))
    return people


def alert_list(*, user) -> QuerySet[Alert]:
    """Alerts of incidents the person may see, or that reached them or their department: the
    interface person reports an alert to the department's leader (seed 000 第九条), who is
    told when it goes unacknowledged and answers for that deadline."""
    visible = Q(incident__in=incident_scope(user)) | Q(recipients__user=user)
    department = user_department(user)
    if department is not None:
        visible |= Q(recipients__department=department)
    queryset = Alert.objects.select_related("incident", "published_by")
    if not user_sees_everything(user):
        queryset = queryset.filter(visible)
    return queryset.distinct().order_by("-published_at", "-id")


def inbox_list(*, user) -> QuerySet[AlertRecipient]:
    """The person's alerts: unacknowledged first (oldest first), then the acknowledged."""
    return (
        AlertRecipient.objects.filter(user=user)
        .select_related("incident__owning_department", "latest_alert")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "latest_alert__published_at")
    )


def alert_recipients(alert: Alert) -> QuerySet[AlertRecipient]:
    return (
        AlertRecipient.objects.filter(incident=alert.incident)
        .select_related("user__profile", "department", "phoned_by__profile", "first_alert")
        .order_by("department__code", "user__username")
    )


def waiting_list(*, user, data: dict) -> QuerySet[AlertRecipient]:
    """People of live incidents who have not acknowledged their alert yet, longest waiting
    first (or, with ``acknowledged``, those who acknowledged in the period); the reader's
    department only, unless they oversee every department. ``data``: the cleaned filters."""
    if data.get("acknowledged"):  # the other way round: who acknowledged in the period
        waiting = in_period(
            AlertRecipient.objects.filter(acknowledged_at__isnull=False),
            "acknowledged_at",
            data.get("since"),
            data.get("until"),
        )
    else:
        waiting = AlertRecipient.objects.filter(
            acknowledged_at__isnull=True, incident__state__in=LIVE_STATES
        )
    if not user_sees_everything(user):
        # of no department: none (a filter on None would be the recipients of no department)
        department = user_department(user)
        waiting = waiting.filter(department=department) if department else waiting.none()
    if data.get("department"):
        waiting = waiting.filter(department=data["department"])
    if data.get("city"):
        waiting = waiting.filter(incident__cities=data["city"])
    if data.get("level"):
        waiting = waiting.filter(incident__level=data["level"])
    if data.get("business_line"):
        waiting = waiting.filter(incident__business_line=data["business_line"])
    return (
        waiting.select_related("incident", "user__profile", "department", "first_alert")
        .distinct()
        .order_by("first_alert__published_at", "id")
    )
