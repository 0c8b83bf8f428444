"""Writes to complaints: intake (hotline, REST, bulk), the first-ask workflow of seed 002,
linking to incidents (their counts, and so their level, move in the same transaction) and
mass-complaint detection."""

import re
from collections import Counter
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bulk import instances, rows_insert, sets_supported
from core.errors import Conflict
from core.live import publish, user_topic
from core.numbering import numbers_and_ids
from core.reference import cached
from core.transitions import transition_check
from deadlines.choices import DeadlineState, Responsible
from deadlines.conditions import applies
from deadlines.models import Deadline, DeadlinePolicy
from deadlines.services import (
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadline_reassign,
    deadlines_build_many,
    deadlines_write_many,
    responsible_person,
)
from incidents.choices import Source
from incidents.models import Incident
from incidents.selectors import incident_linkable
from incidents.services import (
    CLOCK_SKEW,
    assignee_check,
    assignee_tell,
    assignment_payload,
    incident_counts_add,
    incident_create,
)
from incidents.workflow import LIVE_STATES, OPEN_STATES
from maintenance.models import PlannedWork, works_keeping_window
from maintenance.selectors import planned_work_open_now
from notifications.models import Channel
from notifications.services import notify, translated
from organisation.models import ApiKey, City, Department, DepartmentKind, Role
from organisation.selectors import department_people, user_department

from . import signals
from .choices import ComplaintChannel, ComplaintState, Satisfaction, Severity
from .live import complaints_created, complaints_told
from .models import (
    Complaint,
    ComplaintCooperation,
    ComplaintEvent,
    MassComplaintCluster,
    MassComplaintRule,
)
from .workflow import FORBIDDEN

PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")
# Fields a complaint must carry (seed 003 第八条 11: 客户姓名、地址、联系方式、账号、详细情况).
REQUIRED = ("customer_name", "address", "customer_phone", "customer_account", "description")

# which deadlines a step meets
MET_AT_DISPATCH = ["complaint-form-issue"]
MET_BY_REPLY = [
    "complaint-repair",
    "complaint-general-answer",
    "complaint-major-temporary",
    "complaint-major-permanent",
]


def _record(
    complaint: Complaint,
    *,
    actor,
    kind,
    action="",
    from_state="",
    to_state="",
    payload=None,
    reason="",
):
    """A line on the complaint's timeline; its open pages are told (one change per
    transaction, when it commits)."""
    complaints_told([complaint.pk])
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        payload=payload or {},
        reason=reason,
    )


def _lock(complaint_id: int) -> Complaint:
    try:
        return Complaint.objects.select_for_update().get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise ValidationError({"complaint": _("No such complaint.")}) from None


def _check(complaint: Complaint, method: str, actor: User) -> None:
    transition_check(
        complaint,
        method,
        actor,
        not_now=_("“%(action)s” is not allowed while the complaint is %(state)s."),
        forbidden=FORBIDDEN.get(method, _("You may not %(action)s this complaint.")),
        params={"department": complaint.department or "—"},
    )


def _transition(
    complaint: Complaint, method: str, actor: User, *args, payload=None, reason=""
) -> None:
    """Called while holding the complaint's row lock."""
    _check(complaint, method, actor)
    from_state = complaint.state
    getattr(complaint, method)(*args)
    if complaint.state == ComplaintState.ARCHIVED and complaint.archived_at is None:
        complaint.archived_at = timezone.now()
    complaint.save()
    _record(
        complaint,
        actor=actor,
        kind=ComplaintEvent.Kind.TRANSITION,
        action=method,
        from_state=from_state,
        to_state=complaint.state,
        payload=payload,
        reason=reason,
    )
    signals.complaint_transitioned.send(
        sender=Complaint,
        complaint=complaint,
        action=method,
        from_state=from_state,
        to_state=complaint.state,
        actor=actor,
    )


def _open(complaint: Complaint, code: str, *, start: datetime, department, person=None) -> None:
    policy = DeadlinePolicy.objects.filter(code=code, is_active=True).first()
    if policy is None:
        return
    if not applies(policy.applies_when, complaint):
        return
    deadline_open(
        record=complaint,
        policy=policy,
        start=start,
        department=department,
        person=person or responsible_person(department),
        round=complaint.round,
    )


def _active_policies() -> list[DeadlinePolicy]:
    return cached("policies", lambda: list(DeadlinePolicy.objects.filter(is_active=True)))


def _handling_kinds() -> list[str]:
    """The limits the handling department answers for once the complaint is dispatched to it,
    as their policies say (a fault ticket's repair runs against the branch it went to, seed
    003 第六条); until then, and again when it is sent back, whoever took the complaint."""
    return [
        policy.code
        for policy in _active_policies()
        if policy.code in MET_BY_REPLY and policy.responsible == Responsible.OWNER
    ]


def _cs_department() -> Department | None:
    return cached(
        "departments",
        lambda: Department.objects.filter(
            kind=DepartmentKind.CUSTOMER_SERVICE, is_active=True
        ).first(),
    )


# --- intake -------------------------------------------------------------------------------


