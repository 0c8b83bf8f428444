"""Who an alert reaches, and the alerts people see."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from deadlines.choices import DeadlineState
from deadlines.models import Deadline
from incidents.choices import State
from incidents.models import Incident
from incidents.selectors import in_period, incident_scope
from incidents.workflow import LIVE_STATES
from notifications.models import Notification
from organisation.models import CUSTOMER_SERVICE_KINDS, Department, DepartmentKind, Role
from organisation.selectors import (
    department_people,
    group_head,
    user_department,
    user_sees_everything,
)

from .models import (
    ACK_KIND,
    ESCALATED_KIND,
    Alert,
    AlertRecipient,
    Audience,
    DistributionRule,
    Trigger,
)


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


def _awaits_acknowledgment() -> Q:
    """Not acknowledged yet, of an incident still live: a cancelled or closed incident needs
    no acknowledgment any more."""
    return Q(acknowledged_at__isnull=True, incident__state__in=LIVE_STATES)


def inbox_list(*, user) -> QuerySet[AlertRecipient]:
    """The person's alerts: those still to acknowledge first (oldest first), then the
    acknowledged and those of incidents cancelled or closed meanwhile."""
    return (
        AlertRecipient.objects.filter(user=user)
        .select_related("incident__owning_department", "latest_alert")
        .annotate(
            done=Case(
                When(_awaits_acknowledgment(), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("done", F("acknowledged_at").asc(nulls_first=True), "latest_alert__published_at")
    )


def inbox_unacknowledged_count(*, user) -> int:
    """How many alerts the person still has to acknowledge (the inbox's count)."""
    return AlertRecipient.objects.filter(_awaits_acknowledgment(), user=user).count()


@dataclass
class Escalation:
    """One step of the escalation of a recipient's silence: who was told, and when."""

    at: datetime | None
    to: list[User] = field(default_factory=list)

    @property
    def names(self) -> str:
        return "、".join(
            getattr(getattr(user, "profile", None), "full_name", "") or user.get_username()
            for user in self.to
        )


@dataclass
class AckStatus:
    """Where a recipient's acknowledgment stands, as the inbox says it.

    ``status``: ``acknowledged`` (``missed_at`` set when it came after the limit);
    ``waiting`` (``deadline`` runs: the countdown); ``missed`` (the limit ran out at
    ``missed_at``; ``escalations`` say who was told, when); ``cancelled`` or ``closed``: the
    incident ended before the limit, and needs no acknowledgment any more."""

    recipient: AlertRecipient
    status: str
    deadline: Deadline | None = None
    missed_at: datetime | None = None
    escalations: list[Escalation] = field(default_factory=list)

    @property
    def incident_ended(self) -> str:
        """``cancelled`` or ``closed`` when the incident is no longer live, else empty."""
        state = self.recipient.incident.state
        if state in LIVE_STATES:
            return ""
        return "cancelled" if state == State.CANCELLED else "closed"

    @property
    def can_acknowledge(self) -> bool:
        return self.status in ("waiting", "missed") and not self.incident_ended


def ack_statuses(recipients: Sequence[AlertRecipient]) -> list[AckStatus]:
    """The acknowledgment status of each recipient (their incidents selected), in a few
    queries whatever their number. An escalation names the people who were told: the breach
    of the first limit reaches the recipient's superior (and the recipient), the breach of
    the second the working-group head."""
    recipients = list(recipients)
    content_type = ContentType.objects.get_for_model(AlertRecipient)
    limits: dict[int, dict[str, Deadline]] = {}
    for deadline in Deadline.objects.filter(
        content_type=content_type,
        object_id__in=[r.pk for r in recipients],
        kind__in=[ACK_KIND, ESCALATED_KIND],
    ).order_by("created_at", "id"):
        limits.setdefault(deadline.object_id, {})[deadline.kind] = deadline
    steps: dict[str, tuple[AlertRecipient, str]] = {}
    for recipient in recipients:
        for kind, key in (
            (ACK_KIND, "deadline:{deadline.pk}:breached"),
            (ESCALATED_KIND, "alert-recipient:{recipient.pk}:working-group"),
        ):
            limit = limits.get(recipient.pk, {}).get(kind)
            if limit is not None and limit.breached_at is not None:
                steps[key.format(deadline=limit, recipient=recipient)] = (recipient, kind)
    told: dict[tuple[int, str], Escalation] = {}
    for notification in (
        Notification.objects.filter(dedupe_key__in=steps)
        .select_related("recipient__profile")
        .order_by("created_at", "id")
    ):
        recipient, kind = steps[notification.dedupe_key]
        escalation = told.setdefault((recipient.pk, kind), Escalation(at=notification.created_at))
        if notification.recipient_id != recipient.user_id:  # told of their own breach too
            escalation.to.append(notification.recipient)
    return [_ack_status(r, limits.get(r.pk, {}), told) for r in recipients]


def _ack_status(
    recipient: AlertRecipient,
    limits: dict[str, Deadline],
    told: dict[tuple[int, str], Escalation],
) -> AckStatus:
    first = limits.get(ACK_KIND)
    missed_at = first.due_at if first is not None and first.breached_at is not None else None
    if recipient.acknowledged_at is not None:
        return AckStatus(recipient, "acknowledged", missed_at=missed_at)
    if missed_at is not None:
        escalations = [
            told.get((recipient.pk, kind), Escalation(at=limits[kind].announced_at))
            for kind in (ACK_KIND, ESCALATED_KIND)
            if kind in limits and limits[kind].breached_at is not None
        ]
        return AckStatus(recipient, "missed", missed_at=missed_at, escalations=escalations)
    if recipient.incident.state not in LIVE_STATES:
        status = "cancelled" if recipient.incident.state == State.CANCELLED else "closed"
        return AckStatus(recipient, status)
    running = next(
        (
            limits[kind]
            for kind in (ACK_KIND, ESCALATED_KIND)
            if kind in limits and limits[kind].state == DeadlineState.PENDING
        ),
        None,
    )
    return AckStatus(recipient, "waiting", deadline=running)


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
