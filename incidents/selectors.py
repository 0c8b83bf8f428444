"""Reads about incidents: the facts the matrix needs, lists scoped to the reader, history."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.assignment import assigned_q
from core.keyset import Key, page_query
from core.search import number_matches, search
from deadlines.choices import DeadlineState
from deadlines.models import Deadline, overdue_condition, overdue_records, pending_prefetch
from incidents.choices import ActionItemState, State, SubmissionKind
from incidents.models import (
    ActionItem,
    ClassificationRuleSet,
    Incident,
    IncidentDailyCount,
    Submission,
    TimelineEvent,
)
from organisation.selectors import (
    scope_branches,
    scope_to_user,
    user_department,
    user_sees_everything,
)

from .classification import Facts, RuleSpec
from .workflow import LIVE_STATES

WEEK_DAYS = 7  # "一周" of 表-1: the day itself and the six before it
# The lists' total orders, which cursors page through: incidents newest first, deadlines
# most urgent first (those still without a due time last).
INCIDENT_ORDER = (Key("created_at", descending=True), Key("id", descending=True))
DEADLINE_ORDER = (Key("due_at", nullable=True), Key("id"))


def rule_set_current() -> ClassificationRuleSet | None:
    """The newest version of the warning-level matrix."""
    return ClassificationRuleSet.objects.prefetch_related("rules").order_by("-version").first()


def rule_specs(rule_set: ClassificationRuleSet) -> list[RuleSpec]:
    return [
        RuleSpec(
            factor=rule.factor,
            level=rule.level,
            operator=rule.operator,
            threshold=rule.threshold,
            problem_kind=rule.problem_kind,
        )
        for rule in rule_set.rules.all()
    ]


def incident_counts(incident: Incident, today: date | None = None) -> dict[str, int]:
    """Complaints today, escalated today and escalated over the last seven days, in the
    deployment's time zone."""
    today = today or timezone.localdate()
    rows = IncidentDailyCount.objects.filter(
        incident=incident, day__gt=today - timedelta(days=WEEK_DAYS), day__lte=today
    ).values_list("day", "complaints", "escalated")
    counts = {"complaints_today": 0, "escalated_today": 0, "escalated_this_week": 0}
    for day, complaints, escalated in rows:
        counts["escalated_this_week"] += escalated
        if day == today:
            counts["complaints_today"] = complaints
            counts["escalated_today"] = escalated
    return counts


def incident_facts(incident: Incident) -> Facts:
    counts = incident_counts(incident)
    return Facts(
        business_line=incident.business_line,
        cities=incident.cities.count(),
        customers_affected=incident.customers_affected,
        complaints_per_day=counts["complaints_today"],
        escalated_per_day=counts["escalated_today"],
        escalated_per_week=counts["escalated_this_week"],
        publicity=incident.publicity,
        hq_level=incident.hq_level,
    )


