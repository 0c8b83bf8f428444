"""A calendar year the ``chinesecalendar`` package does not know: an administrator enters its
holidays and make-up working days, confirms it, and the deadlines that waited get due times.

The 2027 schedule below is an example made up for these tests (it has the shape of a State
Council schedule), not the published one.
"""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import services as complaint_services
from core.reference import forget
from deadlines.calendar import (
    BusinessCalendar,
    CalendarYearUnknown,
    NotADay,
    parse_day_ranges,
    spell_day_ranges,
)
from deadlines.calendar_services import calendar_year_confirm
from deadlines.models import CalendarOverride, CalendarYear, Deadline, DeadlinePolicy
from deadlines.services import business_calendar, calendar_status, deadline_open
from incidents.models import TimelineEvent
from incidents.templatetags.incidents import event_label
from organisation.models import City

SH = ZoneInfo("Asia/Shanghai")

# An example 2027 schedule (not the official one): holidays as ranges, make-up days.
HOLIDAYS_TEXT = [
    "2027-01-01..2027-01-03",  # New Year
    "2027-02-05..2027-02-13",  # Spring Festival
    "2027-04-03..2027-04-05",  # Qingming
    "2027-05-01..2027-05-05",  # Labour Day
    "2027-06-09",  # Dragon Boat
    "2027-09-15",  # Mid-Autumn
    "2027-10-01..2027-10-07",  # National Day
]
WORKDAYS_TEXT = ["2027-01-30", "2027-02-14", "2027-04-25", "2027-09-26", "2027-10-09"]
HOLIDAYS = parse_day_ranges(HOLIDAYS_TEXT)
WORKDAYS = parse_day_ranges(WORKDAYS_TEXT)
DAYS_OFF = 3 + 9 + 3 + 5 + 1 + 1 + 7


@pytest.fixture(autouse=True)
def uncached_calendar():
    """The in-process cache outlives a test's rolled-back transaction: start and end empty."""
    forget("calendar_overrides")
    forget("calendar_years")
    yield
    forget("calendar_overrides")
    forget("calendar_years")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def example_calendar(*, confirmed: bool) -> BusinessCalendar:
    overrides: dict[date, bool] = {}
    for first, last in HOLIDAYS:
        for n in range((last - first).days + 1):
            overrides[first + timedelta(days=n)] = False
    overrides |= {day: True for day, _ in WORKDAYS}
    return BusinessCalendar(
        tz=SH, overrides=overrides, confirmed_years=frozenset({2027} if confirmed else ())
    )


# --- the pure rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2027, 1, 4), True, id="confirmed-year-monday-on"),
        pytest.param(date(2027, 3, 12), True, id="confirmed-year-friday-on"),
        pytest.param(date(2027, 1, 9), False, id="confirmed-year-saturday-off"),
        pytest.param(date(2027, 3, 14), False, id="confirmed-year-sunday-off"),
        pytest.param(date(2027, 1, 1), False, id="holiday-override-friday-off"),
        pytest.param(date(2027, 2, 8), False, id="holiday-override-monday-off"),
        pytest.param(date(2027, 1, 30), True, id="makeup-saturday-on"),
        pytest.param(date(2027, 2, 14), True, id="makeup-sunday-on"),
    ],
)
def test_a_confirmed_year_follows_the_week_and_its_overrides(day, working):
    assert example_calendar(confirmed=True).is_working_day(day) is working


def test_an_unconfirmed_unknown_year_is_still_refused():
    calendar = example_calendar(confirmed=False)
    assert calendar.is_working_day(date(2027, 1, 1)) is False  # an override still answers
    with pytest.raises(CalendarYearUnknown, match="2027"):
        calendar.is_working_day(date(2027, 1, 4))
    with pytest.raises(CalendarYearUnknown, match="2027"):
        calendar.check_year(2027)
    example_calendar(confirmed=True).check_year(2027)
    with pytest.raises(CalendarYearUnknown, match="2028"):
        example_calendar(confirmed=True).check_year(2028)


def test_a_year_the_package_knows_is_unchanged_by_confirmation():
    calendar = BusinessCalendar(
        tz=SH, overrides={date(2026, 3, 16): False}, confirmed_years=frozenset({2026})
    )
    assert calendar.is_working_day(date(2026, 2, 14)) is True  # the package's make-up Saturday
    assert calendar.is_working_day(date(2026, 10, 1)) is False  # the package's holiday
    assert calendar.is_working_day(date(2026, 3, 16)) is False  # an override still wins


