"""Reads of accountability: violations by scope, the assessment's figures, rankings, grades."""

from collections import defaultdict
from fractions import Fraction

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum

from complaints.choices import ComplaintState
from complaints.models import Complaint
from deadlines.choices import DeadlineState
from deadlines.models import Deadline, DeadlinePolicy
from incidents.choices import Level, State
from incidents.models import Incident, TimelineEvent
from incidents.selectors import in_period
from organisation.models import Department
from organisation.selectors import scope_to_user, user_department, user_sees_everything

from .models import (
    AssessmentState,
    GradeRule,
    MonthlyAssessment,
    PenaltyRule,
    Violation,
    ViolationShare,
    ViolationState,
)
from .services import _period_bounds


def sees_all_violations(user) -> bool:
    """Marketing, which runs the procedure, the assessment committee and the managers."""
    from .workflow import is_assessor

    return is_assessor(None, user) or user_sees_everything(user)


def violation_scope(user, queryset: QuerySet[Violation] | None = None) -> QuerySet[Violation]:
    """The violations ``user`` may see: a unit its own, :func:`sees_all_violations` all."""
    queryset = Violation.objects.all() if queryset is None else queryset
    return queryset if sees_all_violations(user) else scope_to_user(queryset, user, "department")


def violation_list(*, user) -> QuerySet[Violation]:
    queryset = Violation.objects.select_related("rule", "department", "person__profile")
    return violation_scope(user, queryset).order_by("-created_at", "-id")


def assessment_for(period: str, *, user) -> tuple[MonthlyAssessment | None, dict, QuerySet]:
    """The month's assessment as ``user`` may see it: the assessment row, the summary and the
    items. Whole for :func:`sees_all_violations`; a unit's people see their own items and
    only the shares their department bears (a published summary is the province's, so
    theirs is summed from their frozen items)."""
    from .services import assessment_items

    assessment = MonthlyAssessment.objects.filter(period=period).first()
    if assessment is not None and assessment.state == AssessmentState.PUBLISHED:
        items, published = assessment.violations.all(), assessment.summary
    else:
        items, published = assessment_items(period), None
    if sees_all_violations(user):
        return assessment, published or assessment_summary(items), items
    items = scope_to_user(items, user, "department")
    return assessment, assessment_summary(items, department=user_department(user)), items


def assessment_summary(violations, *, department: Department | None = None) -> dict:
    """Per department and per person: yuan, points, bonus months, circulated criticism; the
    shares ``department`` bears only, where given."""
    shares = ViolationShare.objects.filter(violation__in=violations).select_related(
        "department", "person__profile"
    )
    if department is not None:
        shares = shares.filter(department=department)
    departments: dict[str, dict] = {}
    people: dict[str, dict] = {}
    for share in shares:
        row = departments.setdefault(
            share.department.code,
            {
                "department": share.department.name_zh,
                "yuan": 0,
                "points": 0,
                "bonus_months": 0,
                "criticised": 0,
                "items": set(),
            },
        )
        row["yuan"] += share.yuan
        row["points"] += share.points
        row["bonus_months"] += share.bonus_months
        row["criticised"] += share.circulated_criticism
        row["items"].add(share.violation_id)
        if share.person is not None:
            name = getattr(share.person.profile, "full_name", "") or share.person.username
            person = people.setdefault(
                share.person.username,
                {
                    "name": name,
                    "department": share.department.name_zh,
                    "yuan": 0,
                    "points": 0,
                    "bonus_months": 0,
                    "criticised": 0,
                },
            )
            person["yuan"] += share.yuan
            person["points"] += share.points
            person["bonus_months"] += share.bonus_months
            person["criticised"] += share.circulated_criticism
    for row in departments.values():
        row["items"] = len(row["items"])
    return {
        "departments": dict(sorted(departments.items())),
        "people": dict(sorted(people.items())),
        "total_yuan": sum(row["yuan"] for row in departments.values()),
        "items": violations.count(),
    }


def rankings_visible(period: str, *, user) -> bool:
    """Every unit's figures and grades for the month: to those who run the assessment at any
    time; to everyone else once the month's assessment is published (seed 003 第十二条, results
    published monthly), not while it is a draft."""
    return (
        sees_all_violations(user)
        or MonthlyAssessment.objects.filter(period=period, state=AssessmentState.PUBLISHED).exists()
    )