def _count_subquery(field: str, since: date, until: date):
    return Coalesce(
        Subquery(
            IncidentDailyCount.objects.filter(
                incident=OuterRef("pk"), day__gte=since, day__lte=until
            )
            .values("incident")
            .annotate(total=Sum(field))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


# What ties an incident to the departments whose people may see it.
VISIBLE_THROUGH = (
    "owning_department",
    "cooperations__department",
    "created_by__profile__department",
    "action_items__owner_department",
)
# What names the reporter of an incident: an intake key reads back what it reported.
SUBMITTED_BY = "created_by"


def incident_branches(user) -> list[Q]:
    """The ways an incident reaches ``user`` (:func:`organisation.selectors.scope_branches`),
    for a list to read each on its own; none when ``user`` sees them all."""
    return scope_branches(Incident, user, *VISIBLE_THROUGH, submitted_by=SUBMITTED_BY) or []


def incident_scope(user) -> QuerySet[Incident]:
    """The incidents ``user`` may see, with nothing joined (for existence checks)."""
    return scope_to_user(Incident.objects.all(), user, *VISIBLE_THROUGH, submitted_by=SUBMITTED_BY)


def incident_linkable(*, user) -> QuerySet[Incident]:
    """The incidents ``user`` may link complaints to: live ones within what they may see.
    Linking raises an incident's counts, and with them its level, so nothing else is."""
    return incident_scope(user).filter(state__in=LIVE_STATES)


def incident_rows(*, user) -> QuerySet[Incident]:
    """Incidents ``user`` may see, newest first, with what the list page shows: the owning
    department, the cities, the assignee, the pending deadlines
    (:func:`deadlines.models.pending_prefetch`) and today's complaints (its export reads
    the same rows)."""
    today = timezone.localdate()
    queryset = (
        Incident.objects.select_related("owning_department")
        .prefetch_related("cities", "assignee__profile", pending_prefetch())
        .annotate(complaints_today=_count_subquery("complaints", today, today))
    )
    return _visible_newest(queryset, user)


def incident_list(*, user) -> QuerySet[Incident]:
    """Incidents ``user`` may see, newest first, with all the API renders of each: every
    deadline, the cooperating departments and the derived complaint counts."""
    today = timezone.localdate()
    queryset = (
        Incident.objects.select_related(
            "owning_department", "rule_set", "created_by", "root_cause_category", "recurrence_of"
        )
        .prefetch_related(
            "cities",
            "cooperations__department",
            "assignee__profile",
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.select_related("responsible_department").order_by(
                    "due_at", "id"
                ),
            ),
        )
        .annotate(
            complaints_today=_count_subquery("complaints", today, today),
            escalated_today=_count_subquery("escalated", today, today),
            escalated_this_week=_count_subquery(
                "escalated", today - timedelta(days=WEEK_DAYS - 1), today
            ),
        )
    )
    return _visible_newest(queryset, user)


def _visible_newest(queryset: QuerySet[Incident], user) -> QuerySet[Incident]:
    return scope_to_user(queryset, user, *VISIBLE_THROUGH, submitted_by=SUBMITTED_BY).order_by(
        "-created_at", "-id"
    )


def counts_newest(
    queryset: QuerySet, field: str, cap: int, branches: Sequence[Q] = ()
) -> tuple[dict, bool]:
    """How many of the newest ``cap`` rows of ``queryset`` (in the list's order) have each
    value of ``field``, and whether the list goes on beyond them: then each count is a lower
    bound ("at least"). One query that reads at most ``cap`` + 1 rows, in whatever scope:
    read as the list's pages are (its scope's ``branches`` one by one, a search for an
    uncommon word in windows of time)."""
    values = list(
        page_query(queryset, INCIDENT_ORDER, None, cap, branches).query.values_list(
            field, flat=True
        )
    )
    counts: dict = {}
    for value in values[:cap]:
        counts[value] = counts.get(value, 0) + 1
    return counts, len(values) > cap


def incident_timeline(incident: Incident) -> QuerySet[TimelineEvent]:
    return incident.timeline.select_related("actor__profile").order_by("at", "id")


def incident_level_history(incident: Incident) -> QuerySet[TimelineEvent]:
    return incident_timeline(incident).filter(kind=TimelineEvent.Kind.LEVEL)


def incident_submissions_latest(incident: Incident) -> dict[str, Submission]:
    """The latest version of each kind of submission."""
    latest: dict[str, Submission] = {}
    for submission in incident.submissions.select_related("author__profile").order_by(
        "kind", "-version"
    ):
        latest.setdefault(submission.kind, submission)
    return latest


def deadline_branches(user) -> list[Q]:
    """The ways a deadline reaches ``user``'s list: they answer for it personally, or their
    department does. A list reads each on its own index (:func:`core.keyset.page_query`):
    the department's unmet ones in due order, the person's few; read at once, the ``OR``
    walks every department's unmet deadlines in due order, testing each."""
    department = user_department(user)
    branches = [Q(responsible_person=user)]
    if department is not None:
        branches.append(Q(responsible_department=department))
    return branches


def deadline_list(*, user, everyone: bool = False) -> QuerySet[Deadline]:
    """Deadlines ``user`` answers for (:func:`deadline_branches`; ``everyone``: all of them,
    for a manager), most urgent first (then those still without a due time)."""
    deadlines = Deadline.objects.all()
    if not everyone:
        deadlines = deadlines.filter(reduce(or_, deadline_branches(user)))
    return (
        deadlines.select_related(
            "content_type", "responsible_department", "responsible_person__profile"
        )
        .prefetch_related("record")
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def deadlines_filter(deadlines: QuerySet[Deadline], data: dict) -> QuerySet[Deadline]:
    """Apply the list's filters (`DeadlineFilterForm`): by default what is still to do."""
    now = timezone.now()
    pending = deadlines.filter(state=DeadlineState.PENDING, met_at__isnull=True)
    when = data.get("when")
    if when == "overdue":  # missed and still not done: breached by the sweep, or about to be
        deadlines = deadlines.filter(overdue_condition(now))
    elif when == "soon":
        soon = now + timedelta(minutes=settings.DEADLINE_DUE_SOON_MINUTES)
        deadlines = pending.filter(due_at__gte=now, due_at__lt=soon)
    elif when == "settled":
        deadlines = deadlines.filter(state__in=[DeadlineState.MET, DeadlineState.BREACHED])
        deadlines = in_period(deadlines, "due_at", data.get("since"), data.get("until"))
    else:
        deadlines = deadlines.filter(
            state__in=[DeadlineState.PENDING, DeadlineState.BREACHED], met_at__isnull=True
        )
    if data.get("department"):
        deadlines = deadlines.filter(responsible_department=data["department"])
    if data.get("kind"):
        deadlines = deadlines.filter(kind=data["kind"])
    return deadlines


def _answers_for(user) -> Q:
    """The measures ``user`` answers for, personally or through their department (as owner
    of the measure or of the incident)."""
    department = user_department(user)
    condition = Q(owner=user)
    if department is not None:
        condition |= Q(owner_department=department) | Q(incident__owning_department=department)
    return condition


def action_item_scope(user) -> QuerySet[ActionItem]:
    """The scoping rule of rectification measures: those of the incidents ``user`` may see
    and those they answer for; managers see all. Every page and API view of a measure
    starts here."""
    if user_sees_everything(user):
        return ActionItem.objects.all()
    return ActionItem.objects.filter(_answers_for(user) | Q(incident__in=incident_scope(user)))


def action_item_list(*, user, states=(ActionItemState.OPEN, ActionItemState.DONE)):
    """The measures ``user`` answers for (managers: all) in ``states``, soonest due first;
    within :func:`action_item_scope`."""
    # what one answers for lies within what one may see: no need to go through the scope
    items = ActionItem.objects.filter(state__in=states)
    if not user_sees_everything(user):
        items = items.filter(_answers_for(user))
    return (
        items.select_related("incident", "owner_department", "owner__profile")
        .prefetch_related(
            Prefetch("deadlines", queryset=Deadline.objects.order_by("-round", "-id"))
        )
        .order_by("due_at", "id")
    )


def incident_action_items(incident: Incident):
    return incident.action_items.select_related(
        "owner_department", "owner__profile", "verified_by__profile"
    ).prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("-round", "-id")))