def test_five_working_days_from_the_last_monday_of_2026_into_a_confirmed_2027():
    # Tue 29, Wed 30, Thu 31 Dec; Fri 1 – Sun 3 Jan off; Mon 4, Tue 5 Jan
    calendar = example_calendar(confirmed=True)
    assert calendar.add_working_days(at("2026-12-28 10:00"), 5) == at("2027-01-05 23:59:59")


@pytest.mark.parametrize(
    ("lines", "ranges"),
    [
        pytest.param(["2027-01-01"], [(date(2027, 1, 1), date(2027, 1, 1))], id="day"),
        pytest.param(
            ["2027-02-05..2027-02-13"], [(date(2027, 2, 5), date(2027, 2, 13))], id="range"
        ),
        pytest.param(
            ["2027-02-05 至 2027-02-13  # 春节", "", "  2027-01-30, 2027-02-14"],
            [
                (date(2027, 2, 5), date(2027, 2, 13)),
                (date(2027, 1, 30), date(2027, 1, 30)),
                (date(2027, 2, 14), date(2027, 2, 14)),
            ],
            id="as-people-type-it",
        ),
        pytest.param(["2027-02-13~2027-02-05"], [(date(2027, 2, 13), date(2027, 2, 5))], id="kept"),
    ],
)
def test_days_and_ranges_are_read_as_typed(lines, ranges):
    assert parse_day_ranges(lines) == ranges


@pytest.mark.parametrize("text", ["2027-13-01", "元旦", "2027-01-01..", "2027-01-01..02-03"])
def test_what_is_not_a_day_is_named(text):
    with pytest.raises(NotADay) as error:
        parse_day_ranges([text])
    assert error.value.item == text


def test_days_are_spelled_back_as_ranges():
    days = [date(2027, 2, 5) + timedelta(days=n) for n in range(9)] + [date(2027, 1, 1)]
    assert spell_day_ranges(days) == ["2027-01-01", "2027-02-05..2027-02-13"]
    assert parse_day_ranges(spell_day_ranges(days)) == [
        (date(2027, 1, 1), date(2027, 1, 1)),
        (date(2027, 2, 5), date(2027, 2, 13)),
    ]


# --- the service ------------------------------------------------------------------------------


@pytest.fixture
def confirm(demo, django_capture_on_commit_callbacks):
    """Confirm the example 2027 as the demo admin, running what waits for the commit."""

    def confirm(**overrides):
        arguments = {
            "year": 2027,
            "holidays": HOLIDAYS,
            "workdays": WORKDAYS,
            "actor": demo["admin"],
            "notes": "example schedule",
        } | overrides
        with django_capture_on_commit_callbacks(execute=True):
            return calendar_year_confirm(**arguments)

    return confirm


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "field", "says"),
    [
        pytest.param({"year": 2026}, "year", "2026", id="year-the-package-knows"),
        pytest.param(
            {"holidays": [*HOLIDAYS, (date(2028, 1, 1), date(2028, 1, 1))]},
            "holidays",
            "2028-01-01",
            id="holiday-outside-the-year",
        ),
        pytest.param(
            {"holidays": [(date(2027, 2, 13), date(2027, 2, 5))]},
            "holidays",
            "2027-02-13..2027-02-05",
            id="range-ends-before-it-starts",
        ),
        pytest.param({"holidays": []}, "holidays", "2027", id="no-holidays"),
        pytest.param(
            {"workdays": [date(2027, 2, 15)]}, "workdays", "2027-02-15", id="makeup-on-a-weekday"
        ),
        pytest.param(
            {"workdays": [date(2027, 2, 13)]},
            "workdays",
            "2027-02-13",
            id="day-both-off-and-worked",
        ),
        pytest.param(
            {"workdays": [(date(2026, 12, 26), date(2026, 12, 26))]},
            "workdays",
            "2026-12-26",
            id="makeup-outside-the-year",
        ),
    ],
)
def test_a_wrong_schedule_is_refused_naming_the_field(confirm, arguments, field, says):
    CalendarOverride.objects.create(day=date(2027, 3, 1), is_working_day=False, note="kept")
    with pytest.raises(ValidationError) as error:
        confirm(**arguments)
    assert list(error.value.message_dict) == [field]
    assert says in " ".join(error.value.message_dict[field])
    assert not CalendarYear.objects.exists()
    assert list(CalendarOverride.objects.values_list("note", flat=True)) == ["kept"]


