"""The dashboards' figures equal what the base tables say (seeded data with known answers)."""

from collections import Counter
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from alerts.models import AlertRecipient
from alerts.services import alert_acknowledge
from complaints import services as cs
from complaints.models import Complaint
from dashboards.models import IncidentRollup
from dashboards.services import rollup_day, rollup_recent
from deadlines.models import Deadline
from deadlines.services import deadlines_sweep
from incidents import services
from incidents.models import Incident
from incidents.workflow import LIVE_STATES
from organisation.models import City, Department
from tests.complaints.test_complaints import body
from tests.incidents.conftest import submit_all

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 18, 9, 0, tzinfo=SH)


@pytest.fixture
def world(demo, make_incident):
    """One morning: a yellow incident resolved 90 minutes after it occurred, an orange one of
    three cities still open, complaints of two cities, one settled at the first ask."""
    with time_machine.travel(MORNING, tick=False) as clock:
        net = Department.objects.get(code="NET")
        yellow = make_incident(occurred_at=MORNING - timedelta(minutes=80))
        services.incident_publish(incident_id=yellow.pk, actor=demo["cs_contact"])
        clock.shift(timedelta(minutes=12))
        recipient = AlertRecipient.objects.get(incident=yellow, user=demo["net_contact"])
        alert_acknowledge(recipient_id=recipient.pk, actor=demo["net_contact"])  # 12 minutes
        submit_all(yellow, demo["net_contact"])
        services.incident_resolve(
            incident_id=yellow.pk,
            actor=demo["net_contact"],
            restored_at=MORNING + timedelta(minutes=10),  # 1.5 h after it occurred
            cause_and_result="板卡更换，业务恢复",
        )
        orange = make_incident(title="三地宽带中断", cities=("CC", "JL", "SP"))
        services.incident_publish(incident_id=orange.pk, actor=demo["cs_contact"])
        cities = {c.code: c for c in City.objects.all()}
        taken = []
        for n, (city, line, escalation) in enumerate(
            [("CC", "network", "none"), ("CC", "network", "ministry"), ("JL", "billing", "none")]
        ):
            taken.append(
                cs.complaint_create(
                    actor=demo["hotline1"],
                    channel="hotline",
                    customer_name="客户",
                    customer_phone=f"1380000000{n}",
                    customer_account=f"A{n}",
                    city=cities[city],
                    address="地址",
                    business_line=line,
                    summary="网络投诉",
                    description="详细情况",
                    escalation=escalation,
                )
            )
        cs.complaint_resolve_first_contact(
            complaint_id=taken[0].pk, actor=demo["hotline1"], satisfaction="satisfied"
        )
        cs.complaint_dispatch(complaint_id=taken[1].pk, actor=demo["hotline1"], department=net)
        clock.shift(timedelta(hours=3))  # orange's explanation script (2 h) is now overdue
        deadlines_sweep()
        rollup_recent()
        yield {"yellow": yellow, "orange": orange, "complaints": taken, "clock": clock}


def get(client, user, path, **params):
    client.force_authenticate(user)
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_overview_equals_the_base_tables(world, demo, api_client):
    overview = get(api_client, demo["manager"], "/api/v1/metrics/overview/")
    live = Counter(i.level for i in Incident.objects.all() if i.state in LIVE_STATES)
    assert overview["incidents_by_level"] == {
        "red": live["red"],
        "orange": live["orange"],
        "yellow": live["yellow"],
        "none": live["none"],
    }
    assert overview["incidents_by_level"]["orange"] == 1  # the known answer, too
    now = timezone.now()
    unmet = [d for d in Deadline.objects.all() if d.met_at is None]
    overdue = [
        d
        for d in unmet
        if d.state == "breached" or (d.state == "pending" and d.due_at and d.due_at < now)
    ]
    assert overview["deadlines_overdue"] == len(overdue) > 0
    assert overview["alerts_unacknowledged"] == sum(
        r.acknowledged_at is None and r.incident.state in LIVE_STATES
        for r in AlertRecipient.objects.select_related("incident")
    )
    today = timezone.localdate()
    received = [c for c in Complaint.objects.all() if timezone.localdate(c.created_at) == today]
    assert overview["complaints_today"] == len(received) == 3
    by_line = {row["key"]: row["n"] for row in overview["complaints_today_by_line"]}
    assert (
        by_line
        == dict(Counter(c.business_line for c in received))
        == {
            "network": 2,
            "billing": 1,
        }
    )
    by_city = {row["key"]: row["n"] for row in overview["complaints_today_by_city"]}
    assert by_city == {"CC": 2, "JL": 1}
    assert overview["as_of"] is not None

    # a city's: the orange incident of three cities once, its recipients once each
    jilin = get(api_client, demo["manager"], "/api/v1/metrics/overview/", city="JL")
    assert jilin["incidents_by_level"]["orange"] == 1
    assert jilin["incidents_by_level"]["yellow"] == 0  # the yellow one is Changchun's
    assert jilin["alerts_unacknowledged"] == sum(
        r.acknowledged_at is None and r.incident.state in LIVE_STATES
        for r in AlertRecipient.objects.filter(incident__cities__code="JL")
    )
    assert jilin["complaints_today"] == 1


