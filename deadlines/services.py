"""The clock that enforces every time limit: opening, meeting, cancelling and sweeping
deadlines of any record (incidents, complaints, procedures, action items).

The workflow opens a deadline when a step begins and meets it with the submission that
satisfies it; a Celery beat sweep breaches the ones that fell due, reminds before, and is
idempotent: two sweeps at once, or one twice, never double-notify or double-record.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.bulk import instances, rows_insert_alike, rows_merge
from core.live import publish, user_topic
from core.reference import cached
from deadlines.calendar import BusinessCalendar, CalendarYearUnknown
from deadlines.choices import DeadlineState
from deadlines.models import CalendarOverride, CalendarYear, Deadline, DeadlinePolicy
from deadlines.rules import due_at, reminder_times, spec_from_snapshot
from deadlines.versions import policy_version
from notifications.models import Notification
from notifications.services import (
    Message,
    notifications_build,
    notifications_build_many,
    notifications_store,
    translated,
)
from organisation.live import scoped_topics
from organisation.models import Department, Role
from organisation.selectors import department_people

from . import signals

log = logging.getLogger(__name__)
SWEEP_BATCH = 200


def _overrides() -> dict:
    return dict(CalendarOverride.objects.values_list("day", "is_working_day"))


def _confirmed_years() -> frozenset[int]:
    return frozenset(CalendarYear.objects.values_list("year", flat=True))


def business_calendar(*, fresh: bool = False) -> BusinessCalendar:
    """The deployment's calendar: Chinese working days, with the admins' overrides and the
    years whose schedule they confirmed. ``fresh`` reads the database past the in-process
    cache (inside a transaction that changes them: what it reads must not be cached before
    it commits)."""
    if fresh:
        overrides, years = _overrides(), _confirmed_years()
    else:
        overrides = cached("calendar_overrides", _overrides)
        years = cached("calendar_years", _confirmed_years)
    return BusinessCalendar(
        tz=ZoneInfo(settings.TIME_ZONE), overrides=overrides, confirmed_years=years
    )


def calendar_years_status(today=None) -> dict[str, str]:
    """Whether the working-day calendar knows this year and the next (the pages' banner).

    This year unknown is an error (working-day limits cannot be computed); next year unknown
    is a warning to enter its schedule once the State Council publishes it."""
    today = today or timezone.localdate()
    calendar = business_calendar()
    status = {}
    for year, severity in ((today.year, "error"), (today.year + 1, "warning")):
        try:
            calendar.check_year(year)
        except CalendarYearUnknown as error:
            status[str(year)] = f"{severity}: {error}"
        else:
            status[str(year)] = "ok"
    return status


def calendar_status(today=None) -> dict[str, str]:
    """:func:`calendar_years_status` and how many pending deadlines wait for a due time
    (health page, admin)."""
    status = calendar_years_status(today)
    waiting = Deadline.objects.filter(state=DeadlineState.PENDING, due_at__isnull=True).count()
    if waiting:
        status["deadlines_without_due_time"] = str(waiting)
    return status


def responsible_person(department: Department | None) -> User | None:
    """Who answers for a department's deadlines: its interface person 接口人 (24 h)."""
    if department is None:
        return None
    return department_people(department, Role.INTERFACE_PERSON).first()


def _schedule(deadline: Deadline, calendar: BusinessCalendar, due: datetime | None = None) -> None:
    """Compute due time and reminders from the deadline's own policy snapshot (or take the
    due time a person set, as for an action item)."""
    spec = spec_from_snapshot(deadline.snapshot)
    try:
        due = due or due_at(spec, deadline.started_at, calendar)
    except CalendarYearUnknown as error:
        # Never guess: the deadline waits without a due time until an admin fills the year in.
        deadline.due_at, deadline.reminders, deadline.next_reminder_at = None, [], None
        deadline.problem = str(error)[:200]
        log.error("Deadline %s has no due time: %s", deadline.kind, error)
        return
    deadline.due_at = due
    deadline.problem = ""
    reminders = reminder_times(spec, deadline.started_at, due) if due > deadline.started_at else []
    deadline.reminders = [moment.isoformat() for moment in reminders]
    now = timezone.now()
    deadline.next_reminder_at = next((m for m in reminders if m > now), None)


def deadline_open(
    *,
    record: models.Model,
    policy: DeadlinePolicy,
    start: datetime,
    department: Department | None,
    person: User | None = None,
    calendar: BusinessCalendar | None = None,
    round: int = 0,
    due: datetime | None = None,
) -> Deadline:
    """Start ``policy``'s limit for ``record`` (once per record, kind and round; a second
    call returns the first deadline); ``due`` fixes the due time where a person set it (an
    action item's date). Runs inside the caller's transaction."""
    content_type = ContentType.objects.get_for_model(record)
    existing = Deadline.objects.filter(
        content_type=content_type, object_id=record.pk, kind=policy.code, round=round
    ).first()
    if existing is not None:
        return existing
    deadline = _build(record, policy, start, department, person, round, calendar, due)
    deadline.save()
    _told([deadline])
    return deadline


def _told(deadlines: Iterable[Deadline | tuple[int | None, int | None]]) -> None:
    """The open pages that show these deadlines read them again (``core.live``): the lists
    of their departments, and the bells (next due time) of the people who answer for them.
    A deadline, or its (department id, person id)."""
    pairs = [
        (d.responsible_department_id, d.responsible_person_id) if isinstance(d, Deadline) else d
        for d in deadlines
    ]
    publish(
        scoped_topics("deadlines", (department for department, _person in pairs))
        + [user_topic(person) for _department, person in pairs]
    )


_RESPONSIBLE = ("responsible_department_id", "responsible_person_id")


def _build(record, policy, start, department, person, round, calendar, due=None) -> Deadline:
    deadline = Deadline(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        kind=policy.code,
        round=round,
        policy=policy,
        policy_version=policy_version(policy),
        started_at=start,
        responsible_department=department,
        responsible_person=person or responsible_person(department),
    )
    _schedule(deadline, calendar or business_calendar(), due)
    return deadline


_Limit = tuple[models.Model, DeadlinePolicy, datetime, Department | None, User | None]
_SHARED = (
    "content_type_id", "kind", "round", "policy_id", "policy_version_id", "started_at",
    "due_at", "reminders", "next_reminder_at", "problem", "created_at",
)  # fmt: skip


def _alike(rows: list[_Limit], round: int) -> list[tuple[Deadline, list[dict[str, Any]]]]:
    """Many limits as schedules: the first deadline of each policy and start (its due time
    and reminders computed once), and for each of its limits, the values that are the
    limit's own (record, department, person), the first's included."""
    calendar = business_calendar()
    schedules: dict[tuple, tuple[Deadline, list[dict[str, Any]]]] = {}
    people: dict[int | None, User | None] = {}
    for record, policy, start, department, person in rows:
        if person is None:
            key = None if department is None else department.pk
            if key not in people:
                people[key] = responsible_person(department)
            person = people[key]
        schedule = schedules.get((policy.pk, start))
        if schedule is None:
            first = _build(record, policy, start, department, person, round, calendar)
            schedule = schedules[(policy.pk, start)] = (first, [])
        schedule[1].append(
            {
                "object_id": record.pk,
                "responsible_department_id": None if department is None else department.pk,
                "responsible_person_id": None if person is None else person.pk,
            }
        )
    return list(schedules.values())


def deadlines_build_many(rows: list[_Limit], *, round: int = 0) -> list[Deadline]:
    """The (unsaved) deadlines of many limits: whoever writes them writes them together.

    Limits of one policy started at one moment share their schedule (computed once) and
    the moment they were made."""
    deadlines = []
    for first, limits in _alike(rows, round):
        shared = {field: getattr(first, field) for field in _SHARED}
        deadlines.append(first)
        # the rest as copies of the first, built positionally (core.bulk)
        deadlines.extend(instances(Deadline, ({**shared, **limit} for limit in limits[1:])))
    return deadlines


def deadlines_write_many(rows: list[_Limit], *, round: int = 0) -> None:
    """Start many limits that nobody reads back (a bulk intake's): each schedule's limits
    written as one set (:func:`core.bulk.rows_insert_alike`), none built as an object.
    Runs inside the caller's transaction."""
    for first, limits in _alike(rows, round):
        rows_insert_alike(first, limits)


_ONE_PER_KIND = ("content_type", "object_id", "kind", "round")  # the table's unique constraint


def deadlines_open_many(rows: list[_Limit], *, round: int = 0) -> list[Deadline]:
    """Start many limits at once (:func:`deadlines_build_many`, written by
    :func:`core.bulk.rows_merge`); rows that exist are left, and the deadlines written get
    their ids."""
    deadlines = deadlines_build_many(rows, round=round)
    rows_merge(deadlines, conflict=_ONE_PER_KIND)
    _told(deadlines)
    return deadlines


def _for_record(record: models.Model):
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def deadline_meet(
    *, record: models.Model, kind: str, at: datetime | None = None
) -> Deadline | None:
    """The step was done at ``at``: on time → met; late → breached (if not yet), met late."""
    at = at or timezone.now()
    deadline = _for_record(record).select_for_update().filter(kind=kind).order_by("-round").first()
    if deadline is None or deadline.state in (DeadlineState.MET, DeadlineState.CANCELLED):
        return deadline
    breached_now = False
    if deadline.state == DeadlineState.PENDING:
        if deadline.due_at is not None and at > deadline.due_at:
            deadline.state = DeadlineState.BREACHED  # found late, before the sweep did
            deadline.breached_at = at
            breached_now = True
        else:
            deadline.state = DeadlineState.MET
    if deadline.met_at is None:
        deadline.met_at = at
    deadline.next_reminder_at = None
    deadline.save(update_fields=["state", "met_at", "breached_at", "next_reminder_at"])
    _told([deadline])
    if breached_now:
        _announce_breaches([deadline], now=at)
    return deadline


def _announce_breaches(breached: list[Deadline], *, now: datetime) -> None:
    """The consequences of breaches, written once (the caller holds their rows): the
    notifications of the people who answer for them (in the app and on
    ``DEADLINE_BREACH_CHANNELS``), then one signal for the batch, which the domains receive
    to write theirs (timeline lines, escalations, violations) in a few statements each,
    inside the same transaction so that what they write stands or falls with it."""
    if not breached:
        return
    departments: dict[int, list[User]] = {}  # the people of each department, read once
    notifications_store(
        notifications_build_many(_breach_message(deadline, departments) for deadline in breached),
        channels=settings.DEADLINE_BREACH_CHANNELS,
        digest=True,  # a person answering for many breaches gets one e-mail per batch
    )
    Deadline.objects.filter(pk__in=[d.pk for d in breached]).update(announced_at=now)
    for deadline in breached:
        deadline.announced_at = now
    _told(breached)
    signals.deadlines_breached.send(sender=Deadline, deadlines=breached)


def deadline_cancel(*, record: models.Model, kinds: list[str] | None = None) -> int:
    """Cancel the record's pending deadlines (all of them, or those of ``kinds``)."""
    pending = _for_record(record).filter(state=DeadlineState.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    _told(pending.values_list(*_RESPONSIBLE))
    return pending.update(state=DeadlineState.CANCELLED, next_reminder_at=None)


def deadline_reassign(
    *,
    record: models.Model,
    kinds: list[str],
    department: Department | None,
    person: User | None = None,
) -> int:
    """A new department answers for the record's pending deadlines of ``kinds``: ``person``,
    or its interface person."""
    pending = _for_record(record).filter(state=DeadlineState.PENDING, kind__in=kinds)
    person = person or responsible_person(department)
    now_answering = (department.pk if department else None, person.pk if person else None)
    _told([*pending.values_list(*_RESPONSIBLE), now_answering])
    return pending.update(responsible_department=department, responsible_person=person)


# --- enforcement ------------------------------------------------------------------------------


def _recipients(deadline: Deadline, departments: dict[int, list[User]]) -> list[User]:
    """The responsible person and their superior; without a person, the department's
    interface persons and leader (kept in ``departments`` for the rest of the batch)."""
    person = deadline.responsible_person
    if person is not None:
        superior = getattr(getattr(person, "profile", None), "superior", None)
        return [u for u in (person, superior) if u is not None]
    department = deadline.responsible_department
    if department is None:
        return []
    if department.pk not in departments:
        departments[department.pk] = list(
            department_people(department, Role.INTERFACE_PERSON, Role.DEPARTMENT_LEADER)
        )
    return departments[department.pk]


class _Name:
    """The deadline's name in the language of whoever reads it (rendered per reader)."""

    __slots__ = ("deadline",)

    def __init__(self, deadline: Deadline):
        self.deadline = deadline

    def __str__(self) -> str:
        return self.deadline.name


def _record_label(deadline: Deadline) -> tuple[str, str]:
    record = deadline.record
    if record is None:
        return deadline.kind, ""
    label = getattr(record, "number", None) or str(record)
    link = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return label, link


def _breach_message(deadline: Deadline, departments: dict[int, list[User]]) -> Message:
    """The message to the people who answer for a breached deadline; the caller builds and
    stores the notifications (in batches)."""
    label, link = _record_label(deadline)
    due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    return Message(
        recipients=_recipients(deadline, departments),
        kind="deadline.breached",
        subject=translated(
            gettext_lazy("Overdue: %(name)s of %(record)s"),
            {"name": _Name(deadline), "record": label},
        ),
        body=translated(gettext_lazy("It was due at %(due)s."), {"due": due}),
        link=link,
        dedupe_key=f"deadline:{deadline.pk}:breached",
    )


def _remind(deadline: Deadline, *, now: datetime) -> list[Notification]:
    reminders = [datetime.fromisoformat(moment) for moment in deadline.reminders]
    due_reminders = [m for m in reminders if m <= now]
    deadline.next_reminder_at = next((m for m in reminders if m > now), None)
    if not due_reminders or deadline.responsible_person is None:
        return []
    label, link = _record_label(deadline)
    due = timezone.localtime(deadline.due_at).strftime("%H:%M")
    return notifications_build(
        recipients=[deadline.responsible_person],
        kind="deadline.reminder",
        subject=translated(
            gettext_lazy("Due at %(due)s: %(name)s of %(record)s"),
            {"due": due, "name": _Name(deadline), "record": label},
        ),
        link=link,
        # one reminder per reminder time, however many sweeps see it
        dedupe_key=f"deadline:{deadline.pk}:reminder:{len(due_reminders)}",
    )


def _lock_batch(condition: models.Q, order: str, batch: int) -> list[Deadline]:
    """Lock a batch of deadlines (SKIP LOCKED) with what announcing them reads: their records,
    and the people who answer for them, each read once for the batch (a storm's breaches
    mostly fall to the same few people)."""
    deadlines = list(
        Deadline.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(condition)
        .order_by(order)[:batch]
    )
    person_ids = {d.responsible_person_id for d in deadlines if d.responsible_person_id}
    people: dict[int | None, User] = {
        user.pk: user
        for user in User.objects.filter(pk__in=person_ids).select_related(
            "profile__superior__profile"  # each reads in their language
        )
    }
    departments: dict[int | None, Department] = Department.objects.in_bulk(
        {d.responsible_department_id for d in deadlines if d.responsible_department_id}
    )
    for deadline in deadlines:
        deadline.content_type = ContentType.objects.get_for_id(deadline.content_type_id)
        deadline.responsible_person = people.get(deadline.responsible_person_id)
        deadline.responsible_department = departments.get(deadline.responsible_department_id)
    models.prefetch_related_objects(deadlines, "record")
    return deadlines


MARK_BATCH = 5000

# One statement per batch marks what fell due; SKIP LOCKED (where the database has it: not
# SQLite, whose writers take turns anyway) lets concurrent sweeps split the rows. The ORM's
# update() cannot lock a limited subquery, hence SQL.
_MARK_DUE = """
    UPDATE {table} SET state = %s, breached_at = %s, next_reminder_at = NULL
    WHERE id IN (
        SELECT id FROM {table} WHERE state = %s AND due_at <= %s
        ORDER BY due_at LIMIT %s{lock}
    )
"""


def deadlines_mark_due(*, now: datetime | None = None, batch: int = MARK_BATCH) -> int:
    """Mark every pending deadline that fell due as breached (found through the partial index
    on pending deadlines); their consequences follow in :func:`breaches_announce`."""
    now = now or timezone.now()
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    sql = _MARK_DUE.format(table=Deadline._meta.db_table, lock=lock)
    marked = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            at = connection.ops.adapt_datetimefield_value(now)  # as the ORM stores times
            cursor.execute(sql, [DeadlineState.BREACHED, at, DeadlineState.PENDING, at, batch])
            count = cursor.rowcount
        marked += count
        if count < batch:
            return marked


def breaches_announce(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Announce the breaches marked and not yet announced (:func:`_announce_breaches`), once
    each: every batch is one transaction over rows locked with SKIP LOCKED."""
    now = now or timezone.now()
    announced = 0
    while True:
        with transaction.atomic():
            due = _lock_batch(
                models.Q(state=DeadlineState.BREACHED, announced_at__isnull=True),
                "breached_at",
                batch,
            )
            _announce_breaches(due, now=now)
        announced += len(due)
        if len(due) < batch:
            return announced


def breaches_unannounced() -> int:
    """How many breaches wait to be announced (read from their partial index)."""
    return Deadline.objects.filter(state=DeadlineState.BREACHED, announced_at__isnull=True).count()


def deadlines_sweep(
    *,
    now: datetime | None = None,
    batch: int = SWEEP_BATCH,
    share: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Breach every pending deadline that fell due, announce the breaches, and send the
    reminders that are due.

    Marking comes first and whole (one statement per batch), so a backlog is recorded at
    once; announcing and reminding go in batches of ``batch``. A backlog of more than one
    batch is first offered to ``share`` (with its size), which may have other processes
    announce beside this one (the deadlines worker's: each batch is claimed with SKIP
    LOCKED, so they split it). A sweep stopped in between leaves the unannounced breaches
    to the next, which announces each once."""
    now = now or timezone.now()
    breached = deadlines_mark_due(now=now)
    if share is not None and (backlog := breaches_unannounced()) > batch:
        share(backlog)
    done = {
        "breached": breached,
        "announced": breaches_announce(now=now, batch=batch),
        "reminded": 0,
    }
    while True:
        with transaction.atomic():
            reminding = _lock_batch(
                models.Q(state=DeadlineState.PENDING, next_reminder_at__lte=now),
                "next_reminder_at",
                batch,
            )
            notifications = [row for deadline in reminding for row in _remind(deadline, now=now)]
            Deadline.objects.bulk_update(reminding, ["next_reminder_at"])
            notifications_store(notifications, channels=settings.DEADLINE_REMINDER_CHANNELS)
        done["reminded"] += len(reminding)
        if len(reminding) < batch:
            break
    return done


def deadlines_schedule_waiting(
    *, calendar: BusinessCalendar, skip_locked: bool = True
) -> list[Deadline]:
    """Give a due time and reminders to the pending deadlines that waited without one, as
    ``calendar`` now allows; returns those that got one (a deadline that still reaches into
    a year nobody knows keeps waiting, its problem updated). Runs inside the caller's
    transaction; ``skip_locked=False`` waits for rows another transaction holds, so that
    none is left out."""
    waiting = list(
        Deadline.objects.select_for_update(skip_locked=skip_locked, of=("self",))
        .filter(state=DeadlineState.PENDING, due_at__isnull=True)
        .select_related("content_type", "policy_version")
        .order_by("pk")
    )
    for deadline in waiting:
        _schedule(deadline, calendar)
    Deadline.objects.bulk_update(
        waiting, ["due_at", "reminders", "next_reminder_at", "problem"], batch_size=500
    )
    return [deadline for deadline in waiting if deadline.due_at is not None]


@transaction.atomic
def deadlines_reschedule_unknown() -> int:
    """Give a due time to deadlines that waited for an unknown calendar year."""
    return len(deadlines_schedule_waiting(calendar=business_calendar()))
