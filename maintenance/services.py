"""Writes to planned work: registration, approval, the written announcement to the
departments concerned, completion, and work found behind a fault that nobody announced
(seed 003 第八条8)."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbering import number_next
from core.transitions import transition_check
from incidents.choices import BusinessLine
from incidents.models import BusinessLineOwner, Incident
from notifications.models import Channel
from notifications.services import notify
from organisation.models import City, Department, DepartmentKind, Role
from organisation.selectors import department_people, user_department

from .models import LateReason, PlannedWork, PlannedWorkEvent, PlannedWorkState
from .signals import planned_work_announced_late, planned_work_overran
from .workflow import FORBIDDEN

NOT_NOW = "This planned work is %(state)s: it cannot be done now."
# What a registration holds and the timeline names when it changes.
FIELDS = (
    "title",
    "kind",
    "description",
    "districts",
    "business_lines",
    "starts_at",
    "ends_at",
    "customer_impact",
    "customers_affected",
)


def _lock(work_id: int) -> PlannedWork:
    return (
        PlannedWork.objects.select_for_update(of=("self",))
        .select_related("owning_department", "incident")
        .get(pk=work_id)
    )


def _check(work: PlannedWork, method: str, actor: User | None) -> None:
    transition_check(
        work,
        method,
        actor,
        not_now=_(NOT_NOW),
        forbidden=FORBIDDEN[method],
        params={"department": work.owning_department},
    )


def _record(work: PlannedWork, *, actor, kind, action="", from_state="", payload=None, reason=""):
    return PlannedWorkEvent.objects.create(
        work=work,
        actor=actor,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=work.state,
        payload=payload or {},
        reason=reason,
    )


def _transition(work: PlannedWork, method: str, actor: User, *args, reason="", **kwargs) -> None:
    _check(work, method, actor)
    before = work.state
    getattr(work, method)(*args, **kwargs)
    work.save()
    _record(
        work,
        actor=actor,
        kind=PlannedWorkEvent.Kind.TRANSITION,
        action=method,
        from_state=before,
        reason=reason,
    )


def _validate(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for field in ("title", "customer_impact"):
        if field in data and not str(data[field] or "").strip():
            errors[field] = _("This field is required.")
    if "cities" in data and not data["cities"]:
        errors["cities"] = _("Name at least one city.")
    if "business_lines" in data:
        lines = data["business_lines"] or []
        if not lines:
            errors["business_lines"] = _("Name at least one business line.")
        elif set(lines) - set(BusinessLine.values):
            errors["business_lines"] = _("Unknown business line.")
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        errors["ends_at"] = _("The window must end after it starts.")
    if errors:
        raise ValidationError(errors)


def _jsonable(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


@transaction.atomic
def planned_work_create(
    *,
    actor: User,
    title: str,
    kind: str,
    cities: Iterable[City],
    business_lines: list[str],
    starts_at: datetime,
    ends_at: datetime,
    customer_impact: str,
    description: str = "",
    districts: str = "",
    customers_affected: int = 0,
    owning_department: Department | None = None,
    external_id: str = "",
    submit: bool = False,
) -> PlannedWork:
    """Register planned work as a draft (``submit``: and submit it at once); its owning
    department is by default the author's."""
    cities = list(cities)
    owning_department = owning_department or user_department(actor)
    data = {
        "title": title,
        "cities": cities,
        "business_lines": business_lines,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "customer_impact": customer_impact,
    }
    _validate(data)
    if owning_department is None:
        raise ValidationError({"owning_department": _("Name the department that owns the work.")})
    work = PlannedWork.objects.create(
        number=number_next(prefix="PLW"),
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        districts=districts.strip(),
        business_lines=list(dict.fromkeys(business_lines)),
        starts_at=starts_at,
        ends_at=ends_at,
        customer_impact=customer_impact.strip(),
        customers_affected=customers_affected,
        owning_department=owning_department,
        author=actor,
        external_id=external_id,
    )
    work.cities.set(cities)
    _record(
        work,
        actor=actor,
        kind=PlannedWorkEvent.Kind.CREATED,
        payload={"cities": [c.code for c in cities], "owner": owning_department.code},
    )
    if submit:
        return planned_work_submit(work_id=work.pk, actor=actor)
    return work