def _validate(data: dict) -> None:
    errors: dict[str, Any] = {}
    for field in REQUIRED:
        if not str(data.get(field) or "").strip():
            errors[field] = _(
                "Required by the regulations: name, address, contact, account, details."
            )
    phone = str(data.get("customer_phone") or "")
    if phone and not PHONE.match(phone):
        errors["customer_phone"] = _("Give a phone number of digits.")
    if data.get("channel") == ComplaintChannel.EMPLOYEE_REFERRAL and not data.get("referred_by"):
        errors["referred_by"] = _("An employee referral names the referring employee.")
    incident = data.get("incident")
    if incident is not None and incident.state not in LIVE_STATES:
        errors["incident"] = _("This incident is closed.")
    if errors:
        raise ValidationError(errors)


def _prepare(
    *,
    actor: User,
    channel: str,
    customer_name: str,
    customer_phone: str,
    customer_account: str,
    city: City,
    address: str,
    business_line: str,
    summary: str,
    description: str,
    is_vip: bool = False,
    referred_by: User | None = None,
    escalation: str = "none",
    severity: str = Severity.GENERAL,
    incident: Incident | None = None,
    external_id: str = "",
    api_key: ApiKey | None = None,
) -> Complaint:
    """Check one intake and build its (unsaved) complaint; whoever takes it is its first-ask
    owner 首问责任人 (seed 002)."""
    _validate(locals())
    (complaint,) = instances(
        Complaint,
        [
            {
                "external_id": external_id,
                "api_key": api_key,
                "channel": channel,
                "customer_name": customer_name.strip(),
                "customer_phone": customer_phone.strip(),
                "customer_account": customer_account.strip(),
                "city": city,
                "address": address.strip(),
                "business_line": business_line,
                "summary": summary.strip() or description.strip()[:100],
                "description": description.strip(),
                "is_vip": is_vip,
                "referred_by": referred_by,
                "escalation": escalation,
                "severity": severity,
                "incident": incident,
                "first_ask_owner": actor,
                "first_ask_department": user_department(actor),
            }
        ],
    )
    return complaint


def _store(complaints: list[Complaint], *, actor: User) -> list[Deadline]:
    """Write prepared complaints with a few statements however many there are: rows,
    timeline, the intake limits (core.bulk: one statement for a single intake); then link
    them. They carry their numbers, and their ids where the database gives them beforehand,
    already (:func:`_number`). Mass complaints are looked for by a sweep
    (:func:`complaints_detect_mass`), not here. Returns a single intake's deadlines (a
    bulk's are written, not built: none)."""
    now = timezone.now()
    for complaint in complaints:
        complaint.created_at = now
    _explain(complaints, now)
    linked = [complaint.incident for complaint in complaints]
    for complaint in complaints:
        complaint.incident = None  # linked below, so that the incident's counts move too
    cs = _cs_department()
    policies = [
        policy
        for policy in _active_policies()
        if policy.code in ("complaint-form-issue", *MET_BY_REPLY)
    ]

    def timeline() -> list[ComplaintEvent]:
        created = {
            "at": now,
            "actor_id": actor.pk,
            "kind": ComplaintEvent.Kind.CREATED,
        }
        return instances(
            ComplaintEvent,
            (
                {
                    **created,
                    "complaint_id": c.pk,
                    "to_state": c.state,
                    "payload": {"planned_work": c.planned_work.number} if c.planned_work else {},
                }
                for c in complaints
            ),
        )

    def limits():
        return [
            (complaint, policy, now, cs, actor)
            for complaint in complaints
            for policy in policies
            if applies(policy.applies_when, complaint)
        ]

    try:
        unwritten = complaints
        if complaints[0].pk is None:  # the rows get their ids as they are written
            rows_insert(complaints)
            unwritten = []
        if len(complaints) == 1:  # one statement where ids come beforehand; answered with
            opened = deadlines_build_many(limits())  # its limits
            rows_insert(unwritten, timeline(), opened)
        else:  # a bulk's limits as sets of alike rows, not objects: its answer shows none
            opened = []
            rows_insert(unwritten, timeline())
            deadlines_write_many(limits())
    except IntegrityError:  # a duplicate: the caller may try them again, one by one
        for complaint, incident in zip(complaints, linked, strict=True):
            complaint.incident = incident
        raise
    complaints_created(complaints)
    by_incident: dict[Incident, list[Complaint]] = {}
    for complaint, incident in zip(complaints, linked, strict=True):
        if incident is not None:
            by_incident.setdefault(incident, []).append(complaint)
    for incident, attached in by_incident.items():
        _link(attached, incident, actor=actor)
    return opened


def _explain(complaints: list[Complaint], now: datetime) -> None:
    """Link each complaint to the announced planned work open in its city and business line
    (held as reference data: no read however many complaints): the hotline told the
    caller, and the complaint does not count toward an incident's level or a mass complaint
    while the work keeps its window (seed 003 第八条8)."""
    works = planned_work_open_now(now)
    if not works:
        return
    for complaint in complaints:
        complaint.planned_work = next(
            (
                work
                for work in works
                if complaint.city_id in work.city_ids  # type: ignore[attr-defined]
                and complaint.business_line in work.business_lines
            ),
            None,
        )