def test_an_incident_of_three_cities_counts_once_in_the_province(world, demo, api_client):
    day = timezone.localdate().isoformat()
    params = {"since": day, "until": day}
    total = get(api_client, demo["manager"], "/api/v1/metrics/trends/", **params)
    assert total["incidents_opened"]["orange"] == [1]
    assert total["incidents_opened"]["yellow"] == [1]
    jilin = get(api_client, demo["manager"], "/api/v1/metrics/trends/", city="JL", **params)
    assert jilin["incidents_opened"] == {"red": [0], "orange": [1], "yellow": [0], "none": [0]}
    assert jilin["complaints_received"] == [1] and jilin["complaints_escalated"] == [0]
    changchun = get(api_client, demo["manager"], "/api/v1/metrics/trends/", city="CC", **params)
    assert changchun["incidents_opened"]["yellow"] == [1]
    assert changchun["complaints_escalated"] == [1]


def test_only_complaints_through_an_escalation_channel_count_as_escalated(world, demo, client):
    # 升级投诉: the channel of escalation is ``none`` unless the customer went above the hotline
    client.force_login(demo["manager"])
    day = timezone.localdate().isoformat()
    page = client.get("/complaints/", {"escalated": "on", "since": day, "until": day})
    listed = [complaint.escalation for complaint, _phone in page.context["rows"]]
    assert listed == ["ministry"]


def test_the_department_figures_equal_the_base_tables(world, demo, api_client):
    rows = get(api_client, demo["manager"], "/api/v1/metrics/departments/")
    net = next(row for row in rows if row["department"] == "NET")
    resolved = Incident.objects.filter(owning_department__code="NET", resolved_at__isnull=False)
    hours = [(i.restored_at - i.occurred_at).total_seconds() / 3600 for i in resolved]
    assert net["mttr_hours"] == round(sum(hours) / len(hours), 1) == 1.5
    acknowledged = AlertRecipient.objects.filter(
        department__code="NET", acknowledged_at__isnull=False
    ).select_related("first_alert")
    minutes = [
        (r.acknowledged_at - r.first_alert.published_at).total_seconds() / 60 for r in acknowledged
    ]
    assert net["mtta_minutes"] == round(sum(minutes) / len(minutes), 1) == 12.0
    settled = [  # deadlines count on the day they fall due: the root cause's (24 h) not yet
        d
        for d in Deadline.objects.filter(responsible_department__code="NET")
        if d.state in ("met", "breached") and timezone.localdate(d.due_at) <= timezone.localdate()
    ]
    met = sum(d.state == "met" for d in settled)
    assert net["deadlines_due"] == len(settled)
    assert net["on_time_rate"] == round(100 * met / len(settled), 1)
    assert net["on_time_by_kind"]["incident-explanation"] == 50.0  # yellow met, orange missed
    assert net["incidents_resolved"] == 1
    archived = Complaint.objects.get(state="archived")  # settled at the first ask
    owner = (archived.department or archived.first_ask_department).code
    hotline = next(row for row in rows if row["department"] == owner)
    assert hotline["complaints_archived"] == 1
    assert hotline["first_ask_rate"] == 100.0 and hotline["satisfaction"] == 100.0


def test_the_page_shows_the_same_figures_and_links_to_the_lists(world, demo, client):
    client.force_login(demo["manager"])
    page = client.get("/dashboard/", {"department": "NET"}).content.decode()
    assert 'data-department="NET"' in page and 'data-department="CS"' not in page
    assert "1.5" in page and "12.0" in page
    # the MTTR figure opens the incidents resolved in the period
    start = page.index('data-figure="mttr"')
    link = page[
        page.rindex('href="', 0, start) + 6 : page.index('"', page.rindex('href="', 0, start) + 6)
    ]
    listing = client.get(link.replace("&amp;", "&")).content.decode()
    assert world["yellow"].number in listing and world["orange"].number not in listing
    # the overdue card opens the overdue deadlines
    overdue = client.get("/incidents/deadlines/", {"scope": "all", "when": "overdue"})
    assert world["orange"].number in overdue.content.decode()


