"""The business calendar: which days are working days, and how time runs on them.

Working days are Chinese statutory working days: weekends off, public holidays off, announced
make-up days on (调休; shared/spec/domain.md §5). The ``chinese_calendar`` package knows the
State Council schedule of past years and the current one; for a year it does not know yet, an
administrator enters that year's holidays and make-up working days as overrides and confirms
the year: every other day of a confirmed year follows the normal week. We never guess a year:
a wrong guess silently moves every deadline, a loud error gets the schedule entered.

Pure functions only: no database, no "now". The caller passes the overrides and confirmed
years it loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

Window = tuple[time, time]

#: A deadline of N working days ends with the last second of the N-th working day.
END_OF_DAY = time(23, 59, 59)


class CalendarYearUnknown(Exception):
    """Neither ``chinese_calendar``, a confirmed year nor an override says whether a day of
    ``year`` is worked."""

    def __init__(self, year: int, detail: str) -> None:
        self.year = year
        super().__init__(
            f"The working-day calendar of {year} is unknown: {detail}. "
            f"Enter its holidays and make-up days (manage.py calendar_year, or the admin) or "
            f"upgrade chinesecalendar."
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


def package_knows(year: int) -> bool:
    """Whether the ``chinese_calendar`` package holds the State Council schedule of ``year``."""
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
    """The deployment's time zone, admin overrides (date → is working day) and the years
    whose schedule an administrator confirmed.

    An override always wins over the package: it corrects the package or, in a year the
    package does not know, marks a holiday or a make-up working day. In a confirmed year the
    package does not know, a day without an override follows the normal week (Monday to
    Friday on, Saturday and Sunday off); an unconfirmed year the package does not know is
    refused.
    """

    tz: ZoneInfo
    overrides: Mapping[date, bool] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

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
            if day.year in self.confirmed_years:
                return day.weekday() < 5
            raise CalendarYearUnknown(
                day.year,
                f"neither chinese_calendar nor an entered schedule covers {day}",
            ) from None

    def check_year(self, year: int) -> None:
        """Raise :class:`CalendarYearUnknown` unless every day of ``year`` can be answered.

        For the health page: tells admins ahead of time which year's schedule is missing.
        """
        if package_knows(year) or year in self.confirmed_years:
            return
        first, length = date(year, 1, 1), (date(year + 1, 1, 1) - date(year, 1, 1)).days
        missing = sum(first + timedelta(days=n) not in self.overrides for n in range(length))
        if missing:
            raise CalendarYearUnknown(
                year,
                f"neither chinese_calendar nor an entered schedule covers it "
                f"({missing} of its days have no override)",
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


class NotADay(ValueError):
    """Text typed as a day or a range of days that is neither."""

    def __init__(self, item: str) -> None:
        self.item = item
        super().__init__(f"{item!r} is neither a date (YYYY-MM-DD) nor a range (start..end)")


_RANGE_SEPARATOR = re.compile(r"\s*(?:\.\.|~|～|至|–|—)\s*")
_ITEM_SEPARATOR = re.compile(r"[\s,，、;；]+")


def parse_day_ranges(lines: Iterable[str]) -> list[tuple[date, date]]:
    """Days and ranges of days as people type them: ``2027-01-01`` or
    ``2027-02-05..2027-02-13`` (also ``~``, ``至``), several per line or one per line, and
    anything after ``#`` a comment. A range is returned as typed, not put in order: the
    caller refuses one that ends before it starts, naming it. Raises :class:`NotADay` naming
    the text that is not a date."""
    ranges = []
    for line in lines:
        line = _RANGE_SEPARATOR.sub("..", line.split("#", 1)[0]).strip()
        for item in filter(None, _ITEM_SEPARATOR.split(line)):
            first, ranged, last = item.partition("..")
            try:
                start = date.fromisoformat(first)
                end = date.fromisoformat(last) if ranged else start
            except ValueError:
                raise NotADay(item) from None
            ranges.append((start, end))
    return ranges


def spell_day_ranges(days: Iterable[date]) -> list[str]:
    """Days as :func:`parse_day_ranges` reads them back: runs of consecutive days as
    ``first..last``, a lone day as itself, in order."""
    spelled: list[str] = []
    run: list[date] = []
    for day in sorted(set(days)):
        if run and day - run[-1] != timedelta(days=1):
            spelled.append(_spell(run[0], run[-1]))
            run = []
        run.append(day)
    if run:
        spelled.append(_spell(run[0], run[-1]))
    return spelled


def _spell(first: date, last: date) -> str:
    return str(first) if first == last else f"{first}..{last}"