def _duplicate() -> Conflict:
    return Conflict(
        _("A complaint with this external_id was already posted with this key."),
        code="duplicate_external_id",
    )


def _number(complaints: list[Complaint]) -> None:
    """Give the complaints their numbers (and their ids, where the database draws them
    beforehand) in one statement before their transaction opens: the day's counter is one
    row every intake updates, so it must not stay locked while the rest is written (a number
    of a transaction that then fails is skipped, as sequences do)."""
    drawn = numbers_and_ids(prefix="CMP", model=Complaint, count=len(complaints))
    for complaint, (number, pk) in zip(complaints, drawn, strict=True):
        complaint.number, complaint.pk = number, pk


def _writing(complaints: list[Complaint]):
    """The transaction an intake's writes need: none where they are one statement (one
    complaint without an incident to link, on a database that draws ids beforehand) and no
    transaction is open (inside one, a savepoint, so that a duplicate leaves it usable)."""
    one_statement = len(complaints) == 1 and complaints[0].incident is None
    if one_statement and sets_supported() and not connection.in_atomic_block:
        return nullcontext()
    return transaction.atomic()


def complaint_create(*, actor: User, **intake: Any) -> Complaint:
    """Take one complaint (hotline, web, or an external system)."""
    complaint = _prepare(actor=actor, **intake)
    _number([complaint])
    try:
        # a repeated external_id of the key loses here, on the unique constraint (its number
        # is skipped: duplicates are rare, and checking first would cost every intake)
        with _writing([complaint]):
            opened = _store([complaint], actor=actor)
    except IntegrityError:
        raise _duplicate() from None
    # What was just written is what its deadlines are: set them as prefetched, as
    # prefetch_related would, so rendering the answer reads nothing back.
    deadlines = complaint.deadlines.get_queryset()
    deadlines._result_cache, deadlines._prefetch_done = opened, True
    complaint._prefetched_objects_cache = {"deadlines": deadlines}  # type: ignore[attr-defined]
    return complaint


def dispatch_department(
    department: Department | None, incident: Incident | None
) -> Department | None:
    """Where a call is dispatched: to the department chosen, else — for a complaint linked
    to an incident — to the incident's owning department, which leads its handling
    (seed 000 第十条), so the console does not ask for it."""
    if department is not None:
        return department
    return incident.owning_department if incident is not None else None


def complaint_take_call(
    *,
    actor: User,
    outcome: str,
    department: Department | None = None,
    satisfaction: str = "",
    raise_incident: bool = False,
    **intake: Any,
) -> Complaint:
    """The hotline console's call: the complaint taken, then resolved at first contact
    (``outcome`` "resolved", with the customer's satisfaction) or dispatched to
    ``department`` (by default the linked incident's owner) — all of it or nothing.
    ``raise_incident`` reports a suspected incident from the call for the CS department to
    classify and links the complaint to it. Its number is drawn before the transaction
    opens, as every intake's, so the day's counter is not held while the rest is written."""
    if raise_incident and intake.get("incident") is not None:
        raise ValidationError(
            {"raise_incident": _("The call is linked to an incident already: none is raised.")}
        )
    complaint = _prepare(actor=actor, channel=ComplaintChannel.HOTLINE, **intake)
    _number([complaint])
    with transaction.atomic():
        _store([complaint], actor=actor)
        incident = complaint.incident
        if raise_incident:
            incident = _raise_suspected(
                complaint, actor=actor, title=complaint.summary, description=complaint.description
            )
        if outcome == "resolved":
            complaint_resolve_first_contact(
                complaint_id=complaint.pk, actor=actor, satisfaction=satisfaction
            )
        elif (to := dispatch_department(department, incident)) is not None:
            complaint_dispatch(complaint_id=complaint.pk, actor=actor, department=to)
        else:
            raise ValidationError({"department": _("Choose the department to dispatch to.")})
    return complaint


def complaint_bulk_create(*, actor: User, items: list[dict], api_key: ApiKey | None) -> list[dict]:
    """Up to 500 intakes: each is checked on its own (a bad one is reported and leaves no
    row); the good ones are written together in one transaction — or, should that fail on a
    concurrent duplicate, one by one. Returns one result per item, in order."""
    results: dict[int, dict] = {}
    prepared: list[tuple[int, Complaint]] = []
    for index, data in enumerate(items):
        try:
            prepared.append((index, _prepare(actor=actor, api_key=api_key, **data)))
        except ValidationError as error:
            results[index] = {"index": index, "status": 400, "errors": _errors(error)}
    wanted = [c.external_id for _i, c in prepared if c.external_id]
    taken = (
        set(
            Complaint.objects.filter(api_key=api_key, external_id__in=wanted).values_list(
                "external_id", flat=True
            )
        )
        if api_key is not None and wanted
        else set()
    )
    seen: set[str] = set()
    good = []
    for index, complaint in prepared:
        key = complaint.external_id
        if key and api_key is not None and (key in taken or key in seen):
            results[index] = _conflict_result(index)
            continue
        seen.add(key)
        good.append((index, complaint))
    if good:
        _number([complaint for _index, complaint in good])
    try:
        with transaction.atomic():
            if good:
                _store([complaint for _index, complaint in good], actor=actor)
    except IntegrityError:
        for index, complaint in good:
            if not sets_supported():
                complaint.pk = None  # the database gives it again
            try:
                with transaction.atomic():
                    _store([complaint], actor=actor)
            except IntegrityError:
                results[index] = _conflict_result(index)
    for index, complaint in good:
        if index not in results:
            results[index] = {
                "index": index,
                "status": 201,
                "id": complaint.pk,
                "number": complaint.number,
            }
    return [results[i] for i in sorted(results)]


