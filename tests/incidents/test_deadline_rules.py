"""Deadline rules as data (PolicySpec) evaluated by pure functions, without a database."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from deadlines.calendar import BusinessCalendar
from deadlines.rules import Clock, PolicySpec, due_at, reminder_times

TZ = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar(tz=TZ)
CALLBACK_WINDOWS = ((time(9), time(12)), (time(14, 30), time(18)))  # seed 003 第八条14
OFFICE_WINDOWS = ((time(9), time(12)), (time(13), time(18)))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(
    ("spec", "start", "due"),
    [
        # Seed 000 第九条: the CS department publishes an alert within 1 h, around the clock.
        pytest.param(
            PolicySpec("alert_publish", Clock.WALL, 60),
            local(2026, 3, 10, 23, 30),
            local(2026, 3, 11, 0, 30),
            id="seed000-art9-publish-1h-past-midnight",
        ),
        # Seed 000 第十条: explanation script 2 h from occurrence, holidays included.
        pytest.param(
            PolicySpec("explanation_script", Clock.WALL, 120),
            local(2026, 10, 1, 10),
            local(2026, 10, 1, 12),
            id="seed000-art10-script-2h-on-holiday",
        ),
        # Seed 002: self-inspection notice within 2 working days, eve of National Day 2026.
        pytest.param(
            PolicySpec("self_inspection_notice", Clock.WORKING_DAYS, 2),
            local(2026, 9, 30, 16),
            local(2026, 10, 9, 23, 59, 59),
            id="seed002-notice-2-working-days-national-day",
        ),
        # Seed 002: self-inspection report within 5 working days; the make-up Sat 10 Oct counts.
        pytest.param(
            PolicySpec("self_inspection_report", Clock.WORKING_DAYS, 5),
            local(2026, 9, 30, 16),
            local(2026, 10, 13, 23, 59, 59),
            id="seed002-report-5-working-days-makeup-day",
        ),
        # Seed 004 §5.3.1: major complaint, temporary measure within 8 working hours.
        pytest.param(
            PolicySpec("temporary_measure", Clock.WORKING_HOURS, 8 * 60, OFFICE_WINDOWS),
            local(2026, 3, 13, 15),
            local(2026, 3, 16, 15),
            id="seed004-8-working-hours-fri-to-mon",
        ),
        # Seed 003 第八条14: callback within 1 h inside the callback windows.
        pytest.param(
            PolicySpec("callback", Clock.WINDOWS, 60, CALLBACK_WINDOWS),
            local(2026, 3, 10, 12, 30),
            local(2026, 3, 10, 15, 30),
            id="seed003-callback-after-lunch",
        ),
        pytest.param(
            PolicySpec("callback", Clock.WINDOWS, 60, CALLBACK_WINDOWS),
            local(2026, 3, 14, 17, 30),
            local(2026, 3, 15, 9, 30),
            id="seed003-callback-runs-on-weekends",
        ),
    ],
)
def test_due_at(spec, start, due):
    result = due_at(spec, start, CALENDAR)
    assert result == due
    assert result.tzinfo == TZ


def test_wall_clock_is_elapsed_time_whatever_the_input_zone():
    # Seed 000 第九条: 1 h; a UTC start comes back in the deployment's zone.
    start = datetime(2026, 3, 10, 15, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 in Shanghai
    assert due_at(PolicySpec("alert_publish", Clock.WALL, 60), start, CALENDAR) == local(
        2026, 3, 11, 0, 30
    )


@pytest.mark.parametrize(
    ("fractions", "start", "due", "expected"),
    [
        # Domain: remind at 50 % and 80 % of the span (default fractions), 2 h span.
        pytest.param(
            (0.5, 0.8),
            local(2026, 3, 10, 10),
            local(2026, 3, 10, 12),
            [local(2026, 3, 10, 11), local(2026, 3, 10, 11, 36)],
            id="domain-50-80-percent-of-2h",
        ),
        # Wall-clock fraction even when the due time came from working days.
        pytest.param(
            (0.5,),
            local(2026, 3, 13, 12),
            local(2026, 3, 16, 12),
            [local(2026, 3, 15)],  # 36 h after Fri noon
            id="domain-wall-fraction-over-weekend",
        ),
        pytest.param(
            (0.5,),
            local(2026, 3, 10, 10),
            local(2026, 3, 10, 10, 0, 3),
            [local(2026, 3, 10, 10, 0, 2)],
            id="domain-rounded-to-whole-seconds",
        ),
    ],
)
def test_reminder_times(fractions, start, due, expected):
    spec = PolicySpec("any", Clock.WALL, 60, reminder_fractions=fractions)
    assert reminder_times(spec, start, due) == expected


def test_default_reminder_fractions():
    assert PolicySpec("any", Clock.WALL, 60).reminder_fractions == (0.5, 0.8)


def test_reminders_need_due_after_start():
    spec = PolicySpec("any", Clock.WALL, 60)
    with pytest.raises(ValueError):
        reminder_times(spec, local(2026, 3, 10, 12), local(2026, 3, 10, 12))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: PolicySpec("callback", Clock.WINDOWS, 60), id="windows-clock-no-windows"
        ),
        pytest.param(
            lambda: PolicySpec("measure", Clock.WORKING_HOURS, 480), id="working-hours-no-windows"
        ),
        pytest.param(
            lambda: PolicySpec(
                "callback", Clock.WINDOWS, 60, ((time(9), time(12)), (time(11), time(14)))
            ),
            id="overlapping-windows",
        ),
        pytest.param(lambda: PolicySpec("publish", Clock.WALL, 0), id="amount-zero"),
        pytest.param(lambda: PolicySpec("notice", Clock.WORKING_DAYS, -1), id="amount-negative"),
        pytest.param(
            lambda: PolicySpec("publish", Clock.WALL, 60, OFFICE_WINDOWS), id="wall-with-windows"
        ),
        pytest.param(
            lambda: PolicySpec("publish", Clock.WALL, 60, reminder_fractions=(0.8, 0.5)),
            id="fractions-unsorted",
        ),
        pytest.param(
            lambda: PolicySpec("publish", Clock.WALL, 60, reminder_fractions=(0.5, 1.0)),
            id="fraction-not-below-1",
        ),
    ],
)
def test_invalid_policy_is_refused(make):
    with pytest.raises(ValueError):
        make()


def test_due_at_refuses_naive_start():
    with pytest.raises(ValueError):
        due_at(PolicySpec("publish", Clock.WALL, 60), datetime(2026, 3, 10, 9), CALENDAR)


def test_clock_values_are_stable_strings():
    # Stored in policy rows: renaming a value would orphan them.
    assert [c.value for c in Clock] == ["wall", "working_days", "working_hours", "windows"]