@pytest.mark.django_db
def test_confirming_a_year_gives_waiting_deadlines_their_due_time(demo, make_incident, confirm):
    with time_machine.travel(at("2026-12-28 10:00"), tick=False):
        incident = make_incident()
        report = deadline_open(
            record=incident,
            policy=DeadlinePolicy.objects.get(code="accountability-self-inspection-report"),
            start=at("2026-12-28 10:00"),
            department=None,
            person=demo["net_contact"],
        )
    with time_machine.travel(at("2026-12-30 10:00"), tick=False):
        complaint = complaint_services.complaint_create(
            actor=demo["hotline1"],
            channel="hotline",
            customer_name="王先生",
            customer_phone="13812345678",
            customer_account="0431-88886666",
            city=City.objects.get(code="CC"),
            address="长春市朝阳区人民大街 100 号",
            business_line="network",
            summary="家里 4G 信号差，上网很慢",
            description="近三天晚上 4G 上网很慢。",
        )
        answer = deadline_open(
            record=complaint,
            policy=DeadlinePolicy.objects.get(code="complaint-general-answer"),
            start=at("2026-12-30 10:00"),
            department=None,
            person=demo["net_contact"],
        )
    assert report.due_at is None and "2027" in report.problem
    assert answer.due_at is None
    assert set(Deadline.objects.filter(due_at__isnull=True)) == {report, answer}

    with time_machine.travel(at("2026-12-30 11:00"), tick=False):
        summary = confirm()

    assert (len(summary.days_off), len(summary.makeup_days)) == (DAYS_OFF, len(WORKDAYS))
    assert set(summary.scheduled) == {report, answer} and summary.still_waiting == 0
    report.refresh_from_db()
    answer.refresh_from_db()
    # 5 working days from Mon 28 Dec: 29, 30, 31 Dec, then 1–3 Jan off, 4 and 5 Jan
    assert report.due_at == at("2027-01-05 23:59:59") and report.problem == ""
    # 3 working days from Wed 30 Dec: 31 Dec, 4 and 5 Jan
    assert answer.due_at == at("2027-01-05 23:59:59")
    for deadline in (report, answer):
        assert deadline.reminders and deadline.next_reminder_at is not None
        assert deadline.next_reminder_at > at("2026-12-30 11:00")

    on_incident = TimelineEvent.objects.get(incident=incident, kind="due_time")
    assert (on_incident.action, on_incident.actor) == (report.kind, demo["admin"])
    assert on_incident.payload["calendar_year"] == 2027
    on_complaint = complaint.timeline.get(kind="due_time")
    assert on_complaint.action == "complaint-general-answer"
    assert "2027-01-05 23:59" in event_label(on_complaint)
    assert "2027" in event_label(on_incident)

    year = CalendarYear.objects.get(year=2027)
    assert (year.confirmed_by, year.notes) == (demo["admin"], "example schedule")
    assert CalendarOverride.objects.filter(day__year=2027).count() == DAYS_OFF + len(WORKDAYS)
    # the in-process calendar knows the year at once
    assert business_calendar().is_working_day(date(2027, 3, 1)) is True
    assert calendar_status(today=date(2026, 12, 1))["2027"] == "ok"


@pytest.mark.django_db
def test_the_sweep_then_reminds_on_the_new_schedule(demo, make_incident, confirm):
    from deadlines.services import deadlines_sweep
    from notifications.models import Notification

    with time_machine.travel(at("2026-12-28 10:00"), tick=False):
        deadline = deadline_open(
            record=make_incident(),
            policy=DeadlinePolicy.objects.get(code="accountability-self-inspection-report"),
            start=at("2026-12-28 10:00"),
            department=None,
            person=demo["net_contact"],
        )
        confirm()
    deadline.refresh_from_db()
    first = datetime.fromisoformat(deadline.reminders[0])
    deadlines_sweep(now=first + timedelta(seconds=1))
    assert Notification.objects.filter(
        recipient=demo["net_contact"], kind="deadline.reminder"
    ).exists()


@pytest.mark.django_db
def test_confirming_again_replaces_the_years_overrides(confirm):
    CalendarOverride.objects.create(day=date(2027, 3, 1), is_working_day=False, note="one-off")
    CalendarOverride.objects.create(day=date(2026, 3, 16), is_working_day=False, note="2026")
    confirm()
    assert not CalendarOverride.objects.filter(note="one-off").exists()
    confirm(holidays=[(date(2027, 1, 1), date(2027, 1, 3))], workdays=[], notes="corrected")
    assert set(CalendarOverride.objects.values_list("day", "is_working_day")) == {
        (date(2027, 1, 1), False),
        (date(2027, 1, 2), False),
        (date(2027, 1, 3), False),
        (date(2026, 3, 16), False),  # another year's override is left alone
    }
    assert CalendarYear.objects.get().notes == "corrected"