def _conflict_result(index: int) -> dict:
    error = _duplicate()
    return {
        "index": index,
        "status": 409,
        "errors": [{"code": error.code, "detail": error.message, "attr": "external_id"}],
    }


def _errors(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"code": item.code or "invalid", "detail": " ".join(item.messages), "attr": field}
            for field, items in error.error_dict.items()
            for item in items
        ]
    return [{"code": "invalid", "detail": message, "attr": None} for message in error.messages]


# --- the first-ask workflow (seed 002) ------------------------------------------------------


@transaction.atomic
def complaint_resolve_first_contact(
    *, complaint_id: int, actor: User, satisfaction: str, note: str = ""
) -> Complaint:
    """Resolved by the hotline during the call; satisfaction captured, archived."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Say whether the customer is satisfied.")})
    complaint = _lock(complaint_id)
    _transition(
        complaint,
        "resolve_first_contact",
        actor,
        satisfaction,
        payload={"satisfaction": satisfaction},
        reason=note,
    )
    deadline_cancel(record=complaint)
    return complaint


@transaction.atomic
def complaint_dispatch(
    *, complaint_id: int, actor: User, department: Department, note: str = ""
) -> Complaint:
    """CS dispatches to the handling department; its interface person must hand it to a
    handler within 30 minutes (else the breach tells the leader)."""
    complaint = _lock(complaint_id)
    was_returned = complaint.state == ComplaintState.RETURNED
    _transition(
        complaint,
        "dispatch",
        actor,
        department,
        payload={"department": department.code},
        reason=note,
    )
    if was_returned:
        complaint.round += 1
        complaint.save(update_fields=["round"])
    for code in MET_AT_DISPATCH:
        deadline_meet(record=complaint, kind=code)
    deadline_reassign(record=complaint, kinds=_handling_kinds(), department=department)
    _open(complaint, "complaint-handover", start=timezone.now(), department=department)
    people = list(department_people(department, Role.INTERFACE_PERSON))
    _tell(
        people,
        complaint,
        "complaint.dispatched",
        gettext_lazy("New complaint for your department: %(number)s %(summary)s"),
    )
    return complaint


@transaction.atomic
def complaint_return(*, complaint_id: int, actor: User, reason: str) -> Complaint:
    """Not this department's: back to CS with the reason, for re-dispatch (wrong dispatches
    count against the dispatcher in accountability)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the complaint is not yours.")})
    complaint = _lock(complaint_id)
    department = complaint.department
    handler = complaint.handler
    _transition(
        complaint,
        "return_to_cs",
        actor,
        payload={"department": department.code if department else None},
        reason=reason,
    )
    deadline_cancel(record=complaint, kinds=["complaint-handover", "complaint-contact"])
    _assignee_cleared(complaint, handler, actor=actor, reason=_("Returned for re-dispatch."))
    deadline_reassign(
        record=complaint,
        kinds=_handling_kinds(),
        department=_cs_department(),
        person=complaint.first_ask_owner,
    )
    _tell(
        [complaint.first_ask_owner],
        complaint,
        "complaint.returned",
        gettext_lazy("Returned for re-dispatch: %(number)s %(summary)s"),
    )
    return complaint


@transaction.atomic
def complaint_hand_over(*, complaint_id: int, actor: User, handler: User) -> Complaint:
    complaint = _lock(complaint_id)
    if user_department(handler) != complaint.department:
        raise ValidationError({"handler": _("The handler must belong to the handling department.")})
    return _hand_over(complaint, actor=actor, handler=handler)


def _hand_over(complaint: Complaint, *, actor: User, handler: User) -> Complaint:
    """Called while holding the complaint's row lock."""
    _transition(complaint, "hand_over", actor, handler, payload={"handler": handler.username})
    deadline_meet(record=complaint, kind="complaint-handover")
    _handler_answers(complaint, handler)
    _open(
        complaint,
        "complaint-contact",
        start=timezone.now(),
        department=complaint.department,
        person=handler,
    )
    _tell(
        [handler],
        complaint,
        "complaint.assigned",
        gettext_lazy(
            "You are the first responsible for %(number)s: contact the customer within 30 minutes"
        ),
    )
    return complaint


def _handler_answers(complaint: Complaint, handler: User) -> None:
    """The handler is reminded of the handling department's pending limits."""
    pending = complaint.deadlines.filter(
        state=DeadlineState.PENDING, responsible_department=complaint.department
    )
    deadline_reassign(
        record=complaint,
        kinds=list(pending.values_list("kind", flat=True)),
        department=complaint.department,
        person=handler,
    )


