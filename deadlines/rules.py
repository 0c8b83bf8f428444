"""Deadline rules. Rules are data, evaluated by pure functions.

A policy row (kind, clock, amount, windows, reminders) is turned into a :class:`PolicySpec`
elsewhere; :func:`due_at` turns the spec, a start time and a business calendar into a due time.
A running deadline keeps the spec it started with, so changing a policy never moves a deadline
already running (shared/style.md). No database, no "now": every time is passed in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from deadlines.calendar import BusinessCalendar, validate_windows


class Clock(enum.StrEnum):
    """How a deadline's clock runs."""

    #: Plain elapsed time, night and holidays included (e.g. publish an alert within 1 h).
    WALL = "wall"
    #: Whole working days; due at the end of the last one (e.g. self-inspection in 2 days).
    WORKING_DAYS = "working_days"
    #: Time inside the daily windows of working days only (e.g. 8 working hours).
    WORKING_HOURS = "working_hours"
    #: Time inside the daily windows of every calendar day (e.g. callback hours, seed 003).
    WINDOWS = "windows"


_WINDOWED = frozenset({Clock.WORKING_HOURS, Clock.WINDOWS})


@dataclass(frozen=True)
class PolicySpec:
    """One deadline rule; ``amount`` is days for WORKING_DAYS, minutes for every other clock.

    Validated on construction, so a bad policy fails when it is saved, not when an incident
    is already running against it.
    """

    kind: str
    clock: Clock
    amount: int
    windows: tuple[tuple[time, time], ...] = ()
    reminder_fractions: tuple[float, ...] = (0.5, 0.8)

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError(f"{self.kind}: the amount must be positive, not {self.amount}.")
        if self.clock in _WINDOWED:
            validate_windows(self.windows)
        elif self.windows:
            # Windows on a clock that ignores them would be a silent misconfiguration.
            raise ValueError(f"{self.kind}: the {self.clock} clock takes no windows.")
        fractions = self.reminder_fractions
        if any(not 0 < f < 1 for f in fractions) or list(fractions) != sorted(set(fractions)):
            raise ValueError(
                f"{self.kind}: reminder fractions must be distinct, ascending and between 0 and 1."
            )


def due_at(spec: PolicySpec, start: datetime, calendar: BusinessCalendar) -> datetime:
    """When a deadline of ``spec`` started at ``start`` falls due, aware in ``calendar.tz``."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"{start!r} is naive; deadlines need timezone-aware datetimes.")
    match spec.clock:
        case Clock.WALL:
            # Through UTC so that elapsed time stays elapsed time across any offset change.
            due = start.astimezone(UTC) + timedelta(minutes=spec.amount)
            return due.astimezone(calendar.tz)
        case Clock.WORKING_DAYS:
            return calendar.add_working_days(start, spec.amount)
        case Clock.WORKING_HOURS | Clock.WINDOWS:
            return calendar.add_window_time(
                start,
                timedelta(minutes=spec.amount),
                spec.windows,
                working_days_only=spec.clock is Clock.WORKING_HOURS,
            )
    raise ValueError(f"Unknown clock {spec.clock!r}.")


def reminder_times(spec: PolicySpec, start: datetime, due: datetime) -> list[datetime]:
    """Reminders at each fraction of the wall-clock span from ``start`` to ``due``.

    Wall-clock rather than working time: simple and predictable for the person reminded.
    Rounded to whole seconds; returned in the time zone of ``start``.
    """
    if due <= start:
        raise ValueError("The due time must be after the start.")
    begin = start.astimezone(UTC)
    span = due.astimezone(UTC) - begin
    return [
        _round_to_second(begin + fraction * span).astimezone(start.tzinfo)
        for fraction in spec.reminder_fractions
    ]


def _round_to_second(moment: datetime) -> datetime:
    rounded = moment.replace(microsecond=0)
    return rounded + timedelta(seconds=1) if moment.microsecond >= 500_000 else rounded


def spec_from_snapshot(snapshot: dict) -> PolicySpec:
    """The spec of a policy snapshot as stored on a deadline (windows as "HH:MM" pairs)."""
    windows = tuple(
        (time.fromisoformat(opening), time.fromisoformat(closing))
        for opening, closing in snapshot.get("windows") or ()
    )
    return PolicySpec(
        kind=snapshot["code"],
        clock=Clock(snapshot["clock"]),
        amount=int(snapshot["amount"]),
        windows=windows,
        reminder_fractions=tuple(snapshot.get("reminder_fractions") or ()),
    )