@pytest.mark.django_db
def test_a_dry_run_says_what_would_happen_and_changes_nothing(make_incident, confirm):
    with time_machine.travel(at("2026-12-28 10:00"), tick=False):
        deadline = deadline_open(
            record=make_incident(),
            policy=DeadlinePolicy.objects.get(code="accountability-self-inspection-report"),
            start=at("2026-12-28 10:00"),
            department=None,
        )
        summary = confirm(dry_run=True)
    assert summary.dry_run and [d.pk for d in summary.scheduled] == [deadline.pk]
    assert summary.scheduled[0].due_at == at("2027-01-05 23:59:59")
    assert not CalendarYear.objects.exists() and not CalendarOverride.objects.exists()
    assert not TimelineEvent.objects.filter(kind="due_time").exists()
    deadline.refresh_from_db()
    assert deadline.due_at is None
    with pytest.raises(CalendarYearUnknown):
        business_calendar().is_working_day(date(2027, 3, 1))


@pytest.mark.django_db
def test_a_deadline_reaching_past_the_confirmed_year_keeps_waiting(make_incident, confirm):
    with time_machine.travel(at("2027-12-30 10:00"), tick=False):
        confirm()
        deadline = deadline_open(
            record=make_incident(),
            policy=DeadlinePolicy.objects.get(code="accountability-self-inspection-report"),
            start=at("2027-12-30 10:00"),
            department=None,
        )
        assert deadline.due_at is None and "2028" in deadline.problem
        summary = confirm()
    assert (summary.scheduled, summary.still_waiting) == ((), 1)


# --- the command ------------------------------------------------------------------------------


def run(*arguments: str) -> str:
    out = StringIO()
    call_command("calendar_year", *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_enters_and_confirms_a_year(demo, make_incident):
    with time_machine.travel(at("2026-12-28 10:00"), tick=False):
        deadline = deadline_open(
            record=make_incident(),
            policy=DeadlinePolicy.objects.get(code="accountability-self-inspection-report"),
            start=at("2026-12-28 10:00"),
            department=None,
        )
        preview = run(
            "2027", "--holidays", *HOLIDAYS_TEXT, "--workdays", *WORKDAYS_TEXT, "--dry-run"
        )
        assert "Dry run" in preview and f"{DAYS_OFF} days off" in preview
        assert "1 waiting deadlines would get" in preview
        assert not CalendarYear.objects.exists()
        out = run(
            "2027",
            "--holidays",
            *HOLIDAYS_TEXT,
            "--workdays",
            *WORKDAYS_TEXT,
            "--actor",
            "admin",
            "--notes",
            "example",
        )
    assert "2027 confirmed" in out and "2027-01-05 23:59" in out
    assert "2027-02-05..2027-02-13" in out
    assert CalendarYear.objects.get(year=2027).confirmed_by == demo["admin"]
    deadline.refresh_from_db()
    assert deadline.due_at == at("2027-01-05 23:59:59")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        pytest.param(["--workdays", "2027-02-15"], "--workdays", id="makeup-weekday"),
        pytest.param(["--workdays", "2027-02-31"], "2027-02-31", id="not-a-day"),
        pytest.param(["--actor", "nobody"], "--actor", id="unknown-actor"),
    ],
)
def test_the_command_names_what_is_wrong(demo, arguments, says):
    with pytest.raises(CommandError, match=says):
        run("2027", "--holidays", *HOLIDAYS_TEXT, *arguments)
    assert not CalendarYear.objects.exists()


# --- the admin page ---------------------------------------------------------------------------


def form_data(**overrides) -> dict[str, str]:
    return {
        "year": "2027",
        "holidays": "\n".join(HOLIDAYS_TEXT),
        "workdays": "\n".join(WORKDAYS_TEXT),
        "notes": "example schedule",
    } | overrides


