"""Entering a calendar year the ``chinesecalendar`` package does not know yet: an
administrator types the State Council schedule's holidays and make-up working days 调休,
confirms the year, and the deadlines that waited for it get their due times at once."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from core.reference import forget
from deadlines import signals
from deadlines.calendar import package_knows
from deadlines.choices import DeadlineState
from deadlines.models import CalendarOverride, CalendarYear, Deadline
from deadlines.services import business_calendar, deadlines_schedule_waiting

#: Days as the caller has them: single days, or (first, last) ranges, both included.
Days = Iterable[date | tuple[date, date]]


@dataclass(frozen=True)
class CalendarYearSummary:
    year: int
    days_off: tuple[date, ...]
    makeup_days: tuple[date, ...]
    #: the waiting deadlines that got their due time
    scheduled: tuple[Deadline, ...]
    #: pending deadlines still without a due time (they reach into another unknown year)
    still_waiting: int
    dry_run: bool = False


def _ranges(days: Days) -> list[tuple[date, date]]:
    return [item if isinstance(item, tuple) else (item, item) for item in days]


def _days_of(
    field: str, ranges: Sequence[tuple[date, date]], year: int, errors: dict[str, list]
) -> set[date]:
    """The days of ``ranges``; what is wrong with them goes into ``errors[field]``."""
    days: set[date] = set()
    for first, last in ranges:
        if first > last:
            errors.setdefault(field, []).append(
                ValidationError(
                    _("%(range)s ends before it starts."),
                    code="range_order",
                    params={"range": f"{first}..{last}"},
                )
            )
            continue
        outside = [day for day in (first, last) if day.year != year]
        if outside:
            errors.setdefault(field, []).append(
                ValidationError(
                    _("%(day)s is not in %(year)s."),
                    code="other_year",
                    params={"day": outside[0], "year": year},
                )
            )
            continue
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def _validate(year, holidays, workdays) -> tuple[set[date], set[date]]:
    errors: dict[str, list] = {}
    if package_knows(year):
        raise ValidationError(
            {
                "year": ValidationError(
                    _(
                        "The statutory calendar already knows %(year)s; correct single days "
                        "of it with calendar overrides."
                    ),
                    code="known_year",
                    params={"year": year},
                )
            }
        )
    days_off = _days_of("holidays", holidays, year, errors)
    makeup = _days_of("workdays", workdays, year, errors)
    if not holidays:
        errors.setdefault("holidays", []).append(
            ValidationError(
                _("Enter the holidays (days off) of %(year)s."),
                code="required",
                params={"year": year},
            )
        )
    for day in sorted(makeup):
        if day.weekday() < 5:
            # a weekday is worked anyway: most likely a typo for the weekend day next to it
            errors.setdefault("workdays", []).append(
                ValidationError(
                    _(
                        "%(day)s is a %(weekday)s, a working day anyway: a make-up working "
                        "day falls on a Saturday or a Sunday."
                    ),
                    code="weekday",
                    params={"day": day, "weekday": WEEKDAYS[day.weekday()]},
                )
            )
    both = sorted(days_off & makeup)
    if both:
        errors.setdefault("workdays", []).append(
            ValidationError(
                _("%(days)s cannot be both a holiday and a make-up working day."),
                code="both",
                params={"days": ", ".join(str(day) for day in both)},
            )
        )
    if errors:
        raise ValidationError(errors)
    return days_off, makeup


def _forget_calendar() -> None:
    forget("calendar_overrides")
    forget("calendar_years")


def calendar_year_confirm(
    *,
    year: int,
    holidays: Days,
    workdays: Days,
    actor: User | None,
    notes: str = "",
    dry_run: bool = False,
) -> CalendarYearSummary:
    """Enter ``year``'s State Council schedule and confirm the year: its ``holidays`` become
    days off and its ``workdays`` (make-up days 调休) working days, replacing every earlier
    override of that year; every other day follows the normal week. Then every pending
    deadline that waited without a due time gets one, with its reminders, and a line in its
    record's timeline.

    Raises ``ValidationError`` naming the field (``year``, ``holidays``, ``workdays``) when a
    day lies outside the year, a range ends before it starts, a day is both off and worked, a
    make-up day is a weekday, or the package already knows the year. ``dry_run`` does all of
    it and rolls it back: the summary says what would happen."""
    holiday_ranges, workday_ranges = _ranges(holidays), _ranges(workdays)
    days_off, makeup = _validate(year, holiday_ranges, workday_ranges)
    with transaction.atomic():
        CalendarOverride.objects.filter(day__year=year).delete()
        note = _("Holiday schedule of %(year)s") % {"year": year}
        CalendarOverride.objects.bulk_create(
            [CalendarOverride(day=day, is_working_day=False, note=note) for day in days_off]
            + [CalendarOverride(day=day, is_working_day=True, note=note) for day in makeup]
        )
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={"confirmed_at": timezone.now(), "confirmed_by": actor, "notes": notes},
        )
        # what this transaction wrote, not what the cache held before it
        scheduled = deadlines_schedule_waiting(
            calendar=business_calendar(fresh=True), skip_locked=False
        )
        signals.due_times_set.send(sender=Deadline, deadlines=scheduled, year=year, actor=actor)
        still_waiting = Deadline.objects.filter(
            state=DeadlineState.PENDING, due_at__isnull=True
        ).count()
        # bulk writes send no signal: forget now, and again on commit, since other threads
        # of this process may cache the old calendar until then
        _forget_calendar()
        transaction.on_commit(_forget_calendar)
        if dry_run:
            transaction.set_rollback(True)
    return CalendarYearSummary(
        year=year,
        days_off=tuple(sorted(days_off)),
        makeup_days=tuple(sorted(makeup)),
        scheduled=tuple(scheduled),
        still_waiting=still_waiting,
        dry_run=dry_run,
    )
