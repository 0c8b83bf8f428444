"""After the event (seed 000 第十二条, seed 001 三(五) and 五): the rectification plan's action
items tracked to verification, the summary report, the special bulletin, and the working
group's supervision samples. Same rules as ``services``: atomic, keyword-only, row locks."""

from datetime import date, datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import transition_check
from deadlines.models import DeadlinePolicy
from deadlines.services import deadline_cancel, deadline_meet, deadline_open, deadline_reassign
from incidents.models import (
    ActionItem,
    Submission,
    TimelineEvent,
)
from notifications.services import notify, translated
from organisation.models import Department, Role
from organisation.selectors import department_people, user_department

from .choices import SubmissionKind
from .services import (
    CLOCK_SKEW,
    _check,
    _lock,
    _record,
    _submission_add,
    assignee_check,
    assignee_tell,
    assignment_payload,
)
from .workflow import ITEM_FORBIDDEN, is_major

ACTION_ITEM_KIND = "action-item"


# --- the summary report and the special bulletin ------------------------------------------------


def _required(values: dict, fields: list[str]) -> dict:
    return {
        field: _("This field is required.")
        for field in fields
        if not str(values.get(field) or "").strip()
    }


@transaction.atomic
def incident_report_summary(
    *,
    incident_id: int,
    actor: User,
    cause: str,
    process: str,
    result: str,
    lessons: str,
    meeting_date: date | None = None,
    attendees: str = "",
    conclusions: str = "",
) -> Submission:
    """The owner's summary report 事件总结报告 (seed 001 三(五)1): cause, process, result,
    lessons; a major event is discussed in a meeting, whose date, attendees and conclusions
    are part of the report. A new call is a new version."""
    incident = _lock(incident_id)
    _check(incident, "report_improvement", actor)
    content = {
        "cause": cause,
        "process": process,
        "result": result,
        "lessons": lessons,
        "meeting_date": meeting_date.isoformat() if meeting_date else "",
        "attendees": attendees,
        "conclusions": conclusions,
    }
    required = ["cause", "process", "result", "lessons"]
    if is_major(incident):
        required += ["meeting_date", "attendees", "conclusions"]
    errors = _required(content, required)
    if errors:
        raise ValidationError(errors)
    return _submission_add(
        incident, kind=SubmissionKind.SUMMARY_REPORT, content=content, actor=actor
    )