def _assignee_cleared(complaint: Complaint, old, *, actor, reason: str) -> None:
    if old is not None:
        _record(
            complaint,
            actor=actor,
            kind=ComplaintEvent.Kind.ASSIGNEE,
            action="cleared",
            payload=assignment_payload(old, None),
            reason=reason,
        )
        publish([user_topic(old.pk)])  # their "My work"


@transaction.atomic
def complaint_assign(
    *, complaint_id: int, actor: User, assignee: User, reason: str = ""
) -> Complaint:
    """Name the person of the handling department who handles the complaint (its handler):
    the first time is the hand-over; naming another one says why, and the new handler answers
    for the department's pending limits (their reminders)."""
    complaint = _lock(complaint_id)
    if complaint.state == ComplaintState.DISPATCHED and complaint.handler_id is None:
        _check(complaint, "hand_over", actor)
        assignee_check(
            current=None, assignee=assignee, department=complaint.department, reason=reason
        )
        return _hand_over(complaint, actor=actor, handler=assignee)
    _check(complaint, "assign", actor)
    old = complaint.handler
    assignee_check(current=old, assignee=assignee, department=complaint.department, reason=reason)
    complaint.assign(assignee)
    complaint.save(update_fields=["handler", "updated_at"])
    event = _record(
        complaint,
        actor=actor,
        kind=ComplaintEvent.Kind.ASSIGNEE,
        action="reassigned" if old else "assigned",
        payload=assignment_payload(old, assignee),
        reason=reason.strip(),
    )
    _handler_answers(complaint, assignee)
    assignee_tell(
        assignee=assignee,
        record_label=complaint.number,
        title=complaint.summary,
        link=complaint.get_absolute_url(),
        reason=reason.strip(),
        key=f"complaint:{complaint.pk}:assigned:{event.pk}",
        previous=old,
    )
    return complaint


@transaction.atomic
def complaint_contact(*, complaint_id: int, actor: User, note: str = "") -> Complaint:
    complaint = _lock(complaint_id)
    _transition(complaint, "contact", actor, reason=note)
    deadline_meet(record=complaint, kind="complaint-contact")
    return complaint


def complaint_missed_deadlines(complaint: Complaint) -> list[str]:
    missed = complaint.deadlines.filter(state=DeadlineState.BREACHED) | complaint.deadlines.filter(
        state=DeadlineState.PENDING, due_at__lt=timezone.now()
    )
    return sorted({deadline.name for deadline in missed})


@transaction.atomic
def complaint_reply(
    *,
    complaint_id: int,
    actor: User,
    resolved_at: datetime,
    cause_and_result: str,
    delay_reason: str = "",
) -> Complaint:
    """The department's reply with the three clears 三清: when it was resolved, cause and
    result, and the reason for any delay (required when a limit was missed)."""
    complaint = _lock(complaint_id)
    _check(complaint, "reply", actor)
    errors = {}
    if resolved_at > timezone.now() + CLOCK_SKEW:
        errors["resolved_at"] = _("The resolution cannot be in the future.")
    elif resolved_at < complaint.created_at - timedelta(days=30):
        errors["resolved_at"] = _("The resolution cannot come long before the complaint.")
    if not cause_and_result.strip():
        errors["cause_and_result"] = _("State the cause and the result.")
    missed = complaint_missed_deadlines(complaint)
    if missed and not delay_reason.strip():
        errors["delay_reason"] = _("Limits were missed (%(kinds)s): give the reason.") % {
            "kinds": ", ".join(missed)
        }
    if errors:
        raise ValidationError(errors)
    payload = {
        "resolved_at": resolved_at.isoformat(),
        "cause_and_result": cause_and_result,
        "delay_reason": delay_reason,
    }
    _transition(complaint, "reply", actor, payload=payload)
    for code in MET_BY_REPLY:
        deadline_meet(record=complaint, kind=code)
    # The callback: by the CS centre within 1 h inside callback hours, or for an employee-
    # referred VIP by the referring employee (seed 002, 003).
    caller = (
        complaint.referred_by
        if complaint.is_vip and complaint.referred_by
        else complaint.first_ask_owner
    )
    _open(
        complaint,
        "complaint-callback",
        start=timezone.now(),
        department=user_department(caller),
        person=caller,
    )
    _tell(
        [caller],
        complaint,
        "complaint.replied",
        gettext_lazy("Call the customer back: %(number)s %(summary)s"),
    )
    return complaint


