"""A manager opens the dashboard in Chinese, filters by a department and drills down."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.services import complaint_create
from dashboards.services import rollup_recent
from incidents import services
from organisation.demo import seed_demo
from organisation.models import City
from tests.complaints.test_complaints import body
from tests.incidents.conftest import drive

from .test_incident_walk import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTEFACTS = Path("test-results")


def resolved(demo, title, business_line):
    incident = services.incident_create(
        actor=demo["cs_contact"],
        title=title,
        business_line=business_line,
        source="business_risk",
        cities=[City.objects.get(code="CC")],
        occurred_at=timezone.now() - timedelta(minutes=40),
    )
    return drive(incident, demo, "resolved")


def test_a_manager_filters_the_dashboard_and_drills_down(page: Page, live_server):
    seed_demo()
    demo = {user.username: user for user in User.objects.select_related("profile__department")}
    network = resolved(demo, "长春 4G 基站退服", "network")
    complaint_create(actor=demo["hotline1"], **body())  # Changchun, today
    billing = resolved(demo, "账单重复扣费", "business_support")
    rollup_recent()

    sign_in(page, live_server, "manager")
    page.get_by_role("navigation").get_by_role("link", name="管理看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("管理看板")
    table = page.locator("#departments table")
    for code in ("NET", "DATA"):  # the owners of the two incidents, among others
        expect(table.locator(f'tr[data-department="{code}"]')).to_be_visible()
    expect(page.locator("#chart-incidents svg")).to_be_visible()  # ECharts drew the trend
    province = page.locator("#chart-map svg")  # the province's nine cities, today's complaints
    expect(province.locator("text", has_text="长春")).to_be_visible()
    assert province.locator("path").count() >= 9
    drawn = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".getOption().series[0].data.map(d => [d.name, d.value])"
    )
    assert dict(drawn)["长春市"] == 1 and sum(dict(drawn).values()) == 1

    filters = page.locator("#dashboard-filters")
    filters.get_by_label("部门").select_option("NET")
    filters.get_by_role("button", name="筛选").click()
    expect(table.locator("tr[data-department]")).to_have_count(1)
    expect(table.locator("tr[data-department] th")).to_have_text("网络部")
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "dashboard.png", full_page=True)
    assert (ARTEFACTS / "dashboard.png").stat().st_size > 10_000

    table.locator('a[data-figure="mttr"]').click()  # the incidents behind the MTTR
    expect(page.get_by_role("heading", level=1)).to_have_text("事件")
    rows = page.locator("table.table tbody")
    expect(rows).to_contain_text(network.number)
    expect(rows).not_to_contain_text(billing.number)


def test_without_its_map_the_province_is_drawn_as_bars(page: Page, live_server, settings):
    settings.DASHBOARD_PROVINCE_MAP = "vendor/echarts/no-such-province.json"
    seed_demo()
    complaint_create(actor=User.objects.get(username="hotline1"), **body())
    rollup_recent()
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("#chart-map svg")).to_be_visible()
    kind = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series[0].type"
    )
    assert kind == "bar"