def rankings(period: str) -> list[dict]:
    """Per department for the period: first-ask resolution rate, on-time handling rate,
    satisfaction, recurrence rate; the bottom three by first-ask resolution rate cannot be
    rated excellent (seed 002)."""
    start, end = _period_bounds(period)
    closed = Complaint.objects.filter(state=ComplaintState.ARCHIVED, updated_at__range=(start, end))
    per_department: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for department_id, first_ask_department_id, repeat, round_, satisfaction in closed.values_list(
        "department_id", "first_ask_department_id", "repeat_count", "round", "satisfaction"
    ):
        owner = department_id or first_ask_department_id
        if owner is None:
            continue
        row = per_department[owner]
        row["closed"] += 1
        row["first_ask"] += repeat == 0 and round_ == 0 and satisfaction == "satisfied"
        row["answered"] += satisfaction != ""
        row["satisfied"] += satisfaction == "satisfied"
        row["repeated"] += repeat > 0
    deadlines = (
        Deadline.objects.filter(
            due_at__range=(start, end), state__in=[DeadlineState.MET, DeadlineState.BREACHED]
        )
        .values("responsible_department")
        .annotate(met=Count("pk", filter=Q(state=DeadlineState.MET)), total=Count("pk"))
    )
    for counted in deadlines:
        if counted["responsible_department"] is not None:
            per_department[counted["responsible_department"]]["met"] = counted["met"]
            per_department[counted["responsible_department"]]["due"] = counted["total"]

    # An incident closed in the period counts as a case too; it recurred when it repeats a
    # closed incident of its line, root-cause category and cities (seed 001 事件重复发生率).
    incidents = (
        Incident.objects.filter(state=State.CLOSED, closed_at__range=(start, end))
        .values("owning_department")
        .annotate(total=Count("pk"), recurred=Count("pk", filter=Q(recurrence_of__isnull=False)))
    )
    for row in incidents:
        per_department[row["owning_department"]]["incidents"] = row["total"]
        per_department[row["owning_department"]]["recurred"] = row["recurred"]

    def rate(part, whole):
        return round(100 * part / whole, 1) if whole else None

    table = []
    exact = {}
    for department in Department.objects.filter(pk__in=per_department).order_by("code"):
        row = per_department[department.pk]
        if row["closed"]:
            exact[department.pk] = row
        table.append(
            {
                "department": department,
                "closed": row["closed"],
                "first_ask_rate": rate(row["first_ask"], row["closed"]),
                "on_time_rate": rate(row["met"], row["due"]),
                "satisfaction": rate(row["satisfied"], row["answered"]),
                "recurrence_rate": rate(
                    row["repeated"] + row["recurred"], row["closed"] + row["incidents"]
                ),
                "excellent_barred": False,
                "bottom_place": None,
                "tied": False,
            }
        )
    _bar_bottom_three(table, {d: Fraction(r["first_ask"], r["closed"]) for d, r in exact.items()})
    return table


def _bar_bottom_three(table: list[dict], rates: dict[int, Fraction]) -> None:
    """Mark the bottom three by first-ask resolution rate (seed 002 六(三)); units tied with
    the third-lowest rate share its place (并列) and are all marked. Exact rates compare, not
    the rounded percentages shown."""
    rated = sorted(rates.values())
    if not rated:
        return
    cutoff = rated[min(3, len(rated)) - 1]
    for row in table:
        rate = rates.get(row["department"].pk)
        if rate is None or rate > cutoff:
            continue
        row["excellent_barred"] = True
        row["bottom_place"] = 1 + sum(other < rate for other in rated)
        row["tied"] = rated.count(rate) > 1


def _vetoes(department: Department, period: str) -> set[str]:
    start, end = _period_bounds(period)
    found = set()
    owned_red = (
        TimelineEvent.objects.filter(
            incident__owning_department=department,
            kind=TimelineEvent.Kind.LEVEL,
            payload__to=Level.RED,
            at__range=(start, end),
        ).exists()
        or Incident.objects.filter(
            owning_department=department, level=Level.RED, created_at__range=(start, end)
        ).exists()
    )
    if owned_red:
        found.add("owned_red_incident")
    shares = ViolationShare.objects.filter(
        department=department,
        violation__state__in=[ViolationState.CONFIRMED, ViolationState.PUBLISHED],
        violation__determined_at__range=(start, end),
    )
    if shares.filter(circulated_criticism=True).exists():
        found.add("circulated_criticism")
    ministry = [rule.pk for rule in rules_triggered_by("escalation:ministry")]
    if shares.filter(violation__rule__in=ministry).exists():
        found.add("ministry_complaint")
    return found


