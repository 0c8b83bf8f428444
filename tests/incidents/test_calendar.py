"""The business calendar, without a database.

Working days are Chinese statutory working days: weekends off, public holidays off, announced
make-up days on (shared/spec/domain.md §5). The 2026 facts below were checked against
chinesecalendar 1.11 and the State Council's 2026 holiday schedule.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from deadlines.calendar import BusinessCalendar, CalendarYearUnknown, validate_windows

TZ = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar(tz=TZ)

# Seed 003 第八条14: callbacks only 9:00–12:00 and 14:30–18:00.
CALLBACK_WINDOWS = ((time(9), time(12)), (time(14, 30), time(18)))
# Office hours for "working hours" limits (seed 004 §5.3.1).
OFFICE_WINDOWS = ((time(9), time(12)), (time(13), time(18)))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def end_of(year: int, month: int, day: int) -> datetime:
    return local(year, month, day, 23, 59, 59)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 3, 13), True, id="domain§5-ordinary-friday"),
        pytest.param(date(2026, 3, 14), False, id="domain§5-weekend-off"),
        pytest.param(date(2026, 2, 14), True, id="domain§5-spring-festival-makeup-saturday-on"),
        pytest.param(date(2026, 2, 28), True, id="domain§5-spring-festival-makeup-saturday-on-2"),
        pytest.param(date(2026, 2, 17), False, id="domain§5-spring-festival-off"),
        pytest.param(date(2026, 2, 23), False, id="domain§5-spring-festival-last-day-off"),
        pytest.param(date(2026, 9, 20), True, id="domain§5-national-day-makeup-sunday-on"),
        pytest.param(date(2026, 10, 1), False, id="domain§5-national-day-off"),
        pytest.param(date(2026, 4, 6), False, id="domain§5-qingming-monday-off"),
    ],
)
def test_is_working_day_2026(day, working):
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Domain §5: the make-up Saturday before the Spring Festival is a working day.
        pytest.param(local(2026, 2, 13, 10), 1, end_of(2026, 2, 14), id="domain§5-makeup-sat"),
        # Seed 002 (2 working days) started on the last working day before the Spring Festival
        # (Sat 14 Feb, make-up): the holiday Sun 15 – Mon 23 Feb is skipped entirely.
        pytest.param(local(2026, 2, 14, 17), 2, end_of(2026, 2, 25), id="seed002-spring-festival"),
        pytest.param(local(2026, 2, 13, 10), 2, end_of(2026, 2, 24), id="seed002-from-fri-feb13"),
        # Seed 002 self-inspection notice on the eve of National Day (holiday Thu 1 – Wed 7 Oct).
        pytest.param(local(2026, 9, 30, 16), 2, end_of(2026, 10, 9), id="seed002-national-day"),
        # Seed 002 on the eve of Qingming (holiday Sat 4 – Mon 6 Apr).
        pytest.param(local(2026, 4, 3, 9), 2, end_of(2026, 4, 8), id="seed002-qingming"),
        # Seed 004 §5.3.1: a general complaint answered within 3 working days, ordinary week.
        pytest.param(local(2026, 3, 12, 8), 3, end_of(2026, 3, 17), id="seed004-3-days-weekend"),
        # The local date counts: 20:00 UTC on Thu is already Fri in Shanghai.
        pytest.param(
            datetime(2026, 3, 12, 20, tzinfo=ZoneInfo("UTC")),
            1,
            end_of(2026, 3, 16),
            id="domain-local-date-of-start",
        ),
    ],
)
def test_add_working_days(start, days, due):
    result = CALENDAR.add_working_days(start, days)
    assert result == due
    assert result.tzinfo == TZ


@pytest.mark.parametrize(
    ("start", "minutes", "windows", "working_days_only", "due"),
    [
        # Seed 003 第八条14: callback within 1 h, only inside 9:00–12:00 and 14:30–18:00.
        pytest.param(
            local(2026, 3, 10, 12, 30),
            60,
            CALLBACK_WINDOWS,
            False,
            local(2026, 3, 10, 15, 30),
            id="seed003-lunch-break-waits-for-14:30",
        ),
        pytest.param(
            local(2026, 3, 10, 11, 30),
            60,
            CALLBACK_WINDOWS,
            False,
            local(2026, 3, 10, 15),
            id="seed003-split-across-lunch",
        ),
        pytest.param(
            local(2026, 3, 10, 17, 30),
            60,
            CALLBACK_WINDOWS,
            False,
            local(2026, 3, 11, 9, 30),
            id="seed003-evening-carries-to-next-morning",
        ),
        pytest.param(
            local(2026, 3, 10, 8),
            60,
            CALLBACK_WINDOWS,
            False,
            local(2026, 3, 10, 10),
            id="seed003-before-opening",
        ),
        pytest.param(
            local(2026, 3, 10, 11),
            60,
            CALLBACK_WINDOWS,
            False,
            local(2026, 3, 10, 12),
            id="seed003-ends-exactly-at-close",
        ),
        pytest.param(
            local(2026, 3, 10, 12),
            30,
            CALLBACK_WINDOWS,
            False,
            local(2026, 3, 10, 15),
            id="seed003-start-at-close-is-outside",
        ),
        # Seed 003 callbacks run every calendar day, holidays included.
        pytest.param(
            local(2026, 10, 1, 17, 30),
            60,
            CALLBACK_WINDOWS,
            False,
            local(2026, 10, 2, 9, 30),
            id="seed003-holiday-still-counts",
        ),
        # Seed 004 §5.3.1: 8 working hours, Fri 15:00 in an ordinary week → Mon 15:00.
        pytest.param(
            local(2026, 3, 13, 15),
            8 * 60,
            OFFICE_WINDOWS,
            True,
            local(2026, 3, 16, 15),
            id="seed004-8-working-hours-over-weekend",
        ),
        # Seed 004 + domain §5: working hours skip the Spring Festival, count the make-up day.
        pytest.param(
            local(2026, 2, 13, 17),
            8 * 60,
            OFFICE_WINDOWS,
            True,
            local(2026, 2, 14, 17),
            id="seed004-makeup-saturday-counts",
        ),
        pytest.param(
            local(2026, 2, 14, 17),
            2 * 60,
            OFFICE_WINDOWS,
            True,
            local(2026, 2, 24, 10),
            id="seed004-spring-festival-skipped",
        ),
    ],
)
def test_add_window_time(start, minutes, windows, working_days_only, due):
    result = CALENDAR.add_window_time(start, timedelta(minutes=minutes), windows, working_days_only)
    assert result == due
    assert result.tzinfo == TZ


def test_override_wins_over_the_package():
    # Domain: admins correct the package; an override always wins.
    calendar = BusinessCalendar(
        tz=TZ, overrides={date(2026, 3, 16): False, date(2026, 3, 14): True}
    )
    assert calendar.is_working_day(date(2026, 3, 16)) is False  # an ordinary Monday, off
    assert calendar.is_working_day(date(2026, 3, 14)) is True  # an ordinary Saturday, on
    assert calendar.add_working_days(local(2026, 3, 13, 10), 1) == end_of(2026, 3, 14)
    assert calendar.add_working_days(local(2026, 3, 13, 10), 2) == end_of(2026, 3, 17)


def test_unknown_year_is_refused_never_guessed():
    with pytest.raises(CalendarYearUnknown, match="2099"):
        CALENDAR.is_working_day(date(2099, 1, 5))
    with pytest.raises(CalendarYearUnknown, match="2099"):
        CALENDAR.add_working_days(local(2099, 1, 2, 10), 1)
    with pytest.raises(CalendarYearUnknown, match="2099"):
        CALENDAR.add_window_time(local(2099, 1, 2, 10), timedelta(hours=1), OFFICE_WINDOWS, True)
    # Windows on every calendar day never need the calendar.
    assert CALENDAR.add_window_time(
        local(2099, 1, 2, 10), timedelta(hours=1), CALLBACK_WINDOWS, False
    ) == local(2099, 1, 2, 11)


def test_overrides_cover_an_unknown_year():
    calendar = BusinessCalendar(
        tz=TZ, overrides={date(2099, 1, 3): False, date(2099, 1, 4): False, date(2099, 1, 5): True}
    )
    assert calendar.add_working_days(local(2099, 1, 2, 10), 1) == end_of(2099, 1, 5)
    with pytest.raises(CalendarYearUnknown, match="2099"):
        calendar.add_working_days(local(2099, 1, 2, 10), 2)  # 6 Jan has no override


def test_check_year():
    CALENDAR.check_year(2026)
    with pytest.raises(CalendarYearUnknown, match="2099"):
        CALENDAR.check_year(2099)
    first = date(2099, 1, 1)
    full = {first + timedelta(days=n): n % 7 < 5 for n in range(365)}
    BusinessCalendar(tz=TZ, overrides=full).check_year(2099)
    del full[date(2099, 12, 31)]
    with pytest.raises(CalendarYearUnknown, match="1 of its days"):
        BusinessCalendar(tz=TZ, overrides=full).check_year(2099)


@pytest.mark.parametrize(
    "windows",
    [
        pytest.param((), id="none"),
        pytest.param(((time(9), time(12)), (time(11), time(14))), id="overlapping"),
        pytest.param(((time(13), time(18)), (time(9), time(12))), id="unsorted"),
        pytest.param(((time(12), time(9)),), id="closes-before-opening"),
        pytest.param(((time(9), time(9)),), id="empty-window"),
        pytest.param(((time(9, tzinfo=TZ), time(12)),), id="aware-time"),
    ],
)
def test_invalid_windows(windows):
    with pytest.raises(ValueError):
        validate_windows(windows)
    with pytest.raises(ValueError):
        CALENDAR.add_window_time(local(2026, 3, 10, 9), timedelta(hours=1), windows, False)


def test_touching_windows_are_allowed():
    validate_windows(((time(9), time(12)), (time(12), time(13))))


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: CALENDAR.add_working_days(local(2026, 3, 10), 0), id="zero-days"),
        pytest.param(
            lambda: CALENDAR.add_working_days(datetime(2026, 3, 10, 9), 1), id="naive-start"
        ),
        pytest.param(
            lambda: CALENDAR.add_window_time(
                local(2026, 3, 10, 9), timedelta(0), OFFICE_WINDOWS, True
            ),
            id="zero-duration",
        ),
    ],
)
def test_invalid_arguments(call):
    with pytest.raises(ValueError):
        call()


def test_a_datetime_is_not_a_day():
    with pytest.raises(TypeError):
        CALENDAR.is_working_day(local(2026, 3, 10, 9))