@transaction.atomic
def planned_work_update(*, work_id: int, actor: User, **changes: Any) -> PlannedWork:
    """Change a draft; the timeline keeps what changed, from what to what."""
    work = _lock(work_id)
    _check(work, "edit", actor)
    unknown = set(changes) - {*FIELDS, "cities"}
    if unknown:
        raise ValueError(f"Not a planned-work field: {sorted(unknown)}")
    merged = {
        "starts_at": work.starts_at,
        "ends_at": work.ends_at,
        **changes,
    }
    _validate(merged)
    changed: dict[str, list] = {}
    for field in FIELDS:
        if field in changes and changes[field] != getattr(work, field):
            changed[field] = [_jsonable(getattr(work, field)), _jsonable(changes[field])]
            setattr(work, field, changes[field])
    if "cities" in changes:
        before = sorted(work.cities.values_list("code", flat=True))
        after = sorted(c.code for c in changes["cities"])
        if before != after:
            changed["cities"] = [before, after]
            work.cities.set(changes["cities"])
    if changed:
        work.save()
        _record(work, actor=actor, kind=PlannedWorkEvent.Kind.CHANGED, payload=changed)
    return work


@transaction.atomic
def planned_work_submit(*, work_id: int, actor: User) -> PlannedWork:
    """Ask for approval. Submitted once its window has started, the work was not announced
    beforehand: the owning department is assessed (seed 003 第八条8), once."""
    work = _lock(work_id)
    _transition(work, "submit", actor)
    if work.submitted_at is not None and work.submitted_at >= work.starts_at and not work.late:
        work.late = LateReason.SUBMITTED_AFTER_START
        work.save(update_fields=["late", "updated_at"])
        planned_work_announced_late.send(
            sender=PlannedWork, work=work, reason=work.late, actor=actor
        )
    return work


def concerned_departments(work: PlannedWork) -> list[Department]:
    """Whom the announcement is written to: the customer-service centre always (it takes
    the calls), the customer-service department, the departments of its business lines and
    the branches of its cities; the owning department is told too."""
    cities = list(work.cities.all())
    owners = BusinessLineOwner.objects.filter(business_line__in=work.business_lines).values(
        "department"
    )
    found = Department.objects.filter(is_active=True).filter(
        Q(kind__in=[DepartmentKind.CS_CENTRE, DepartmentKind.CUSTOMER_SERVICE])
        | Q(pk__in=owners)
        | Q(kind=DepartmentKind.BRANCH, city__in=cities)
    )
    return sorted({*found, work.owning_department}, key=lambda d: d.code)


def _announce(work: PlannedWork, actor: User) -> None:
    departments = concerned_departments(work)
    work.announced_to.set(departments)
    recipients = [
        person
        for department in departments
        for person in department_people(department, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER)
    ]
    notify(
        recipients=recipients,
        kind="planned_work.announced",
        template="maintenance/announcement.txt",
        context={
            "work": work,
            "cities": ", ".join(c.name for c in work.cities.all()),
            "starts": timezone.localtime(work.starts_at),
            "ends": timezone.localtime(work.ends_at),
        },
        link=work.get_absolute_url(),
        dedupe_key=f"planned_work:{work.pk}:announced",
        channels=(Channel.EMAIL,),
    )
    _record(
        work,
        actor=actor,
        kind=PlannedWorkEvent.Kind.ANNOUNCED,
        payload={"departments": [d.code for d in departments]},
    )


@transaction.atomic
def planned_work_approve(*, work_id: int, actor: User, note: str = "") -> PlannedWork:
    """Approve it and announce it in writing to the departments concerned (in the app and
    by email, sent once the approval commits)."""
    work = _lock(work_id)
    _transition(work, "approve", actor, actor, note.strip(), reason=note.strip())
    _announce(work, actor)
    return work