def grades(period: str) -> list[dict]:
    """Departments graded from their month: 100 minus the cascaded points they bear; a grade
    needs its score and none of its vetoes (seed 004 pattern, as data)."""
    start, end = _period_bounds(period)
    points = dict(
        ViolationShare.objects.filter(
            violation__state__in=[ViolationState.CONFIRMED, ViolationState.PUBLISHED],
            violation__determined_at__range=(start, end),
        )
        .values_list("department")
        .annotate(total=Sum("points"))
    )
    rules = list(GradeRule.objects.order_by("grade"))
    result = []
    for department in Department.objects.filter(is_active=True).order_by("code"):
        score = max(0, 100 - (points.get(department.pk) or 0))
        vetoes = _vetoes(department, period)
        grade = next(
            (
                rule.grade
                for rule in rules
                if score >= rule.min_score and not (set(rule.vetoes) & vetoes)
            ),
            None,
        )
        result.append(
            {"department": department, "score": score, "vetoes": sorted(vetoes), "grade": grade}
        )
    return result


# --- which breaches carry a penalty -----------------------------------------------------------

DEADLINE_TRIGGER = "deadline:"
# Any breached deadline of a complaint escalated past the front line (seed 003 第九条(二)14).
ESCALATED_COMPLAINT_TRIGGER = "deadline:escalated-complaint"


def penalty_rules_by_trigger() -> dict[str, list[PenaltyRule]]:
    """Every fact that creates a violation, with the active rules it creates them of.

    ``triggers`` is a JSON list; membership is tested here over the catalogue's few dozen
    rows, not with the JSONField ``contains`` lookup, which SQLite (the embedded default)
    does not have."""
    by_trigger: dict[str, list[PenaltyRule]] = defaultdict(list)
    for rule in PenaltyRule.objects.filter(is_active=True).order_by("code"):
        for trigger in rule.triggers or []:
            by_trigger[trigger].append(rule)
    return dict(by_trigger)


def rules_triggered_by(trigger: str) -> list[PenaltyRule]:
    """The active rules whose violations ``trigger`` creates."""
    return penalty_rules_by_trigger().get(trigger, [])


def penalty_rules_by_deadline_kind() -> dict[str, list[PenaltyRule]]:
    """Deadline kind → the active rules a breach of it is assessed by (catalogue triggers
    ``deadline:<kind>``); a kind missing here carries no penalty of its own."""
    return {
        trigger.removeprefix(DEADLINE_TRIGGER): rules
        for trigger, rules in penalty_rules_by_trigger().items()
        if trigger.startswith(DEADLINE_TRIGGER) and trigger != ESCALATED_COMPLAINT_TRIGGER
    }


def deadline_penalty_rules(deadline: Deadline, by_trigger: dict[str, list[PenaltyRule]]):
    """The rules a breach of this deadline proposes violations of, as the breach receiver
    (``accountability.receivers.on_breach``) decides: those of its kind, and for an escalated
    complaint the escalation's own; none for a deadline no department answers for."""
    if deadline.responsible_department_id is None:
        return []
    rules = list(by_trigger.get(f"{DEADLINE_TRIGGER}{deadline.kind}", []))
    escalated = by_trigger.get(ESCALATED_COMPLAINT_TRIGGER)
    model = ContentType.objects.get_for_id(deadline.content_type_id).model_class()
    if escalated and model is Complaint and getattr(deadline.record, "is_escalated", False):
        rules += escalated
    return rules


def breach_penalties(*, user, period: str) -> list[dict]:
    """Each kind of deadline with the rules its breach is assessed by (none: not assessed)
    and how many of it were breached in ``period`` where ``user`` looks (their department's;
    every department's for the assessors and managers). An escalated complaint's breaches
    add the rules of ``ESCALATED_COMPLAINT_TRIGGER``, whatever their kind."""
    from .workflow import is_assessor

    start, end = _period_bounds(period)
    breached = Deadline.objects.filter(state=DeadlineState.BREACHED, due_at__range=(start, end))
    if not is_assessor(None, user):
        breached = scope_to_user(breached, user, "responsible_department")
    counts = dict(breached.values_list("kind").annotate(count=Count("pk")).order_by())
    by_kind = penalty_rules_by_deadline_kind()
    return [
        {
            "policy": policy,
            "rules": by_kind.get(policy.code, []),
            "breached": counts.get(policy.code, 0),
        }
        for policy in DeadlinePolicy.objects.filter(is_active=True).order_by("record_type", "code")
    ]


def violations_filter(violations: QuerySet[Violation], data: dict) -> QuerySet[Violation]:
    """Apply the list's filters (the cleaned data of `ViolationFilterForm`); the period is
    of the moment the violation occurred."""
    if data.get("state"):
        violations = violations.filter(state=data["state"])
    if data.get("department"):
        violations = violations.filter(department=data["department"])
    return in_period(violations, "occurred_at", data.get("since"), data.get("until"))
