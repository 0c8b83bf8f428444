"""Writes of accountability: proposing violations (by the platform or by hand), the
procedure, the monthly assessment."""

import calendar as month_calendar
from collections.abc import Sequence
from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bulk import instances, rows_merge
from core.errors import Conflict
from core.limits import parse_period
from core.numbering import number_next, numbers_next
from core.transitions import transition_check
from deadlines.models import Deadline, DeadlinePolicy
from deadlines.services import (
    deadline_meet,
    deadline_open,
    deadlines_open_many,
    responsible_person,
)
from notifications.models import Channel
from notifications.services import (
    Message,
    notifications_build_many,
    notifications_store,
    notify,
    translated,
)
from organisation.models import Department, DepartmentKind, Role
from organisation.selectors import department_people

from . import penalties
from .models import (
    AssessmentState,
    CascadeGrade,
    InteractionForm,
    MonthlyAssessment,
    PenaltyRule,
    SelfInspectionReport,
    ShareRole,
    Violation,
    ViolationShare,
    ViolationState,
)

NOTICE_KIND = "accountability-self-inspection-notice"
REPORT_KIND = "accountability-self-inspection-report"


def _assessor_department() -> Department | None:
    return Department.objects.filter(kind=DepartmentKind.MARKETING, is_active=True).first()


def _open(
    violation: Violation, kind: str, department: Department | None, person=None
) -> Deadline | None:
    policy = DeadlinePolicy.objects.filter(code=kind, is_active=True).first()
    if policy is None:
        return None
    return deadline_open(
        record=violation, policy=policy, start=timezone.now(), department=department, person=person
    )


def violation_propose(
    *,
    rule: PenaltyRule,
    evidence_key: str,
    department: Department,
    person: User | None = None,
    evidence: models.Model | None = None,
    deadline: Deadline | None = None,
    occurred_at: datetime | None = None,
    description: str = "",
    actor: User | None = None,
) -> Violation | None:
    """Propose a violation of ``rule``; the same evidence never makes a second one (returns
    None then); ``deadline``, the breached limit it rests on, from which a rule priced per
    hour or day late counts. Marketing must ask the unit to inspect itself within 2 working
    days."""
    if Violation.objects.filter(rule=rule, evidence_key=evidence_key).exists():
        return None
    try:
        with transaction.atomic():
            violation = Violation.objects.create(
                number=number_next(prefix="VIO"),
                rule=rule,
                content_type=ContentType.objects.get_for_model(evidence) if evidence else None,
                object_id=evidence.pk if evidence else None,
                evidence_key=evidence_key,
                deadline=deadline,
                department=department,
                person=person,
                occurred_at=occurred_at or timezone.now(),
                description=description,
                automatic=actor is None,
                created_by=actor,
            )
    except IntegrityError:  # proposed concurrently from the same evidence
        return None
    _proposed([violation])
    return violation


def violations_propose_for_breaches(
    *, breaches: Sequence[tuple[PenaltyRule, Deadline]]
) -> list[Violation]:
    """The violations of a batch of breached deadlines, each ``(rule, deadline)`` (the rules
    a breach is assessed by: :func:`~accountability.selectors.deadline_penalty_rules`),
    exactly those :func:`violation_propose` would propose one by one, in a few statements:
    the evidence already proposed read at once and left, the numbers drawn at once, the rows
    written in one statement (a proposal made concurrently from the same evidence wins),
    then the notices. Runs inside the caller's transaction, which holds the deadlines."""
    wanted: dict[tuple[int, str], tuple[PenaltyRule, Deadline]] = {}
    for rule, deadline in breaches:
        wanted.setdefault((rule.pk, f"deadline:{deadline.pk}"), (rule, deadline))
    if not wanted:
        return []
    proposed = set(
        Violation.objects.filter(evidence_key__in={key for _rule, key in wanted}).values_list(
            "rule_id", "evidence_key"
        )
    )
    fresh = [(key, pair) for key, pair in wanted.items() if key not in proposed]
    if not fresh:
        return []
    numbers = numbers_next(prefix="VIO", count=len(fresh))
    now = timezone.now()
    records = [deadline.record for _key, (_rule, deadline) in fresh]
    rows = instances(  # built positionally: a storm's thousands
        Violation,
        (
            {
                "number": number,
                "rule_id": rule.pk,
                "content_type_id": deadline.content_type_id if record else None,
                "object_id": record.pk if record else None,
                "evidence_key": evidence_key,
                "deadline_id": deadline.pk,
                "department_id": deadline.responsible_department_id,
                "person_id": deadline.responsible_person_id,
                "occurred_at": deadline.due_at or now,
                "description": f"{deadline.name}: {getattr(record, 'number', '')}",
                "automatic": True,
            }
            for number, ((_rule_id, evidence_key), (rule, deadline)), record in zip(
                numbers, fresh, records, strict=True
            )
        ),
    )
    rule_field, department_field = (
        Violation._meta.get_field(name) for name in ("rule", "department")
    )
    for row, (_key, (rule, deadline)) in zip(rows, fresh, strict=True):
        rule_field.set_cached_value(row, rule)  # the notices name them
        department_field.set_cached_value(row, deadline.responsible_department)
    # the numbers were drawn for this call: they tell the rows it wrote
    violations = rows_merge(rows, key=["number"], conflict=["rule", "evidence_key"])
    _proposed(violations)
    return violations