@transaction.atomic
def complaint_callback(
    *, complaint_id: int, actor: User, satisfied: bool, note: str = ""
) -> Complaint:
    """The callback: satisfied → archived; unsatisfied → back to the department as a repeat."""
    complaint = _lock(complaint_id)
    if satisfied:
        _transition(
            complaint, "close_satisfied", actor, payload={"satisfaction": "satisfied"}, reason=note
        )
        deadline_meet(record=complaint, kind="complaint-callback")
        deadline_cancel(record=complaint)
        return complaint
    _transition(
        complaint, "reopen_unsatisfied", actor, payload={"satisfaction": "unsatisfied"}, reason=note
    )
    deadline_meet(record=complaint, kind="complaint-callback")
    complaint.round += 1
    complaint.save(update_fields=["round"])
    _open(
        complaint,
        "complaint-contact",
        start=timezone.now(),
        department=complaint.department,
        person=complaint.handler,
    )
    _tell(
        [complaint.handler],
        complaint,
        "complaint.reopened",
        gettext_lazy("The customer is not satisfied, handle again: %(number)s"),
    )
    return complaint


@transaction.atomic
def complaint_convene(
    *, complaint_id: int, actor: User, department: Department, assignment: str
) -> ComplaintCooperation:
    """Bring another department in on a cross-department complaint, in writing."""
    if not assignment.strip():
        raise ValidationError({"assignment": _("Write down the assignment.")})
    complaint = _lock(complaint_id)
    _check(complaint, "convene", actor)
    if department == complaint.department:
        raise ValidationError({"department": _("This department already handles the complaint.")})
    cooperation, created = ComplaintCooperation.objects.get_or_create(
        complaint=complaint,
        department=department,
        defaults={"assignment": assignment, "created_by": actor},
    )
    if created:
        _record(
            complaint,
            actor=actor,
            kind=ComplaintEvent.Kind.COOPERATION,
            payload={"department": department.code, "assignment": assignment},
        )
        _tell(
            list(department_people(department, Role.INTERFACE_PERSON)),
            complaint,
            "complaint.convened",
            gettext_lazy("Your department is convened on %(number)s"),
        )
    return cooperation


def _tell(people, complaint: Complaint, kind: str, subject) -> None:
    notify(
        recipients=[p for p in people if p is not None],
        kind=kind,
        subject=translated(subject, {"number": complaint.number, "summary": complaint.summary}),
        link=complaint.get_absolute_url(),
        dedupe_key=f"{kind}:{complaint.pk}:{complaint.round}:{complaint.state}",
        channels=(Channel.EMAIL,),
    )


# --- incidents ----------------------------------------------------------------------------


def _link(complaints: list[Complaint], incident: Incident, *, actor) -> None:
    """Attach complaints to an incident and count them on the days they arrived (deployment
    time zone): the incident's daily and weekly figures, and so its level, move at once."""
    per_day: Counter = Counter()
    escalated: Counter = Counter()
    works = PlannedWork.objects.in_bulk({c.planned_work_id for c in complaints} - {None})
    for complaint in complaints:
        complaint.incident = incident
        complaint.save(update_fields=["incident", "updated_at"])
        _record(
            complaint,
            actor=actor,
            kind=ComplaintEvent.Kind.LINKED,
            payload={"incident": incident.number},
        )
        work = works.get(complaint.planned_work_id)
        if work is not None and work.excuses_complaints():
            continue  # explained by announced work keeping its window: not counted
        day = timezone.localdate(complaint.created_at)
        per_day[day] += 1
        escalated[day] += complaint.is_escalated
    for day, count in sorted(per_day.items()):
        incident_counts_add(
            incident_id=incident.pk,
            day=day,
            complaints=count,
            escalated=escalated[day],
            actor=actor,
        )


@transaction.atomic
@transaction.atomic
def mass_cluster_dismiss(*, cluster_id: int, actor: User) -> MassComplaintCluster:
    """The CS department judges a possible mass complaint not to be one: it leaves the
    list of open clusters (the complaints stay as they are)."""
    cluster = MassComplaintCluster.objects.select_for_update().filter(pk=cluster_id).first()
    if cluster is None:
        raise ValidationError({"cluster": _("No such cluster.")})
    if cluster.dismissed_at is None:
        cluster.dismissed_at = timezone.now()
        cluster.save(update_fields=["dismissed_at"])
    return cluster


def mass_cluster_raise_incident(*, actor: User, cluster_id: int, **facts: Any) -> Incident:
    """Raise an incident from a possible mass complaint (the CS department's call) and link
    the cluster's complaints that are not linked yet; all or nothing."""
    cluster = MassComplaintCluster.objects.filter(pk=cluster_id).first()
    if cluster is None:
        raise ValidationError({"cluster": _("No such cluster.")})
    incident = incident_create(actor=actor, **facts)
    complaints_link(
        complaint_ids=list(
            cluster.complaints.filter(incident__isnull=True).values_list("pk", flat=True)
        ),
        incident_id=incident.pk,
        actor=actor,
    )
    return incident


def _cs_contacts() -> list[User]:
    """The interface persons of the customer-service department(s) 客户服务部."""
    return [
        person
        for department in Department.objects.filter(
            kind=DepartmentKind.CUSTOMER_SERVICE, is_active=True
        )
        for person in department_people(department, Role.INTERFACE_PERSON)
    ]


