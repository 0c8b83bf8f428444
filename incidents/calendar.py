"""The business calendar: which days are working days, and how time runs on them.

Working days are Chinese statutory working days: weekends off, public holidays off, announced
make-up days on (调休; shared/spec/domain.md §5). The ``chinese_calendar`` package knows the
State Council schedule of past years and the current one; for a year it does not know yet,
admins fill in overrides. We never guess a year: a wrong guess silently moves every deadline,
a loud error gets the overrides filled in.

Pure functions only: no database, no "now". The caller passes the overrides it loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

Window = tuple[time, time]

#: A deadline of N working days ends with the last second of the N-th working day.
END_OF_DAY = time(23, 59, 59)


class CalendarYearUnknown(Exception):
    """Neither ``chinese_calendar`` nor an override says whether a day of ``year`` is worked."""

    def __init__(self, year: int, detail: str) -> None:
        self.year = year
        super().__init__(
            f"The working-day calendar of {year} is unknown: {detail}. "
            f"Enter the working-day overrides for {year} (or upgrade chinesecalendar)."
        )


def validate_windows(windows: Sequence[Window]) -> None:
    """Refuse windows that are empty, unsorted, overlapping or not plain times of one day.

    Overlapping windows would count the same minutes twice and silently shorten every deadline.
    """
    if not windows:
        raise ValueError("At least one daily window is required.")
    previous_end: time | None = None
    for opens, closes in windows:
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError("Window times are local wall-clock times, without a time zone.")
        if not opens < closes:
            raise ValueError(f"Window {opens}–{closes} must open before it closes, within one day.")
        if previous_end is not None and opens < previous_end:
            raise ValueError(
                f"Window {opens}–{closes} overlaps or precedes the previous one, "
                f"which closes at {previous_end}."
            )
        previous_end = closes


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive; deadlines need timezone-aware datetimes.")


@dataclass(frozen=True)
class BusinessCalendar:
    """The deployment's time zone plus admin overrides (date → is working day).

    An override always wins over the package: it corrects the package or fills a year it
    does not know.
    """

    tz: ZoneInfo
    overrides: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises :class:`CalendarYearUnknown`, never guesses."""
        # A datetime is a date too, but would never match an override key and would ignore tz.
        if isinstance(day, datetime):
            raise TypeError("Pass a local date, not a datetime.")
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarYearUnknown(
                day.year, f"chinese_calendar does not cover it and no override covers {day}"
            ) from None

    def check_year(self, year: int) -> None:
        """Raise :class:`CalendarYearUnknown` unless every day of ``year`` can be answered.

        For the health page: tells admins ahead of time which year's overrides are missing.
        """
        if _package_knows(year):
            return
        first, length = date(year, 1, 1), (date(year + 1, 1, 1) - date(year, 1, 1)).days
        missing = sum(first + timedelta(days=n) not in self.overrides for n in range(length))
        if missing:
            raise CalendarYearUnknown(
                year,
                f"chinese_calendar does not cover it and {missing} of its days have no override",
            )

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 local) of the ``days``-th working day after ``start``'s local date.

        The day of ``start`` never counts, even if it is a working day: "within 2 working days"
        of a notice means two full working days after the day it arrived (seed 002).
        """
        _require_aware(start)
        if days < 1:
            raise ValueError("A working-day limit needs at least 1 day.")
        day = start.astimezone(self.tz).date()
        while days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return datetime.combine(day, END_OF_DAY, tzinfo=self.tz)

    def add_window_time(
        self,
        start: datetime,
        duration: timedelta,
        windows: Sequence[Window],
        working_days_only: bool,
    ) -> datetime:
        """When ``duration`` of clock time inside the daily ``windows`` has elapsed since ``start``.

        The clock runs only inside the windows (local wall-clock time; a window includes its
        opening and excludes its close) and, if ``working_days_only``, only on working days.
        A start outside every window waits for the next opening. A duration that runs out
        exactly at a close returns that close, not the next opening: the work was due then.
        """
        _require_aware(start)
        validate_windows(windows)
        if duration <= timedelta(0):
            raise ValueError("The duration must be positive.")
        cursor = start.astimezone(self.tz)
        day, remaining = cursor.date(), duration
        while True:
            if not working_days_only or self.is_working_day(day):
                for opens_at, closes_at in windows:
                    opens = datetime.combine(day, opens_at, tzinfo=self.tz)
                    closes = datetime.combine(day, closes_at, tzinfo=self.tz)
                    if closes <= cursor:
                        continue
                    begin = max(opens, cursor)
                    if remaining <= closes - begin:
                        return begin + remaining
                    remaining -= closes - begin
            day += timedelta(days=1)
            cursor = datetime.combine(day, time.min, tzinfo=self.tz)