@pytest.mark.django_db
def test_the_admin_previews_then_confirms_a_year(client, demo, make_incident):
    url = reverse("admin:deadlines_calendaryear_add")
    with time_machine.travel(at("2026-12-28 10:00"), tick=False):
        client.force_login(demo["admin"])  # in the travelled time: a session expires
        deadline = deadline_open(
            record=make_incident(),
            policy=DeadlinePolicy.objects.get(code="accountability-self-inspection-report"),
            start=at("2026-12-28 10:00"),
            department=None,
        )
        page = client.get(url, {"year": "2027"})
        assert page.status_code == 200 and page.context["form"]["year"].value() == "2027"

        preview = client.post(url, form_data(_preview="1"))
        assert preview.status_code == 200
        assert preview.context["summary"].scheduled[0].due_at == at("2027-01-05 23:59:59")
        assert "2027-02-05..2027-02-13" in preview.content.decode()
        assert not CalendarYear.objects.exists()

        saved = client.post(url, form_data(_save="1"))
    assert saved.status_code == 302
    assert saved["Location"] == reverse("admin:deadlines_calendaryear_changelist")
    year = CalendarYear.objects.get(year=2027)
    assert year.confirmed_by == demo["admin"]
    deadline.refresh_from_db()
    assert deadline.due_at == at("2027-01-05 23:59:59")

    change = client.get(reverse("admin:deadlines_calendaryear_change", args=[year.pk]))
    assert change.status_code == 200
    initial = change.context["form"].initial
    assert "2027-02-05..2027-02-13" in initial["holidays"].splitlines()
    assert "2027-02-14" in initial["workdays"].splitlines()
    # the year's page enters that year, whatever year is posted
    corrected = client.post(
        reverse("admin:deadlines_calendaryear_change", args=[year.pk]),
        form_data(year="2028", workdays="2027-02-14", _save="1"),
    )
    assert corrected.status_code == 302
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2027]
    assert CalendarOverride.objects.filter(is_working_day=True).count() == 1
    listing = client.get(reverse("admin:deadlines_calendaryear_changelist"))
    assert listing.status_code == 200 and "2027" in listing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"holidays": "2027-01-01\n2027-13-01"}, "holidays", id="not-a-day"),
        pytest.param({"holidays": "# nothing yet"}, "holidays", id="no-holidays"),
        pytest.param({"workdays": "2027-02-15"}, "workdays", id="makeup-weekday"),
        pytest.param({"workdays": "2027-02-13"}, "workdays", id="both-off-and-worked"),
        pytest.param({"year": "2026"}, "year", id="year-the-package-knows"),
    ],
)
def test_the_admin_names_the_wrong_field(client, demo, overrides, field):
    client.force_login(demo["admin"])
    response = client.post(
        reverse("admin:deadlines_calendaryear_add"), form_data(_save="1", **overrides)
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_only_administrators_enter_a_year(client, demo):
    client.force_login(demo["hotline1"])
    response = client.post(reverse("admin:deadlines_calendaryear_add"), form_data(_save="1"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not CalendarYear.objects.exists()


# --- health page and banner -------------------------------------------------------------------


@pytest.mark.django_db
def test_health_and_banner_name_the_missing_year_and_link_to_its_page(client, demo, confirm):
    link = f"{reverse('admin:deadlines_calendaryear_add')}?year=2027"
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        client.force_login(demo["admin"])
        health = client.get("/healthz")
        assert health.status_code == 200  # next year missing is a warning, not an outage
        state = health.json()["calendar"]["2027"]
        assert state.startswith("warning") and "2027" in state
        assert state.endswith(f"http://testserver{link}")
        assert health.json()["calendar"]["2026"] == "ok"

        page = client.get("/").content.decode()
        assert 'class="banner warning"' in page
        assert f'href="{link}"' in page

        overrides = client.get(reverse("admin:deadlines_calendaroverride_changelist"))
        assert link in overrides.content.decode()

        client.force_login(demo["manager"])  # the working group: told, but no admin link
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/").content.decode()
        assert 'class="banner warning"' in page and link not in page
        # the banner on every page counts nothing (the health page counts the waiting deadlines)
        assert not [
            q
            for q in queries.captured_queries
            if "COUNT(" in q["sql"].upper()
            and "deadlines_deadline" in q["sql"]
            and '"due_at" IS NULL' in q["sql"]
        ]
        assert "请管理员在管理后台录入" in page

        confirm()
        assert client.get("/healthz").json()["calendar"] == {"2026": "ok", "2027": "ok"}
        assert 'class="banner' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_this_year_missing_is_an_error_that_links_to_it(client):
    with time_machine.travel(at("2099-03-01 10:00"), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["calendar"]["2099"].startswith("error")
    assert "?year=2099" in response.json()["calendar"]["2099"]
    assert "?year=2100" in response.json()["calendar"]["2100"]