def _proposed(violations: list[Violation]) -> None:
    """Marketing must ask the units to inspect themselves within 2 working days: the notice
    limits start, and marketing's interface persons are told of each violation."""
    if not violations:
        return
    assessor = _assessor_department()
    policy = DeadlinePolicy.objects.filter(code=NOTICE_KIND, is_active=True).first()
    if policy is not None:
        start, person = timezone.now(), responsible_person(assessor)
        deadlines_open_many(
            [(violation, policy, start, assessor, person) for violation in violations]
        )
    readers = list(department_people(assessor, Role.INTERFACE_PERSON)) if assessor else []
    notifications_store(
        notifications_build_many(
            Message(
                recipients=readers,
                kind="violation.proposed",
                subject=translated(  # rule and department named in each reader's language
                    gettext_lazy("Possible violation %(number)s: %(rule)s, %(department)s"),
                    {
                        "number": violation.number,
                        "rule": violation.rule,
                        "department": violation.department,
                    },
                ),
                link=violation.get_absolute_url(),
                dedupe_key=f"violation:{violation.pk}:proposed",
            )
            for violation in violations
        ),
        channels=(Channel.EMAIL,),
        digest=True,  # a storm's violations: one e-mail per batch to each reader
    )


def _lock(violation_id: int) -> Violation:
    return (
        Violation.objects.select_for_update()
        .select_related("rule", "department")
        .get(pk=violation_id)
    )


def _check(violation: Violation, method: str, actor: User | None) -> None:
    transition_check(
        violation,
        method,
        actor,
        not_now=_("Not allowed while the violation is %(state)s."),
        forbidden=_("You may not do this."),
    )


@transaction.atomic
def violation_request_inspection(*, violation_id: int, actor: User) -> Violation:
    violation = _lock(violation_id)
    _check(violation, "request_inspection", actor)
    violation.request_inspection()
    violation.save()
    deadline_meet(record=violation, kind=NOTICE_KIND)
    contact = department_people(violation.department, Role.INTERFACE_PERSON).first()
    report = _open(violation, REPORT_KIND, violation.department, contact)
    due = report.due_at if report is not None else None
    notify(
        recipients=department_people(
            violation.department, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER
        ),
        kind="violation.inspect",
        subject=translated(  # the report's due time comes from its deadline policy (data)
            gettext_lazy("Self-inspection requested: %(number)s %(rule)s (report by %(due)s)")
            if due is not None
            else gettext_lazy("Self-inspection requested: %(number)s %(rule)s"),
            {
                "number": violation.number,
                "rule": violation.rule,
                "due": due and timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            },
        ),
        link=violation.get_absolute_url(),
        dedupe_key=f"violation:{violation.pk}:inspect",
    )
    return violation


@transaction.atomic
def violation_report(
    *,
    violation_id: int,
    actor: User,
    findings: str,
    responsible_person: User | None = None,
    disputed: bool = False,
    evidence: str = "",
) -> SelfInspectionReport:
    """The unit's self-inspection report: it names the responsible person, or disputes the
    violation with its evidence."""
    if not findings.strip():
        raise ValidationError({"findings": _("Describe what the self-inspection found.")})
    if not disputed and responsible_person is None:
        raise ValidationError({"responsible_person": _("Name the responsible person, or dispute.")})
    violation = _lock(violation_id)
    _check(violation, "report", actor)
    violation.report()
    if responsible_person is not None:
        violation.person = responsible_person
    violation.save()
    deadline_meet(record=violation, kind=REPORT_KIND)
    return SelfInspectionReport.objects.create(
        violation=violation,
        responsible_person=responsible_person,
        disputed=disputed,
        findings=findings,
        evidence=evidence,
        submitted_by=actor,
    )


def _period_bounds(period: str) -> tuple[datetime, datetime]:
    """The first and the last moment of the month ``YYYY-MM``; ``ValueError`` for anything
    else (core.limits.parse_period: never an overflow for a huge year)."""
    year, month = parse_period(period)
    tz = timezone.get_current_timezone()
    last = month_calendar.monthrange(year, month)[1]
    return (
        datetime.combine(date(year, month, 1), time.min, tzinfo=tz),
        datetime.combine(date(year, month, last), time.max, tzinfo=tz),
    )