def _raise_suspected(complaint: Complaint, *, actor: User, title: str, description: str):
    """Report a suspected incident behind ``complaint`` and link the complaint to it.

    The incident is a major-complaint warning (seed 000 第四条(二), 第八条(二)) that stays
    *received*: the CS department classifies it (or cancels it), not the hotline — so it
    carries no cities or customer counts that would let the matrix set a level on its own;
    the complaint linked to it says where. Its owner is the business line's department, as
    for any report. Called inside the caller's transaction; the CS department's interface
    persons are told."""
    _check(complaint, "raise_incident", actor)
    if complaint.incident_id is not None:
        raise Conflict(
            _("This complaint is linked to an incident already."), code="conditions_not_met"
        )
    now = timezone.now()
    incident = incident_create(
        actor=actor,
        title=title.strip() or complaint.summary,
        description=description.strip() or complaint.description,
        business_line=complaint.business_line,
        source=Source.MAJOR_COMPLAINT,
        occurred_at=min(complaint.created_at or now, now),
        detected_at=now,
    )
    _link([complaint], incident, actor=actor)
    notify(
        recipients=_cs_contacts(),
        kind="incident.suspected",
        subject=translated(
            gettext_lazy("Suspected incident from the hotline, to classify: %(number)s %(title)s"),
            {"number": incident.number, "title": incident.title},
        ),
        link=incident.get_absolute_url(),
        dedupe_key=f"incident:{incident.pk}:suspected",
    )
    return incident


@transaction.atomic
def complaint_raise_incident(
    *, complaint_id: int, actor: User, title: str, description: str = ""
) -> Incident:
    """The hotline (or a CS department) raises a suspected incident from a complaint's
    page: 403 for anyone else, 409 when the complaint is linked already."""
    if not title.strip():
        raise ValidationError({"title": _("Give the suspected incident a title.")})
    complaint = _lock(complaint_id)
    return _raise_suspected(complaint, actor=actor, title=title, description=description)


@transaction.atomic
def complaints_link(*, complaint_ids: list[int], incident_id: int, actor: User) -> int:
    """Link complaints (one or many) to an incident; complaints already linked to another
    incident are refused, the ones already on this incident are left as they are."""
    # missing, closed or another department's: one answer (linking raises its level)
    incident = incident_linkable(user=actor).filter(pk=incident_id).first()
    if incident is None:
        raise ValidationError({"incident": _("Not an incident you can link to.")})
    complaints = list(
        Complaint.objects.select_for_update().filter(pk__in=set(complaint_ids)).order_by("pk")
    )
    if len(complaints) != len(set(complaint_ids)):
        raise ValidationError({"complaints": _("Some of these complaints do not exist.")})
    elsewhere = [c.number for c in complaints if c.incident_id not in (None, incident.pk)]
    if elsewhere:
        raise ValidationError(
            {
                "complaints": _("Already linked to another incident: %(numbers)s")
                % {"numbers": ", ".join(elsewhere)}
            }
        )
    new = [c for c in complaints if c.incident_id is None]
    for complaint in new:
        _check(complaint, "link", actor)
    _link(new, incident, actor=actor)
    MassComplaintCluster.objects.filter(complaints__in=new, incident__isnull=True).update(
        incident=incident
    )
    return len(new)


def complaints_count_overrun(*, work: PlannedWork) -> int:
    """Planned work ran past its window: the complaints linked to it, which were not counted
    while it kept its window, now count toward their incidents' levels (on the days they
    arrived). Called inside the transaction that recorded the overrun."""
    complaints = list(
        Complaint.objects.filter(planned_work=work, incident__isnull=False).select_related(
            "incident"
        )
    )
    per_incident_day: Counter = Counter()
    escalated: Counter = Counter()
    for complaint in complaints:
        key = (complaint.incident_id, timezone.localdate(complaint.created_at))
        per_incident_day[key] += 1
        escalated[key] += complaint.is_escalated
    for (incident_id, day), count in sorted(per_incident_day.items()):
        incident_counts_add(
            incident_id=incident_id,
            day=day,
            complaints=count,
            escalated=escalated[(incident_id, day)],
            actor=None,
        )
    return len(complaints)


# --- mass complaints ----------------------------------------------------------------------


def _matching_open_incident(business_line: str, city_id: int) -> Incident | None:
    return (
        Incident.objects.filter(state__in=OPEN_STATES, business_line=business_line, cities=city_id)
        .order_by("-created_at")
        .first()
    )


def complaints_detect_mass(*, now: datetime | None = None) -> int:
    """The mass-complaint sweep (beat, every ``MASS_COMPLAINT_SWEEP_SECONDS``): for each
    active rule, the complaints of one business line and city that arrived within its window
    and that no incident and no cluster holds yet either join an open cluster of theirs, or —
    once there are at least its threshold of them and no open incident of that line covers
    that city — become a new cluster, offered to the CS department as a prefilled incident.

    Intake does not wait for this: a flood costs each complaint nothing. The sweep reads only
    what arrived since its last pass (each rule's watermark, ``swept_until``, less a short
    overlap for intake that committed late): only a business line and city with new arrivals
    can cross a threshold or have anything to join, and a group an open incident covers is
    not read again at all. Returns how many complaints it clustered."""
    now = now or timezone.now()
    clustered = 0
    with transaction.atomic():
        # a second sweep running at once skips the rules this one holds
        rules = MassComplaintRule.objects.select_for_update(skip_locked=True)
        for rule in rules.filter(is_active=True).order_by("pk"):
            clustered += _cluster_by_rule(rule, now)
            rule.swept_until = now
            rule.save(update_fields=["swept_until"])
    return clustered