# What the special bulletin's timeline shows: how the event was handled, step by step.
BULLETIN_EVENTS = (
    TimelineEvent.Kind.CREATED,
    TimelineEvent.Kind.TRANSITION,
    TimelineEvent.Kind.LEVEL,
    TimelineEvent.Kind.SUBMISSION,
)


def bulletin_data(incident: Incident) -> dict:
    """The special bulletin 专题简报: facts, timeline, cause, measures and effect, drawn from
    the incident (seed 000 第十二条(二))."""
    submissions = incident_submissions_latest(incident)
    summary = submissions.get(SubmissionKind.SUMMARY_REPORT)
    root_cause = submissions.get(SubmissionKind.ROOT_CAUSE)
    resolution = submissions.get(SubmissionKind.RESOLUTION)
    events = [
        event
        for event in incident_timeline(incident).filter(kind__in=BULLETIN_EVENTS)
        if event.kind != TimelineEvent.Kind.TRANSITION or event.from_state != event.to_state
    ]
    return {
        "incident": incident,
        "cities": list(incident.cities.all()),
        "timeline": events,
        "root_cause": root_cause.content if root_cause else {},
        "summary": summary.content if summary else {},
        "resolution": resolution.content if resolution else {},
        "measures": list(incident_action_items(incident)),
        "bulletin": submissions.get(SubmissionKind.BULLETIN),
        "closed": incident.state == State.CLOSED,
    }