@transaction.atomic
def planned_work_reject(*, work_id: int, actor: User, note: str) -> PlannedWork:
    if not note.strip():
        raise ValidationError({"note": _("Say why it is rejected.")})
    work = _lock(work_id)
    _transition(work, "reject", actor, actor, note.strip(), reason=note.strip())
    notify(
        recipients=[work.author],
        kind="planned_work.rejected",
        subject=_("Planned work rejected: %(number)s") % {"number": work.number},
        body=note.strip(),
        link=work.get_absolute_url(),
        dedupe_key=f"planned_work:{work.pk}:rejected:{work.decided_at:%s}",
    )
    return work


@transaction.atomic
def planned_work_revise(*, work_id: int, actor: User) -> PlannedWork:
    work = _lock(work_id)
    _transition(work, "revise", actor)
    return work


@transaction.atomic
def planned_work_complete(*, work_id: int, actor: User, at: datetime | None = None) -> PlannedWork:
    """The owning department reports the work done; done after its window, it overran, and
    the complaints it caused count after all."""
    at = at or timezone.now()
    work = _lock(work_id)
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": _("The work cannot be done in the future.")})
    _transition(work, "complete", actor, at)
    _count_overrun(work)
    return work


def _count_overrun(work: PlannedWork) -> bool:
    """Once a (locked) work has overrun, its complaints count after all: told once."""
    if not work.overran or work.overrun_counted_at is not None:
        return False
    work.overrun_counted_at = timezone.now()
    work.save(update_fields=["overrun_counted_at", "updated_at"])
    _record(work, actor=None, kind=PlannedWorkEvent.Kind.OVERRUN)
    planned_work_overran.send(sender=PlannedWork, work=work)
    return True


def planned_work_overruns_sweep() -> int:
    """Approved work whose window has closed without its department reporting it done has
    overrun too: its complaints count toward their incidents from then on, as if it had been
    reported done late (beat, every minute; each work once, in its own transaction)."""
    overdue = PlannedWork.objects.filter(
        state=PlannedWorkState.APPROVED,
        ends_at__lt=timezone.now(),
        overrun_counted_at__isnull=True,
    ).values_list("pk", flat=True)
    counted = 0
    for pk in list(overdue[:500]):
        with transaction.atomic():
            counted += _count_overrun(_lock(pk))
    return counted


@transaction.atomic
def planned_work_record_unannounced(
    *,
    incident_id: int,
    actor: User,
    department: Department,
    title: str,
    description: str = "",
) -> PlannedWork:
    """The owning department of a fault records it as caused by planned work that
    ``department`` did without announcing it: the work is registered after the fact, and
    ``department`` is assessed 200 yuan (seed 003 第八条8) — once per incident."""
    if not title.strip():
        raise ValidationError({"title": _("Say what work caused it.")})
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    existing = PlannedWork.objects.filter(
        incident=incident, state=PlannedWorkState.UNANNOUNCED, owning_department=department
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    starts = min(incident.occurred_at, now - timedelta(minutes=1))
    work = PlannedWork(
        number=number_next(prefix="PLW"),
        title=title.strip(),
        kind="other",
        description=description.strip(),
        business_lines=[incident.business_line],
        starts_at=starts,
        ends_at=now,
        customer_impact=incident.title,
        owning_department=department,
        author=actor,
        incident=incident,
    )
    _check(work, "record_unannounced", actor)
    work.save()
    work.cities.set(incident.cities.all())
    _record(
        work,
        actor=actor,
        kind=PlannedWorkEvent.Kind.CREATED,
        payload={"incident": incident.number, "owner": department.code},
    )
    _transition(work, "record_unannounced", actor)
    planned_work_announced_late.send(
        sender=PlannedWork, work=work, reason=LateReason.UNANNOUNCED, actor=actor
    )
    return work