def test_the_province_map_colours_each_city_by_its_complaints_today(world, demo, client):
    client.force_login(demo["manager"])
    province = client.get("/dashboard/").context["chart"]["map"]
    assert province["url"].endswith("vendor/echarts/jilin.json")
    values = {area["name_zh"]: area["value"] for area in province["areas"]}
    assert values["长春"] == 2 and values["吉林"] == 1
    assert sum(values.values()) == 3 and len(values) == City.objects.count()


def test_people_of_a_department_see_their_own_figures(world, demo, api_client):
    rows = get(api_client, demo["net_contact"], "/api/v1/metrics/departments/", department="CS")
    assert {row["department"] for row in rows} == {"NET"}


def test_bad_filters_name_the_field(world, demo, api_client):
    api_client.force_authenticate(demo["manager"])
    response = api_client.get(
        "/api/v1/metrics/trends/", {"since": "2026-11-18", "until": "2026-11-01"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "until"
    response = api_client.get("/api/v1/metrics/trends/", {"city": "XX"})
    assert response.json()["errors"][0]["attr"] == "city"


def test_exports_carry_the_same_figures(world, demo, client):
    client.force_login(demo["manager"])
    csv = client.get("/dashboard/export/departments.csv").content.decode("utf-8-sig")
    net = next(line for line in csv.splitlines() if line.startswith("网络部"))
    assert ",1.5," in net and ",12.0," in net
    xlsx = client.get("/dashboard/export/trends.xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[header.index("投诉受理量")] == 3


def test_a_recomputation_is_idempotent(world):
    day = timezone.localdate()
    rows = IncidentRollup.objects.filter(day=day).order_by("city", "level")
    before = list(rows.values_list("city", "level", "opened"))
    rollup_day(day)
    rollup_day(day)
    after = list(rows.values_list("city", "level", "opened"))
    assert before == after and len(after) == 6  # yellow: all + CC; orange: all + 3 cities


OCTOBER = datetime(2026, 10, 10, 10, 0, tzinfo=SH)


@pytest.fixture
def october(world, demo, make_incident):
    """The world, plus an incident resolved and a complaint settled on 10 October; every day
    since 1 October rolled up (so October has its month rows)."""
    from dashboards.services import rollup_range
    from tests.incidents.conftest import drive

    with time_machine.travel(OCTOBER, tick=False):
        incident = drive(
            make_incident(occurred_at=OCTOBER - timedelta(minutes=30)), demo, "resolved"
        )
        complaint = cs.complaint_create(
            actor=demo["hotline1"], **body(customer_phone="13800000009")
        )
        cs.complaint_resolve_first_contact(
            complaint_id=complaint.pk, actor=demo["hotline1"], satisfaction="satisfied"
        )
    rollup_range(OCTOBER.date().replace(day=1), MORNING.date())
    return incident


def test_a_long_period_reads_whole_months_and_equals_the_base_tables(october, demo, api_client):
    from dashboards.models import ComplaintRollup, ProvinceRollup

    # the month rows are the sums of the day rows
    for model in (ComplaintRollup, ProvinceRollup):
        month = model.objects.filter(grain="month", day="2026-10-01")
        days = model.objects.filter(grain="day", day__month=10)
        assert sum(month.values_list("received", flat=True)) == sum(
            days.values_list("received", flat=True)
        ) == 1  # fmt: skip
    year = {"since": "2025-11-19", "until": "2026-11-18"}  # 365 days, October whole
    rows = get(api_client, demo["manager"], "/api/v1/metrics/departments/", **year)
    net = next(row for row in rows if row["department"] == "NET")
    assert net["incidents_resolved"] == Incident.objects.filter(
        owning_department__code="NET", resolved_at__isnull=False
    ).count() == 2  # fmt: skip
    archived = Complaint.objects.filter(state="archived")
    owner = (archived[0].department or archived[0].first_ask_department).code
    cs_row = next(row for row in rows if row["department"] == owner)
    assert cs_row["complaints_archived"] == archived.count() == 2

    trends = get(api_client, demo["manager"], "/api/v1/metrics/trends/", **year)
    assert trends["bucket"] == "month" and len(trends["days"]) == 13
    assert (trends["days"][0], trends["ends"][0]) == ("2025-11-19", "2025-11-30")
    assert (trends["days"][-1], trends["ends"][-1]) == ("2026-11-01", "2026-11-18")
    assert trends["incidents_opened"]["yellow"][-2:] == [1, 1]  # October, November
    assert trends["complaints_received"][-2:] == [1, 3]

    # a shorter period spanning October whole is still drawn day by day
    autumn = get(
        api_client,
        demo["manager"],
        "/api/v1/metrics/trends/",
        since="2026-09-20",
        until="2026-11-18",
    )
    assert autumn["bucket"] == "day" and len(autumn["days"]) == 60
    assert sum(autumn["complaints_received"]) == 4
    assert autumn["complaints_received"][autumn["days"].index("2026-10-10")] == 1

    # the long period reads October from its month rows, not from its days: without the day
    # rows the year still counts October, while the day-by-day period no longer does
    for model in (ComplaintRollup, ProvinceRollup):
        model.objects.filter(grain="day", day__month=10).delete()
    trends = get(api_client, demo["manager"], "/api/v1/metrics/trends/", **year)
    assert trends["complaints_received"][-2:] == [1, 3]
    autumn = get(
        api_client,
        demo["manager"],
        "/api/v1/metrics/trends/",
        since="2026-09-20",
        until="2026-11-18",
    )
    assert sum(autumn["complaints_received"]) == 3


def test_the_answers_are_what_their_serializers_would_give(world):
    # departments and trends answer without the serializers' pass over every value: the
    # selectors already give the documented types (no Decimal, no date objects, str keys)
    from dashboards.api import DepartmentFiguresSerializer, TrendsSerializer
    from dashboards.selectors import Filters, departments, trends

    today = timezone.localdate()
    year = {"since": today - timedelta(days=364), "until": today}
    for f in (
        Filters.default(),
        Filters(**year),  # month rows and the days at the edges
        Filters(**year, city=City.objects.get(code="CC"), business_line="network"),
        Filters(**year, department=Department.objects.get(code="NET"), level="yellow"),
    ):
        rows = [figures.as_dict() for figures in departments(f)]
        assert rows or f.department
        assert repr([dict(r) for r in DepartmentFiguresSerializer(rows, many=True).data]) == repr(
            rows
        )
        drawn = trends(f)
        assert repr(dict(TrendsSerializer(drawn).data)) == repr(drawn)


def test_each_answer_is_one_statement(world, demo, api_client):
    # the session, the user and their roles, then one statement for the figures: fewer round
    # trips, which is what a busy machine charges most for
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(demo["manager"])
    for path in ("departments", "trends", "overview"):
        api_client.get(f"/api/v1/metrics/{path}/")  # departments and cities are cached now
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(f"/api/v1/metrics/{path}/").status_code == 200
        figures = [q["sql"] for q in queries if "auth_" not in q["sql"]]
        assert len(figures) == 1, figures
        assert "organisation_department" not in figures[0]


def test_a_renamed_department_is_named_anew_at_once(world, demo, api_client):
    rows = get(api_client, demo["manager"], "/api/v1/metrics/departments/")
    assert next(r for r in rows if r["department"] == "NET")["department_name"] == "网络部"
    net = Department.objects.get(code="NET")
    net.name_zh = "网络运营部"
    net.save()
    rows = get(api_client, demo["manager"], "/api/v1/metrics/departments/")
    assert next(r for r in rows if r["department"] == "NET")["department_name"] == "网络运营部"


def test_the_province_rollup_answers_as_the_detailed_rollups_do(world, monkeypatch):
    # Without a city or a business line, the department table and the trends read the
    # province's rollup (a few rows a day); the rollups by city and line give the same figures.
    from dashboards import selectors
    from dashboards.models import ProvinceRollup

    today = timezone.localdate()
    assert ProvinceRollup.objects.filter(day=today).exists()
    year = {"since": today - timedelta(days=364), "until": today}
    cases = [
        selectors.Filters.default(),
        selectors.Filters(**year),
        selectors.Filters(**year, level="yellow"),
        selectors.Filters(**year, department=Department.objects.get(code="NET")),
    ]
    province = [
        ([r.as_dict() for r in selectors.departments(f)], selectors.trends(f)) for f in cases
    ]
    monkeypatch.setattr(selectors, "_whole_province", lambda f: False)
    detailed = [
        ([r.as_dict() for r in selectors.departments(f)], selectors.trends(f)) for f in cases
    ]
    assert province == detailed
    assert any(rows for rows, _trends in province)
    assert sum(sum(t["complaints_received"]) for _rows, t in province) > 0


def test_a_rebuild_recomputes_the_same_rows_and_refreshes_the_planners_statistics(world):
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from dashboards.models import ProvinceRollup

    today = timezone.localdate()

    def rows():
        return sorted(
            ProvinceRollup.objects.filter(day=today).values_list(
                "grain", "department_id", "level", "opened", "acknowledged", "received"
            ),
            key=repr,
        )

    before = rows()
    assert before
    call_command("rollup_rebuild", since=today, until=today, stdout=StringIO())
    assert rows() == before
    with connection.cursor() as cursor:  # ANALYZE brought the row estimate up to date
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'dashboards_provincerollup'")
        assert cursor.fetchone()[0] == ProvinceRollup.objects.count()