def period_of(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def _chain(violation: Violation) -> list[tuple[str, User | None]]:
    """The line of responsibility (seed 004): the responsible person, the department head,
    the head's direct superior and that person's superior."""
    head = department_people(violation.department, Role.DEPARTMENT_LEADER).first()
    superior = getattr(getattr(head, "profile", None), "superior", None)
    above = getattr(getattr(superior, "profile", None), "superior", None)
    person = (
        violation.person or department_people(violation.department, Role.INTERFACE_PERSON).first()
    )
    return [
        (ShareRole.RESPONSIBLE, person),
        (ShareRole.DEPARTMENT_HEAD, head),
        (ShareRole.DIRECT_SUPERIOR, superior),
        (ShareRole.SUPERIOR_OF_SUPERIOR, above),
    ]


def _shares(violation: Violation, *, circulated: bool) -> list[ViolationShare]:
    rule = violation.rule
    chain = dict(_chain(violation))
    start, end = _period_bounds(period_of(violation.occurred_at))
    occurrence = (
        Violation.objects.filter(
            rule=rule,
            department=violation.department,
            occurred_at__range=(start, end),
            state__in=[ViolationState.CONFIRMED, ViolationState.PUBLISHED],
        )
        .exclude(pk=violation.pk)
        .count()
        + 1
    )
    spec = penalties.RuleSpec(
        yuan=rule.yuan,
        yuan_subsequent=rule.yuan_subsequent,
        priced_per=rule.priced_per,
        doubles_when=rule.doubles_when,
    )
    amount = penalties.yuan(
        spec, occurrence=occurrence, units_late=violation.units_late, doubled=violation.doubled
    )
    payer = ShareRole.DEPARTMENT_HEAD if rule.target == "department_head" else ShareRole.RESPONSIBLE
    shares: dict[str, ViolationShare] = {}

    def share(role: str) -> ViolationShare:
        if role not in shares:
            person = chain.get(role)
            # a share counts against the department of the person who bears it
            home = getattr(getattr(person, "profile", None), "department", None)
            shares[role] = ViolationShare(
                violation=violation,
                person=person,
                department=home or violation.department,
                role=role,
            )
        return shares[role]

    if amount:
        share(payer).yuan = amount
    if rule.cascade_grade:
        grade = CascadeGrade.objects.get(grade=rule.cascade_grade)
        spec_grade = penalties.GradeSpec(
            grade.responsible,
            grade.department_head,
            grade.direct_superior,
            grade.superior_of_superior,
        )
        for role, _person, points in penalties.cascade(spec_grade, list(chain.items())):
            share(role).points = points
    if rule.bonus_months_max:
        # seed 002: the responsible person (and supervising leader) and the unit head
        for role in (ShareRole.RESPONSIBLE, ShareRole.DEPARTMENT_HEAD):
            share(role).bonus_months = rule.bonus_months_min or 1
    if rule.circulated_criticism:
        # seed 002 六(四): the responsible person and the unit head, each criticised
        # province-wide
        for role in (ShareRole.RESPONSIBLE, ShareRole.DEPARTMENT_HEAD):
            share(role).circulated_criticism = True
    elif circulated:  # the unit that did not report in time, through its head
        share(ShareRole.DEPARTMENT_HEAD).circulated_criticism = True
    return list(shares.values())


def _units_late(violation: Violation) -> int:
    """The hours or days late of a rule priced so, from its breached deadline: until the step
    was done, or until now while it is still not done."""
    deadline = violation.deadline
    if deadline is None or deadline.due_at is None:
        return violation.units_late
    return penalties.units_late(
        violation.rule.priced_per, due=deadline.due_at, done=deadline.met_at or timezone.now()
    )


def _confirm(
    violation: Violation, *, actor: User | None, reason: str, circulated: bool = False
) -> None:
    violation.confirm()
    violation.units_late = _units_late(violation)
    violation.determination = reason
    violation.determined_at = timezone.now()
    violation.determined_by = actor
    violation.save()
    ViolationShare.objects.filter(violation=violation).delete()
    ViolationShare.objects.bulk_create(_shares(violation, circulated=circulated))
    for kind in (NOTICE_KIND, REPORT_KIND):
        deadline_meet(record=violation, kind=kind)


@transaction.atomic
def violation_confirm(
    *,
    violation_id: int,
    actor: User,
    reason: str,
    customer_left: bool = False,
    bonus_months: int | None = None,
) -> Violation:
    """Determined a violation (disputed cases on the evidence): the penalties are fixed."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reasons of the determination.")})
    violation = _lock(violation_id)
    _check(violation, "confirm", actor)
    rule = violation.rule
    if (
        bonus_months is not None
        and not rule.bonus_months_min <= bonus_months <= rule.bonus_months_max
    ):
        raise ValidationError(
            {
                "bonus_months": _("Between %(low)s and %(high)s months.")
                % {"low": rule.bonus_months_min, "high": rule.bonus_months_max}
            }
        )
    violation.doubled = (
        rule.doubles_when == "customer_left" and customer_left
    ) or violation.doubled
    _confirm(violation, actor=actor, reason=reason)
    if bonus_months is not None:
        violation.shares.filter(bonus_months__gt=0).update(bonus_months=bonus_months)
    return violation


@transaction.atomic
def violation_dismiss(*, violation_id: int, actor: User, reason: str) -> Violation:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reasons of the determination.")})
    violation = _lock(violation_id)
    _check(violation, "dismiss", actor)
    violation.dismiss()
    violation.determination = reason
    violation.determined_at = timezone.now()
    violation.determined_by = actor
    violation.save()
    for kind in (NOTICE_KIND, REPORT_KIND):
        deadline_meet(record=violation, kind=kind)
    return violation


def violation_confirm_late_report(*, violation_id: int) -> None:
    """No self-inspection report within 5 working days: deemed a violation, with circulated
    criticism (seed 002 (二): 逾期不报的，视为该单位违反“首问责任制”)."""
    violation = _lock(violation_id)
    if violation.state != ViolationState.INSPECTING:
        return
    _confirm(
        violation,
        actor=None,
        reason=_("No self-inspection report within the limit: deemed confirmed."),
        circulated=True,
    )


@transaction.atomic
def interaction_form_create(
    *,
    actor: User,
    department: Department,
    responsible_person: str,
    customer_name: str,
    complaint_reason: str,
    violation_description: str,
    cs_opinion: str,
    phone: str,
    person: User | None = None,
) -> InteractionForm:
    """The CS centre's 互动单 to marketing about a suspected first-ask violation (seed 002)."""
    rule = PenaltyRule.objects.get(code="first-ask")
    violation = violation_propose(
        rule=rule,
        # a new number each time: the same evidence (which returns None) cannot recur
        evidence_key=f"interaction:{number_next(prefix='IF')}",
        department=department,
        person=person,
        description=violation_description,
        actor=actor,
    )
    assert violation is not None
    return InteractionForm.objects.create(
        violation=violation,
        responsible_person=responsible_person,
        customer_name=customer_name,
        complaint_reason=complaint_reason,
        violation_description=violation_description,
        cs_opinion=cs_opinion,
        cs_signed_by=actor,
        cs_signed_at=timezone.localdate(),
        department=department,
        phone=phone,
    )


# --- the monthly assessment -------------------------------------------------------------------


def assessment_items(period: str):
    """Confirmed violations determined in ``period`` not yet in an assessment."""
    start, end = _period_bounds(period)
    return Violation.objects.filter(
        state=ViolationState.CONFIRMED, determined_at__range=(start, end), assessment__isnull=True
    )


def _assessment(period: str) -> MonthlyAssessment:
    try:
        _period_bounds(period)
    except ValueError:
        raise ValidationError({"period": _("A period is YYYY-MM.")}) from None
    return MonthlyAssessment.objects.select_for_update().get_or_create(period=period)[0]


@transaction.atomic
def assessment_approve(*, period: str, actor: User) -> MonthlyAssessment:
    """The assessment committee approves the month's items."""
    from organisation.selectors import user_has_role

    if not user_has_role(actor, Role.ASSESSMENT_COMMITTEE, Role.ADMIN):
        raise PermissionDenied(_("The assessment committee approves the monthly assessment."))
    assessment = _assessment(period)
    if assessment.state != AssessmentState.DRAFT:
        raise Conflict(_("This assessment is already approved."), code="invalid_state")
    assessment.state = AssessmentState.APPROVED
    assessment.approved_by, assessment.approved_at = actor, timezone.now()
    assessment.save()
    return assessment


@transaction.atomic
def assessment_publish(*, period: str, actor: User) -> MonthlyAssessment:
    """Publish the approved assessment; its items are frozen from now on."""
    from .selectors import assessment_summary

    assessment = _assessment(period)
    if assessment.state != AssessmentState.APPROVED:
        raise Conflict(_("Approve the assessment before publishing it."), code="invalid_state")
    items = list(assessment_items(period).select_for_update())
    for violation in items:
        violation.publish()
        violation.assessment = assessment
        violation.save()
    assessment.state = AssessmentState.PUBLISHED
    assessment.published_by, assessment.published_at = actor, timezone.now()
    assessment.summary = assessment_summary(Violation.objects.filter(assessment=assessment))
    assessment.save()
    return assessment
