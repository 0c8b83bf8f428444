"""Writes to incidents: one function per use case, atomic, keyword-only.

Every function that changes an incident locks its row (``SELECT ... FOR UPDATE``), runs the
workflow transition, saves and appends to the timeline in one transaction; follow-up work
(signals for alerts, deadlines and accountability) runs on commit.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from core.live import publish, user_topic
from core.numbering import number_next
from core.transitions import transition_check
from deadlines.choices import DeadlineState, RecordType, Responsible, StartsAt
from deadlines.conditions import applies
from deadlines.models import DeadlinePolicy
from deadlines.services import (
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadline_reassign,
    responsible_person,
)
from incidents.choices import (
    CancelReason,
    HandlingMode,
    HqLevel,
    Involvement,
    Level,
    Source,
    State,
    SubmissionKind,
)
from incidents.models import (
    BusinessLineOwner,
    ClassificationRule,
    ClassificationRuleSet,
    Cooperation,
    Incident,
    IncidentDailyCount,
    InvolvementDepartment,
    RecurrenceRule,
    RootCauseCategory,
    Submission,
    TimelineEvent,
)
from notifications.services import notify, translated
from organisation.models import City, Department, DepartmentKind, Role
from organisation.selectors import (
    department_people,
    in_customer_service,
    user_department,
    user_has_role,
)

from . import signals
from .classification import classify, level_rank, reasons_as_json
from .defaults import load_warning_matrix
from .live import incidents_told
from .selectors import incident_facts, incident_scope, rule_set_current, rule_specs
from .workflow import (
    FORBIDDEN,
    is_working_group,
    missing_before_closing,
    missing_before_resolving,
)

# Times a little in the future are clock skew between systems, not typos.
CLOCK_SKEW = timedelta(minutes=5)


# --- the workflow engine --------------------------------------------------------------------


def _lock(incident_id: int) -> Incident:
    try:
        return Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise ValidationError({"incident": _("No such incident.")}) from None


def _record(
    incident: Incident,
    *,
    actor: User | None,
    kind: str,
    action: str = "",
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
    reason: str = "",
) -> TimelineEvent:
    """A line on the incident's timeline; its open pages are told (one change per
    transaction, when it commits)."""
    incidents_told([incident.pk])
    return TimelineEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        payload=payload or {},
        reason=reason,
    )


def _check(incident: Incident, action: str, actor: User) -> None:
    """409 when ``action`` is not allowed from the current state, 403 when not for ``actor``,
    409 (naming what is missing) when a condition of the transition fails."""
    transition_check(
        incident,
        action,
        actor,
        not_now=_("“%(action)s” is not allowed while the incident is %(state)s."),
        forbidden=FORBIDDEN.get(action, _("You may not %(action)s this incident.")),
        unmet=_("The conditions of “%(action)s” are not met."),
        params={"department": incident.owning_department},
    )


def _transition(
    incident: Incident,
    action: str,
    actor: User | None,
    *args: Any,
    method: str | None = None,
    reason: str = "",
    payload: dict | None = None,
    check: bool = True,
) -> None:
    """Run transition ``method`` (default: ``action``), save, and record it on the timeline.

    Called while holding the row lock of ``incident``. ``check=False`` is for the platform's
    own automatic moves (no person to authorise)."""
    method = method or action
    if check:
        if actor is None:
            raise PermissionDenied(_("Only a person may %(action)s.") % {"action": action})
        _check(incident, method, actor)
    from_state = incident.state
    getattr(incident, method)(*args)
    incident.save()
    _record(
        incident,
        actor=actor,
        kind=TimelineEvent.Kind.TRANSITION,
        action=action,
        from_state=from_state,
        to_state=incident.state,
        payload=payload,
        reason=reason,
    )
    if from_state != incident.state:
        signals.incident_transitioned.send(
            sender=Incident,
            incident=incident,
            action=action,
            from_state=from_state,
            to_state=incident.state,
            actor=actor,
        )


def _apply_level(
    incident: Incident, *, new_level: str, actor: User | None, automatic: bool, reason: str = ""
) -> None:
    """Record a change of level (history), moving a received incident to classified."""
    old_level = incident.level
    if new_level == old_level:
        return
    incident.level = new_level
    incident.save(update_fields=["level", "level_reasons", "rule_set", "updated_at"])
    _record(
        incident,
        actor=actor,
        kind=TimelineEvent.Kind.LEVEL,
        action="automatic" if automatic else "manual",
        payload={
            "from": old_level,
            "to": new_level,
            "reasons": incident.level_reasons,
            "rule_set": incident.rule_set.version if incident.rule_set else None,
        },
        reason=reason,
    )
    if incident.state == State.RECEIVED and new_level != Level.NONE:
        _transition(incident, "classify", actor, method="set_level", check=False)
    signals.incident_level_changed.send(
        sender=Incident,
        incident=incident,
        from_level=old_level,
        to_level=new_level,
        automatic=automatic,
        actor=actor,
    )


def _reclassify(incident: Incident, *, actor: User | None) -> None:
    """Run the matrix on the current facts; automatic changes only go up (表-1)."""
    rule_set = rule_set_current() or load_warning_matrix(
        ClassificationRuleSet, ClassificationRule
    )  # an empty table gets the shipped matrix back rather than failing every intake
    result = classify(incident_facts(incident), rule_specs(rule_set))
    incident.level_reasons = reasons_as_json(result.reasons)
    incident.rule_set = rule_set
    if level_rank(result.level) > level_rank(incident.level):
        _apply_level(incident, new_level=result.level, actor=actor, automatic=True)
    else:
        incident.save(update_fields=["level_reasons", "rule_set", "updated_at"])


def _join(incident: Incident, department: Department, *, reason: str, actor, assignment="") -> bool:
    if department == incident.owning_department:
        return False
    _cooperation, created = Cooperation.objects.get_or_create(
        incident=incident,
        department=department,
        defaults={"reason": reason, "assignment": assignment, "created_by": actor},
    )
    if created:
        _record(
            incident,
            actor=actor,
            kind=TimelineEvent.Kind.COOPERATION,
            action=reason,
            payload={"department": department.code, "assignment": assignment},
        )
        # The joining department's interface person and leader learn of it at once.
        notify(
            recipients=department_people(department, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER),
            kind="incident.joined",
            subject=translated(  # the department's name in each reader's language
                gettext_lazy("%(department)s joins %(number)s: %(title)s"),
                {"department": department, "number": incident.number, "title": incident.title},
            ),
            body=assignment,
            link=incident.get_absolute_url(),
            dedupe_key=f"incident:{incident.pk}:joined:{department.pk}",
        )
        signals.incident_department_joined.send(
            sender=Incident,
            incident=incident,
            department=department,
            reason=reason,
            actor=actor,
        )
    return created


def _join_involved(incident: Incident, *, actor) -> None:
    """Media or legal involvement brings in the general office / legal department."""
    involvements = []
    if incident.publicity != "none":
        involvements.append(Involvement.MEDIA)
    if incident.legal_involved or incident.source == Source.LITIGATION:
        involvements.append(Involvement.LEGAL)
    for row in InvolvementDepartment.objects.filter(involvement__in=involvements).select_related(
        "department"
    ):
        _join(incident, row.department, reason=row.involvement, actor=actor)


def _validate_facts(facts: dict) -> None:
    errors: dict[str, str] = {}
    source = facts.get("source")
    hq_level = facts.get("hq_level", HqLevel.NONE)
    if source == Source.HQ and not hq_level:
        errors["hq_level"] = _("An HQ-issued incident needs its HQ level.")
    if source is not None and source != Source.HQ and hq_level:
        errors["hq_level"] = _("Only HQ-issued incidents have an HQ level.")
    now = timezone.now()
    occurred, detected = facts.get("occurred_at"), facts.get("detected_at")
    if occurred and occurred > now + CLOCK_SKEW:
        errors["occurred_at"] = _("The incident cannot have occurred in the future.")
    if detected and detected > now + CLOCK_SKEW:
        errors["detected_at"] = _("The incident cannot be detected in the future.")
    if occurred and detected and detected < occurred:
        errors["detected_at"] = _("Detection cannot come before occurrence.")
    if errors:
        raise ValidationError(errors)


# --- deadlines --------------------------------------------------------------------------------

# The submission that meets each deadline (seed 000 第十条, 第十一条).
MET_BY_SUBMISSION: dict[str, list[str]] = {
    SubmissionKind.EXPLANATION: ["incident-explanation"],
    SubmissionKind.ROOT_CAUSE: ["incident-root-cause"],
    SubmissionKind.HQ_FEEDBACK: ["incident-hq-feedback"],
    SubmissionKind.HQ_PLAN: ["incident-hq-plan-level1", "incident-hq-plan-level2"],
    SubmissionKind.LEADERSHIP_REPORT: ["incident-leadership-report"],
}
REPORTED_KIND = "incident-report-to-cs"  # met by the report itself: the incident's creation
PUBLISH_KIND = "incident-publish"


def _responsible_department(incident: Incident, who: str) -> Department | None:
    if who == Responsible.CUSTOMER_SERVICE:
        return Department.objects.filter(
            kind=DepartmentKind.CUSTOMER_SERVICE, is_active=True
        ).first()
    if who == Responsible.REPORTER:
        profile = getattr(incident.created_by, "profile", None)
        return profile.department if profile else None
    return incident.owning_department


def _sync_deadlines(incident: Incident) -> None:
    """Open the limits that apply to the incident now and cancel pending ones that no longer
    apply (an HQ level that changes, a level that rises to orange)."""
    existing = {d.kind: d for d in incident.deadlines.all()}
    no_longer = []
    starts: dict[str, datetime] = {
        StartsAt.OCCURRED: incident.occurred_at,
        StartsAt.DETECTED: incident.detected_at,
        StartsAt.RECEIVED: incident.created_at,
    }
    for policy in DeadlinePolicy.objects.filter(record_type=RecordType.INCIDENT, is_active=True):
        if not applies(policy.applies_when, incident):
            if policy.code in existing:
                no_longer.append(policy.code)
            continue
        if policy.code in existing:
            continue
        department = _responsible_department(incident, policy.responsible)
        person = incident.created_by if policy.responsible == Responsible.REPORTER else None
        if policy.responsible == Responsible.OWNER:
            person = incident.assignee  # the owner's limits remind whoever works on it
        deadline_open(
            record=incident,
            policy=policy,
            start=starts.get(policy.starts_at, timezone.now()),
            department=department,
            person=person or responsible_person(department),
        )
    if no_longer:
        deadline_cancel(record=incident, kinds=no_longer)


def _owner_kinds() -> list[str]:
    return list(
        DeadlinePolicy.objects.filter(
            record_type=RecordType.INCIDENT, responsible=Responsible.OWNER
        ).values_list("code", flat=True)
    )


# --- use cases ------------------------------------------------------------------------------


@transaction.atomic
def incident_create(
    *,
    actor: User,
    title: str,
    business_line: str,
    source: str,
    occurred_at: datetime,
    description: str = "",
    hq_level: str = HqLevel.NONE,
    cities: list[City] | tuple[City, ...] = (),
    customers_affected: int = 0,
    publicity: str = "none",
    legal_involved: bool = False,
    detected_at: datetime | None = None,
    owning_department: Department | None = None,
    out_of_scope: str = "",
    received_at: datetime | None = None,
    relayed: bool = True,
) -> Incident:
    """Create an incident, classify it at once and record who reported it.

    ``received_at`` is when the province received the warning, if earlier than now (an HQ
    warning taken in by a machine: the time HQ sent it, seed 000 第八条(一)); the limits that
    run from receipt run from it. ``relayed=False`` leaves the 1-hour limit to report (relay)
    the warning to the CS department open, for the person who passes it on and phones
    (:func:`incident_relay`); by default the report is the creation itself.

    ``out_of_scope`` (natural disaster / social event, seed 000 第三条) records the intake and
    cancels it: such events follow other plans and never enter this workflow."""
    detected_at = detected_at or timezone.now()
    _validate_facts(
        {
            "source": source,
            "hq_level": hq_level,
            "occurred_at": occurred_at,
            "detected_at": detected_at,
        }
    )
    if out_of_scope and out_of_scope not in (
        CancelReason.NATURAL_DISASTER,
        CancelReason.SOCIAL_EVENT,
    ):
        raise ValidationError({"out_of_scope": _("Only natural disasters and social events.")})
    if owning_department is None:
        mapping = BusinessLineOwner.objects.filter(business_line=business_line).first()
        if mapping is None:
            raise ValidationError(
                {"owning_department": _("No department owns this business line; name one.")}
            )
        owning_department = mapping.department
    incident = Incident.objects.create(
        number=number_next(prefix="INC"),
        title=title,
        description=description,
        business_line=business_line,
        source=source,
        hq_level=hq_level,
        customers_affected=customers_affected,
        publicity=publicity,
        legal_involved=legal_involved,
        occurred_at=occurred_at,
        detected_at=detected_at,
        owning_department=owning_department,
        created_by=actor,
        created_at=received_at or timezone.now(),
    )
    incident.cities.set(cities)
    _record(
        incident,
        actor=actor,
        kind=TimelineEvent.Kind.CREATED,
        to_state=incident.state,
        payload={"number": incident.number, "owner": owning_department.code},
    )
    if out_of_scope:
        _transition(
            incident,
            "cancel",
            actor,
            out_of_scope,
            check=False,
            payload={"cancel_reason": out_of_scope},
            reason=str(CancelReason(out_of_scope).label),
        )
        return incident
    _join_involved(incident, actor=actor)
    _reclassify(incident, actor=actor)
    _sync_deadlines(incident)
    if relayed:
        deadline_meet(record=incident, kind=REPORTED_KIND, at=incident.created_at)
    return incident


@transaction.atomic
def incident_relay(*, incident_id: int, actor: User, note: str = "") -> Incident:
    """The CS centre has passed the warning on to the CS department and phoned (seed 000
    第八条(一): within 1 hour of receiving it): the relay limit is met now."""
    incident = _lock(incident_id)
    if not (in_customer_service(actor) or is_working_group(incident, actor)):
        raise PermissionDenied(_("Only the customer-service departments relay a warning."))
    deadline = incident.deadlines.filter(kind=REPORTED_KIND).first()
    if deadline is None or deadline.state in (DeadlineState.MET, DeadlineState.CANCELLED):
        raise Conflict(_("This warning has already been passed on."), code="unchanged")
    if deadline.met_at is not None:
        raise Conflict(_("This warning has already been passed on."), code="unchanged")
    deadline_meet(record=incident, kind=REPORTED_KIND)
    _record(incident, actor=actor, kind=TimelineEvent.Kind.RELAYED, reason=note)
    return incident


FACT_FIELDS = (
    "title",
    "description",
    "customers_affected",
    "publicity",
    "hq_level",
    "legal_involved",
)


@transaction.atomic
def incident_update_facts(
    *, incident_id: int, actor: User, cities: list[City] | None = None, **changes: Any
) -> Incident:
    """Change what is known of an open incident; the matrix runs again (only upwards)."""
    incident = _lock(incident_id)
    _check(incident, "update_facts", actor)
    unknown = set(changes) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in unknown})
    _validate_facts(
        {"source": incident.source, "hq_level": changes.get("hq_level", incident.hq_level)}
    )
    before = {field: getattr(incident, field) for field in changes}
    for field, value in changes.items():
        setattr(incident, field, value)
    incident.save()
    diff = {f: [before[f], changes[f]] for f in changes if before[f] != changes[f]}
    if cities is not None:
        old_codes = sorted(incident.cities.values_list("code", flat=True))
        incident.cities.set(cities)
        new_codes = sorted(city.code for city in cities)
        if old_codes != new_codes:
            diff["cities"] = [old_codes, new_codes]
    if diff:
        _record(incident, actor=actor, kind=TimelineEvent.Kind.FACTS, payload=diff)
    _join_involved(incident, actor=actor)
    _reclassify(incident, actor=actor)
    _sync_deadlines(incident)
    return incident


@transaction.atomic
def incident_classify(*, incident_id: int, actor: User, level: str, reason: str) -> Incident:
    """A person sets the level with a reason; lowering it needs the working group (表-1 note:
    levels go down only by a person's decision)."""
    incident = _lock(incident_id)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the level is set by hand.")})
    if level not in Level.values:
        raise ValidationError({"level": _("Unknown level.")})
    _check(incident, "set_level", actor)
    lowering = level_rank(level) < level_rank(incident.level)
    if lowering and not user_has_role(actor, "working_group", "admin"):
        raise PermissionDenied(_("Only the working group may lower a level."))
    if level == incident.level:
        raise Conflict(_("The incident already has this level."), code="unchanged")
    _apply_level(incident, new_level=level, actor=actor, automatic=False, reason=reason)
    _sync_deadlines(incident)
    return incident


@transaction.atomic
def incident_publish(*, incident_id: int, actor: User) -> Incident:
    """The CS department publishes the warning and dispatches to the owner (第九条)."""
    incident = _lock(incident_id)
    _transition(incident, "publish", actor, payload={"level": incident.level})
    deadline_meet(record=incident, kind=PUBLISH_KIND)
    return incident


@transaction.atomic
def incident_acknowledge(*, incident_id: int, actor: User) -> Incident:
    incident = _lock(incident_id)
    _transition(incident, "acknowledge", actor)
    return incident


SUBMISSION_ACTIONS: dict[str, str] = {
    SubmissionKind.EXPLANATION: "submit",
    SubmissionKind.ROOT_CAUSE: "submit",
    SubmissionKind.LEADERSHIP_REPORT: "submit",
    SubmissionKind.HQ_FEEDBACK: "submit_to_hq",
    SubmissionKind.HQ_PLAN: "submit_to_hq",
}


def _submission_add(incident: Incident, *, kind: str, content: dict, actor: User) -> Submission:
    latest = incident.submissions.filter(kind=kind).order_by("-version").first()
    submission = Submission.objects.create(
        incident=incident,
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        content=content,
        author=actor,
    )
    _record(
        incident,
        actor=actor,
        kind=TimelineEvent.Kind.SUBMISSION,
        action=kind,
        payload={"version": submission.version, **content},
    )
    return submission


@transaction.atomic
def incident_submit(*, incident_id: int, actor: User, kind: str, content: dict) -> Submission:
    """Add a version of a structured submission (explanation script, plans, reports). A root
    cause may name its category (a code of the data list), which tells whether it recurs."""
    if kind not in SUBMISSION_ACTIONS:
        raise ValidationError({"kind": _("Not a submission that can be made here.")})
    incident = _lock(incident_id)
    _check(incident, SUBMISSION_ACTIONS[kind], actor)
    if kind == SubmissionKind.ROOT_CAUSE and content.get("category"):
        _categorise(incident, content["category"], actor=actor)
    submission = _submission_add(incident, kind=kind, content=content, actor=actor)
    for deadline_kind in MET_BY_SUBMISSION.get(kind, []):
        deadline_meet(record=incident, kind=deadline_kind, at=submission.created_at)
    return submission


def _categorise(incident: Incident, code: str, *, actor: User) -> None:
    category = RootCauseCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise ValidationError({"category": _("No active root-cause category has this code.")})
    incident.root_cause_category = category
    if incident.recurrence_of_id is None:
        incident.recurrence_of = recurrence_find(incident)
        if incident.recurrence_of is not None:
            _record(
                incident,
                actor=actor,
                kind=TimelineEvent.Kind.IMPROVEMENT,
                action="recurrence",
                payload={"of": incident.recurrence_of.number},
            )
    incident.save(update_fields=["root_cause_category", "recurrence_of", "updated_at"])


def recurrence_find(incident: Incident) -> Incident | None:
    """The latest closed incident of the same business line and root-cause category that
    touched one of the incident's cities and was closed within the recurrence window (data)
    before it occurred, or since."""
    if incident.root_cause_category_id is None:
        return None
    rule = RecurrenceRule.objects.order_by("pk").first()
    since = incident.occurred_at - timedelta(days=rule.days if rule else 90)
    return (
        Incident.objects.filter(
            state=State.CLOSED,
            business_line=incident.business_line,
            root_cause_category_id=incident.root_cause_category_id,
            closed_at__gte=since,
            cities__in=incident.cities.all(),
        )
        .exclude(pk=incident.pk)
        .order_by("-closed_at")
        .first()
    )


def incident_missed_deadlines(incident: Incident) -> list[str]:
    """Names of the incident's deadlines that were missed (breached, whether met late or not)
    — or that are overdue now, before the sweep has marked them."""
    missed = incident.deadlines.filter(
        models.Q(state=DeadlineState.BREACHED)
        | models.Q(state=DeadlineState.PENDING, due_at__lt=timezone.now())
    )
    return sorted({deadline.name for deadline in missed})


@transaction.atomic
def incident_resolve(
    *,
    incident_id: int,
    actor: User,
    restored_at: datetime,
    cause_and_result: str,
    delay_reason: str = "",
) -> Incident:
    """Resolve with the three clears 三清: restoration time, cause and result, and the reason
    for any delay, required when a deadline of the incident was missed."""
    incident = _lock(incident_id)
    _check(incident, "submit", actor)  # state and owner, before looking at the content
    if incident.state != State.HANDLING:
        _check(incident, "resolve", actor)
    errors = {}
    if restored_at > timezone.now() + CLOCK_SKEW:
        errors["restored_at"] = _("Restoration cannot be in the future.")
    elif restored_at < incident.occurred_at:
        errors["restored_at"] = _("Restoration cannot come before the incident occurred.")
    if not cause_and_result.strip():
        errors["cause_and_result"] = _("State the cause and the result.")
    missed = incident_missed_deadlines(incident)
    if missed and not delay_reason.strip():
        errors["delay_reason"] = _("Deadlines were missed (%(kinds)s): give the reason.") % {
            "kinds": ", ".join(missed)
        }
    if errors:
        raise ValidationError(errors)
    missing = missing_before_resolving(incident)
    if missing:
        raise Conflict(
            _("Submit these first: %(missing)s.")
            % {"missing": ", ".join(str(SubmissionKind(kind).label) for kind in missing)},
            code="submissions_missing",
            details={"missing": missing},
        )
    content = {
        "restored_at": restored_at.isoformat(),
        "cause_and_result": cause_and_result,
        "delay_reason": delay_reason,
    }
    _submission_add(incident, kind=SubmissionKind.RESOLUTION, content=content, actor=actor)
    _transition(incident, "resolve", actor, timezone.now(), restored_at, payload=content)
    return incident


@transaction.atomic
def incident_start_improvement(*, incident_id: int, actor: User) -> Incident:
    incident = _lock(incident_id)
    _transition(incident, "start_improvement", actor)
    return incident


@transaction.atomic
def incident_close(*, incident_id: int, actor: User, note: str = "") -> Incident:
    """The working group closes an improving incident once nothing is missing (the summary
    report, the bulletin where required, every action item verified or waived)."""
    incident = _lock(incident_id)
    if incident.state == State.IMPROVING:
        missing = missing_before_closing(incident)
        if missing and is_working_group(incident, actor):
            raise Conflict(
                _("Not yet: %(missing)s.") % {"missing": "; ".join(missing)},
                code="improvement_incomplete",
                details={"missing": missing},
            )
    _transition(incident, "close", actor, timezone.now(), reason=note)
    deadline_cancel(record=incident)
    return incident


@transaction.atomic
def incident_cancel(
    *, incident_id: int, actor: User, reason: str, note: str = "", merged_into_id: int | None = None
) -> Incident:
    """Cancel an open incident: out of scope, withdrawn, or a duplicate merged into another."""
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Unknown reason.")})
    merged_into = None
    if reason == CancelReason.DUPLICATE:
        if merged_into_id is None:
            raise ValidationError({"merged_into": _("Name the incident it duplicates.")})
        if merged_into_id == incident_id:
            raise ValidationError({"merged_into": _("An incident cannot duplicate itself.")})
        merged_into = incident_scope(actor).filter(pk=merged_into_id).first()
        if merged_into is None:  # none, or one the person may not see: alike
            raise ValidationError({"merged_into": _("No such incident.")})
    elif merged_into_id is not None:
        raise ValidationError({"merged_into": _("Only duplicates are merged.")})
    incident = _lock(incident_id)
    _transition(
        incident,
        "cancel",
        actor,
        reason,
        merged_into,
        reason=note,
        payload={
            "cancel_reason": reason,
            "merged_into": merged_into.number if merged_into else None,
        },
    )
    deadline_cancel(record=incident)
    return incident


@transaction.atomic
def incident_change_owner(
    *, incident_id: int, actor: User, department: Department, reason: str
) -> Incident:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the owner changes.")})
    incident = _lock(incident_id)
    old = incident.owning_department
    old_assignee = incident.assignee
    if department == old:
        raise ValidationError({"department": _("This department already owns the incident.")})
    _transition(
        incident,
        "change_owner",
        actor,
        department,
        reason=reason,
        payload={"from": old.code, "to": department.code},
    )
    _record(
        incident,
        actor=actor,
        kind=TimelineEvent.Kind.OWNER,
        payload={"from": old.code, "to": department.code},
        reason=reason,
    )
    Cooperation.objects.filter(incident=incident, department=department).delete()
    deadline_reassign(record=incident, kinds=_owner_kinds(), department=department)
    if old_assignee is not None:
        _record(
            incident,
            actor=actor,
            kind=TimelineEvent.Kind.ASSIGNEE,
            action="cleared",
            payload=assignment_payload(old_assignee, None),
            reason=_("The owning department changed."),
        )
        publish([user_topic(old_assignee.pk)])
    return incident


def person_name(user: User | None) -> str:
    """A person as pages name them: the full name, else the login name."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.full_name if profile and profile.full_name else "") or user.get_username()


def assignment_payload(old: User | None, new: User | None) -> dict:
    """A timeline line's account of an assignment, the names as they were then."""
    return {
        "from": old.pk if old else None,
        "to": new.pk if new else None,
        "from_name": person_name(old),
        "to_name": person_name(new),
    }


def assignee_check(
    *, current: User | None, assignee: User, department: Department | None, reason: str
) -> None:
    """The assignee belongs to ``department`` (the one answering for the record); replacing
    someone needs a reason. Field errors otherwise."""
    if not assignee.is_active or user_department(assignee) != department:
        raise ValidationError(
            {
                "assignee": _("The assignee must be a person of %(department)s.")
                % {"department": department or "—"}
            }
        )
    if current is not None and current.pk == assignee.pk:
        raise ValidationError({"assignee": _("This person is already assigned.")})
    if current is not None and not reason.strip():
        raise ValidationError({"reason": _("Say why the work goes to someone else.")})


def assignee_tell(
    *,
    assignee: User,
    record_label: str,
    title: str,
    link: str,
    reason: str,
    key: str,
    previous: User | None = None,
) -> None:
    """The new assignee learns of it through their channels; the open "My work" pages of
    both people read theirs again."""
    publish([user_topic(assignee.pk), user_topic(previous.pk if previous else None)])
    notify(
        recipients=[assignee],
        kind="assigned",
        subject=translated(
            gettext_lazy("Assigned to you: %(number)s %(title)s"),
            {"number": record_label, "title": title},
        ),
        body=reason,
        link=link,
        dedupe_key=key,
    )


@transaction.atomic
def incident_assign(*, incident_id: int, actor: User, assignee: User, reason: str = "") -> Incident:
    """Name the person of the owning department who works on the incident; a reassignment
    says why. The assignee answers for the owner's pending deadlines (their reminders)."""
    incident = _lock(incident_id)
    _check(incident, "assign", actor)
    old = incident.assignee
    assignee_check(
        current=old, assignee=assignee, department=incident.owning_department, reason=reason
    )
    incident.assign(assignee)
    incident.save(update_fields=["assignee", "updated_at"])
    event = _record(
        incident,
        actor=actor,
        kind=TimelineEvent.Kind.ASSIGNEE,
        action="reassigned" if old else "assigned",
        payload=assignment_payload(old, assignee),
        reason=reason.strip(),
    )
    deadline_reassign(
        record=incident,
        kinds=_owner_kinds(),
        department=incident.owning_department,
        person=assignee,
    )
    assignee_tell(
        assignee=assignee,
        record_label=incident.number,
        title=incident.title,
        link=incident.get_absolute_url(),
        reason=reason.strip(),
        key=f"incident:{incident.pk}:assigned:{event.pk}",
        previous=old,
    )
    return incident


@transaction.atomic
def incident_escalate(
    *,
    incident_id: int,
    actor: User,
    mode: str,
    assignments: list[tuple[Department, str]] | None = None,
) -> Incident:
    """点 → 线: the professional line's head department joins; 线 → 面: the named departments
    join, each with a written assignment (seed 000 第十条(三))."""
    incident = _lock(incident_id)
    _check(incident, "escalate", actor)
    if mode == HandlingMode.LINE:
        head = BusinessLineOwner.objects.filter(business_line=incident.business_line).first()
        if head is None:
            raise ValidationError(
                {"mode": _("No professional line is configured for this business line.")}
            )
        # The line's head department joins; when the owner heads the line itself, its leader
        # is the line head and is notified through the timeline signal.
        joined = [(head.department, "")]
    elif mode == HandlingMode.PLANE:
        if not assignments:
            raise ValidationError({"assignments": _("Name the departments and their assignments.")})
        for _department, text in assignments:
            if not text.strip():
                raise ValidationError(
                    {"assignments": _("Every department needs a written assignment.")}
                )
        joined = list(assignments)
    else:
        raise ValidationError({"mode": _("Escalate to “line” or “plane”.")})
    if mode == HandlingMode.LINE and incident.handling_mode != HandlingMode.POINT:
        raise Conflict(_("Already escalated beyond the owning department."), code="unchanged")
    _transition(
        incident,
        "escalate",
        actor,
        mode,
        payload={"mode": mode, "departments": [d.code for d, _t in joined]},
    )
    for department, text in joined:
        _join(incident, department, reason=mode, actor=actor, assignment=text)
    return incident


@transaction.atomic
def incident_counts_add(
    *,
    incident_id: int,
    day: date,
    complaints: int = 0,
    escalated: int = 0,
    actor: User | None = None,
) -> Incident:
    """Count complaints linked to an incident (in the linking transaction) and run the matrix:
    the level rises at once when a threshold is crossed."""
    incident = _lock(incident_id)
    row, _created = IncidentDailyCount.objects.select_for_update().get_or_create(
        incident=incident, day=day
    )
    IncidentDailyCount.objects.filter(pk=row.pk).update(
        complaints=F("complaints") + complaints, escalated=F("escalated") + escalated
    )
    if incident.state not in (State.CLOSED, State.CANCELLED):
        _reclassify(incident, actor=actor)
    return incident