def period_bounds(
    since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    """The local days ``since``..``until`` as moments: from the start of the first day to
    the start of the day after the last."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None
    return start, end


def in_period(queryset: QuerySet, field: str, since, until) -> QuerySet:
    start, end = period_bounds(since, until)
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__lt": end})
    return queryset


INCIDENT_PERIOD_FIELDS = {"created": "created_at", "resolved": "resolved_at", "closed": "closed_at"}


def incidents_filter(incidents: QuerySet[Incident], data: dict, user=None) -> QuerySet[Incident]:
    """Apply the list's filters (the cleaned data of `IncidentFilterForm`; ``user`` is "me"
    of the assignee filter)."""
    if data.get("assignee"):
        incidents = incidents.filter(assigned_q("assignee", data["assignee"], user))
    if data.get("state") == "live":
        incidents = incidents.filter(state__in=LIVE_STATES)
    elif data.get("state"):
        incidents = incidents.filter(state=data["state"])
    for field in ("level", "business_line"):
        if data.get(field):
            incidents = incidents.filter(**{field: data[field]})
    if data.get("department"):
        incidents = incidents.filter(owning_department=data["department"])
    if data.get("city"):
        incidents = incidents.filter(cities=data["city"])
    field = INCIDENT_PERIOD_FIELDS.get(data.get("event") or "created", "created_at")
    incidents = in_period(incidents, field, data.get("since"), data.get("until"))
    if data.get("q"):
        incidents = incidents_search(incidents, data["q"])
    if data.get("overdue"):
        incidents = incidents.filter(pk__in=overdue_records(Incident))
    return incidents


def incidents_assigned(user) -> QuerySet[Incident]:
    """The live incidents ``user`` is assigned to (within what they may see)."""
    return incident_scope(user).filter(assignee=user.pk, state__in=LIVE_STATES)


def action_items_assigned(user) -> QuerySet[ActionItem]:
    """The open measures ``user`` answers for by name."""
    items = action_item_scope(user).filter(owner=user.pk, state=ActionItemState.OPEN)
    return items.select_related("incident")


def incidents_search(incidents: QuerySet[Incident], q: str) -> QuerySet[Incident]:
    """The incidents ``q`` finds: by number (or its beginning), by a part of the title or the
    description (two characters or more)."""
    q = q.strip()
    if not q:
        return incidents
    return search(
        incidents,
        q,
        text=("title", "description"),
        index="incident_search_text",
        exact=number_matches(q),
    )


def action_items_filter(items: QuerySet[ActionItem], data: dict) -> QuerySet[ActionItem]:
    """Apply my rectification items' filters (`ActionItemFilterForm`) to
    :func:`action_item_list` of every state."""
    state = data.get("state")
    if not state:
        items = items.filter(state__in=(ActionItemState.OPEN, ActionItemState.DONE))
    elif state != "all":
        items = items.filter(state=state)
    if data.get("department"):
        items = items.filter(owner_department=data["department"])
    if data.get("overdue"):
        items = items.filter(pk__in=overdue_records(ActionItem))
    return items