def _cluster_by_rule(rule: MassComplaintRule, now: datetime) -> int:
    since = now - timedelta(minutes=rule.window_minutes)
    window = Complaint.objects.filter(
        incident__isnull=True, clusters__isnull=True, created_at__gte=since, created_at__lte=now
    ).exclude(  # explained by announced planned work that keeps its window
        planned_work__in=PlannedWork.objects.filter(works_keeping_window(now))
    )
    if rule.business_line:
        window = window.filter(business_line=rule.business_line)
    arrived = window
    # a watermark ahead of the clock (the clock was set back) is not trusted: read the window
    if rule.swept_until is not None and rule.swept_until <= now:
        overlap = timedelta(seconds=settings.MASS_COMPLAINT_SWEEP_OVERLAP_SECONDS)
        arrived = window.filter(created_at__gt=rule.swept_until - overlap)
    touched = arrived.values_list("business_line", "city").distinct().order_by()
    clustered = 0
    for business_line, city_id in touched:
        cluster = (
            MassComplaintCluster.objects.filter(
                business_line=business_line,
                city=city_id,
                incident__isnull=True,
                dismissed_at__isnull=True,
                detected_at__gte=since,
            )
            .order_by("-detected_at")
            .first()
        )
        members = window.filter(business_line=business_line, city=city_id)
        is_new = cluster is None
        if cluster is None:
            # an open incident covers them: nothing to count (the window is not read)
            if _matching_open_incident(business_line, city_id):
                continue
            if members[: rule.threshold].count() < rule.threshold:
                continue
            cluster = MassComplaintCluster.objects.create(
                business_line=business_line, city_id=city_id, detected_at=now
            )
        through = MassComplaintCluster.complaints.through
        joined = through.objects.bulk_create(  # in batches however many (a flood's backlog)
            [
                through(masscomplaintcluster_id=cluster.pk, complaint_id=pk)
                for pk in members.values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
        )
        clustered += len(joined)
        if is_new:
            _tell_mass(cluster, len(joined))
    return clustered


def _tell_mass(cluster: MassComplaintCluster, count: int) -> None:
    notify(
        recipients=_cs_contacts(),
        kind="complaint.mass",
        subject=translated(
            gettext_lazy("Possible mass complaint: %(count)s complaints in %(city)s"),
            {"count": count, "city": cluster.city},  # named in each reader's language
        ),
        link=f"/complaints/mass/{cluster.pk}/",
        dedupe_key=f"mass:{cluster.pk}",
        channels=(Channel.EMAIL, Channel.SMS),
    )


# The bulk actions of the complaint list: each goes through the single action's service.
BULK_ACTIONS = ("dispatch", "hand_over", "close")


def _bulk_one(action: str, *, complaint_id: int, actor: User, fields: dict) -> Complaint:
    if action == "dispatch":
        return complaint_dispatch(
            complaint_id=complaint_id,
            actor=actor,
            department=fields["department"],
            note=fields.get("note", ""),
        )
    if action == "hand_over":
        return complaint_hand_over(
            complaint_id=complaint_id, actor=actor, handler=fields["handler"]
        )
    # close: the customer is satisfied at the callback, the complaint is archived
    return complaint_callback(
        complaint_id=complaint_id, actor=actor, satisfied=True, note=fields.get("note", "")
    )


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error)


def complaints_bulk_act(
    *, actor: User, action: str, complaint_ids: list[int], visible: set[int], **fields: Any
) -> list[dict]:
    """Do ``action`` to each complaint of ``complaint_ids`` in order, each through its single
    service and in its own transaction, so that one refused does not undo the others. A
    complaint not in ``visible`` (the ids ``actor`` may see) is refused as not found, as
    the single action would be. Returns one result per id: ``status`` 200 (done), 400
    (invalid for it), 403 (not yours to do), 404 (not found) or 409 (not now), with the
    reason in words when refused. Not called inside a transaction."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Not an action that can be done in bulk.")})
    numbers = dict(
        Complaint.objects.filter(pk__in=visible & set(complaint_ids)).values_list("pk", "number")
    )
    results = []
    for complaint_id in dict.fromkeys(complaint_ids):  # each once, in the order given
        result: dict[str, Any] = {"id": complaint_id}
        if complaint_id not in numbers:
            results.append({**result, "status": 404, "detail": _("No such complaint.")})
            continue
        result["number"] = numbers[complaint_id]
        try:
            with transaction.atomic():
                complaint = _bulk_one(action, complaint_id=complaint_id, actor=actor, fields=fields)
        except Conflict as error:
            result.update(status=409, detail=_refusal(error))
        except PermissionDenied as error:
            result.update(status=403, detail=_refusal(error))
        except ValidationError as error:
            result.update(status=400, detail=_refusal(error))
        else:
            result.update(status=200, number=complaint.number, state=complaint.state)
        results.append(result)
    return results