@transaction.atomic
def incident_report_bulletin(
    *,
    incident_id: int,
    actor: User,
    effect: str,
    reported_to: str,
    reported_at: datetime,
    hq_recipients: str = "",
) -> Submission:
    """The special bulletin 专题简报 (seed 000 第十二条(二)(三)): its facts, timeline, cause and
    measures come from the incident; the owner adds the effect of the measures and records the
    report of the measures to the executive in charge and the leadership group."""
    incident = _lock(incident_id)
    _check(incident, "report_improvement", actor)
    content = {
        "effect": effect,
        "reported_to": reported_to,
        "reported_at": reported_at.isoformat() if reported_at else "",
        "hq_recipients": hq_recipients,
    }
    errors = _required(content, ["effect", "reported_to", "reported_at"])
    if reported_at and reported_at > timezone.now() + CLOCK_SKEW:
        errors["reported_at"] = _("The report cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return _submission_add(incident, kind=SubmissionKind.BULLETIN, content=content, actor=actor)


# --- action items -------------------------------------------------------------------------------


@transaction.atomic
def action_item_add(
    *,
    incident_id: int,
    actor: User,
    title: str,
    owner_department: Department,
    due_at: datetime,
    owner: User | None = None,
    description: str = "",
) -> ActionItem:
    """A measure of the rectification plan, with owner and due date; its due date is a
    deadline of the deadline engine (reminders, breach, accountability)."""
    incident = _lock(incident_id)
    _check(incident, "plan_improvement", actor)
    errors = _required({"title": title}, ["title"])
    now = timezone.now()
    if due_at <= now:
        errors["due_at"] = _("The due date must be in the future.")
    if owner is not None and user_department(owner) != owner_department:
        errors["owner"] = _("The owner must belong to the owner department.")
    if errors:
        raise ValidationError(errors)
    item = ActionItem.objects.create(
        incident=incident,
        title=title.strip(),
        description=description,
        owner_department=owner_department,
        owner=owner,
        due_at=due_at,
        created_by=actor,
        created_at=now,
    )
    deadline_open(
        record=item,
        policy=DeadlinePolicy.objects.get(code=ACTION_ITEM_KIND),
        start=now,
        department=owner_department,
        person=owner,
        due=due_at,
    )
    _item_record(item, actor, "action_item_added", due_at=due_at.isoformat())
    people = [owner] if owner else department_people(owner_department, Role.INTERFACE_PERSON)
    notify(
        recipients=people,
        kind="improvement.action_item",
        dedupe_key=f"action-item:{item.pk}:added",
        subject=translated(
            gettext_lazy("Rectification measure for you: %(title)s"), {"title": item.title}
        ),
        body=translated(
            gettext_lazy("%(incident)s, due %(due)s."),
            {
                "incident": incident.number,
                "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
            },
        ),
        link=item.get_absolute_url(),
    )
    return item


def _item_lock(item_id: int) -> ActionItem:
    """Lock the incident first, then the item: the same order as every incident write."""
    incident_id = (
        ActionItem.objects.filter(pk=item_id).values_list("incident_id", flat=True).first()
    )
    if incident_id is None:
        raise ValidationError({"action_item": _("No such action item.")})
    incident = _lock(incident_id)
    item = ActionItem.objects.select_for_update().get(pk=item_id)
    item.incident = incident
    return item


def _item_check(item: ActionItem, action: str, actor: User) -> None:
    transition_check(
        item,
        action,
        actor,
        not_now=_("“%(action)s” is not allowed while the item is %(state)s."),
        forbidden=ITEM_FORBIDDEN.get(action, _("You may not %(action)s this item.")),
        unmet=_("Action items change only while the incident is being improved."),
    )


def _item_record(item: ActionItem, actor: User, action: str, **payload) -> None:
    _record(
        item.incident,
        actor=actor,
        kind=TimelineEvent.Kind.IMPROVEMENT,
        action=action,
        payload={"action_item": item.pk, "title": item.title, **payload},
    )


def _item_transition(item: ActionItem, action: str, actor: User, *args, **payload) -> None:
    _item_check(item, action, actor)
    getattr(item, action)(*args)
    item.save()
    _item_record(item, actor, f"action_item_{action}", **payload)


@transaction.atomic
def action_item_complete(*, item_id: int, actor: User, evidence: str) -> ActionItem:
    """Done, with the evidence (what was changed, where to see it): meets its deadline."""
    item = _item_lock(item_id)
    if not evidence.strip():
        _item_check(item, "complete", actor)
        raise ValidationError({"evidence": _("Describe the evidence of completion.")})
    now = timezone.now()
    item.done_at = now
    _item_transition(item, "complete", actor, evidence.strip(), evidence=evidence.strip())
    deadline_meet(record=item, kind=ACTION_ITEM_KIND, at=now)
    return item


@transaction.atomic
def action_item_verify(*, item_id: int, actor: User, note: str = "") -> ActionItem:
    """The working group has checked the evidence."""
    item = _item_lock(item_id)
    item.verified_by, item.verified_at = actor, timezone.now()
    _item_transition(item, "verify", actor, note=note)
    return item


@transaction.atomic
def action_item_send_back(*, item_id: int, actor: User, reason: str) -> ActionItem:
    """The evidence does not show the measure done: the owner takes it up again, against the
    due date it always had (a past due date is overdue at once)."""
    item = _item_lock(item_id)
    _item_check(item, "send_back", actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is missing.")})
    item.done_at = None
    _item_transition(item, "send_back", actor, reason=reason.strip())
    round_ = item.deadlines.filter(kind=ACTION_ITEM_KIND).count()
    deadline_open(
        record=item,
        policy=DeadlinePolicy.objects.get(code=ACTION_ITEM_KIND),
        start=timezone.now(),
        department=item.owner_department,
        person=item.owner,
        round=round_,
        due=item.due_at,
    )
    return item


@transaction.atomic
def action_item_waive(*, item_id: int, actor: User, reason: str) -> ActionItem:
    """The working group waives a measure, always with the reason on record."""
    item = _item_lock(item_id)
    _item_check(item, "waive", actor)
    if not reason.strip():
        raise ValidationError({"reason": _("A waiver needs its reason.")})
    item.verified_by, item.verified_at = actor, timezone.now()
    _item_transition(item, "waive", actor, reason.strip(), reason=reason.strip())
    deadline_cancel(record=item)
    return item


@transaction.atomic
def action_item_assign(
    *, item_id: int, actor: User, assignee: User, reason: str = ""
) -> ActionItem:
    """Name the person of the owner department who answers for the measure (its owner);
    naming another one says why. The person is reminded of its due date."""
    item = _item_lock(item_id)
    _item_check(item, "assign", actor)
    old = item.owner
    assignee_check(current=old, assignee=assignee, department=item.owner_department, reason=reason)
    item.assign(assignee)
    item.save(update_fields=["owner"])
    event = _record(
        item.incident,
        actor=actor,
        kind=TimelineEvent.Kind.ASSIGNEE,
        action="reassigned" if old else "assigned",
        payload={"action_item": item.pk, "title": item.title, **assignment_payload(old, assignee)},
        reason=reason.strip(),
    )
    deadline_reassign(
        record=item, kinds=[ACTION_ITEM_KIND], department=item.owner_department, person=assignee
    )
    assignee_tell(
        assignee=assignee,
        record_label=item.incident.number,
        title=item.title,
        link=item.get_absolute_url(),
        reason=reason.strip(),
        key=f"action-item:{item.pk}:assigned:{event.pk}",
        previous=old,
    )
    return item
