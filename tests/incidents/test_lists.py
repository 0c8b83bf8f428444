"""The incident list, rectification items and violations as lists people work from: their
filters (page and API), and exports of the filtered, scoped list."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

from accountability import services as accountability
from accountability.models import PenaltyRule
from deadlines.models import Deadline
from incidents.forms import IncidentFilterForm
from incidents.models import Incident
from incidents.selectors import incident_list, incidents_filter
from organisation.models import Department
from tests.incidents.test_improvement import add_item, improving

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(make_incident):
    network = make_incident(title="长春 4G 中断")
    billing = make_incident(title="计费 系统 故障", business_line="billing", cities=("JL",))
    late = make_incident(title="迟报 事件")
    Deadline.objects.filter(incident=late, state="pending").update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    return {"network": network, "billing": billing, "late": late}


def _page_numbers(client, url, query):
    response = client.get(url, query)
    assert response.status_code == 200
    return {i.number for i in response.context["page"]}


def test_the_incident_list_filters_overdue_on_the_page_and_the_api(incidents, demo, client):
    client.force_login(demo["manager"])
    assert _page_numbers(client, "/incidents/", {"overdue": "on"}) == {incidents["late"].number}
    api = APIClient()
    api.force_authenticate(demo["manager"])
    body = api.get("/api/v1/incidents/", {"overdue": "true"}).json()
    assert {row["number"] for row in body["results"]} == {incidents["late"].number}
    body = api.get("/api/v1/incidents/", {"overdue": "false"}).json()
    assert incidents["late"].number not in {row["number"] for row in body["results"]}


def _csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("username", ["manager", "net_contact", "itc_contact", "cc_contact"])
def test_the_incident_export_is_the_filtered_list_in_its_scope(
    incidents, demo, client, settings, username
):
    settings.EXPORT_CHUNK_SIZE = 2
    user = demo[username]
    client.force_login(user)
    query = {"state": "live", "level": ""}
    rows = _csv(client.get("/incidents/export.csv", query))
    form = IncidentFilterForm(query)
    assert form.is_valid()
    expected = list(
        incidents_filter(incident_list(user=user), form.cleaned_data).values_list(
            "number", flat=True
        )
    )
    assert [row[0] for row in rows[1:]] == expected
    response = client.get("/incidents/export.xlsx", {"business_line": "billing"})
    assert isinstance(response, StreamingHttpResponse)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    visible = set(incident_list(user=user).values_list("number", flat=True))
    assert numbers == (
        [incidents["billing"].number] if incidents["billing"].number in visible else []
    )


def test_the_export_of_a_large_list_is_read_in_chunks(incidents, demo, client, settings):
    settings.EXPORT_CHUNK_SIZE = 1
    client.force_login(demo["manager"])
    rows = _csv(client.get("/incidents/export.csv"))
    assert [row[0] for row in rows[1:]] == list(
        Incident.objects.order_by("-created_at", "-id").values_list("number", flat=True)
    )
    assert rows[1][6]  # the cities, joined


def test_rectification_items_filter_by_state_department_and_overdue(make_incident, demo, client):
    incident = improving(make_incident, demo)
    cs = Department.objects.get(code="CS")
    one = add_item(incident, demo, title="扩容")
    two = add_item(incident, demo, title="培训", owner_department=cs)
    Deadline.objects.filter(action_item=two).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(demo["manager"])

    def titles(query):
        return {i.title for i in client.get("/incidents/rectification/", query).context["page"]}

    assert titles({}) == {one.title, two.title}
    assert titles({"department": "NET"}) == {one.title}
    assert titles({"overdue": "on"}) == {two.title}
    assert titles({"state": "verified"}) == set()


def test_violations_filter_and_export(make_incident, demo, client):
    rule = PenaltyRule.objects.get(code="missed-ticket")
    net = accountability.violation_propose(
        rule=rule, evidence_key="manual:1", department=Department.objects.get(code="NET"),
        actor=demo["mkt_contact"],
    )  # fmt: skip
    cs = accountability.violation_propose(
        rule=rule, evidence_key="manual:2", department=Department.objects.get(code="CS"),
        actor=demo["mkt_contact"],
    )  # fmt: skip
    client.force_login(demo["manager"])
    page = client.get("/accountability/violations/", {"department": "NET"})
    assert [v.number for v in page.context["page"]] == [net.number]
    rows = _csv(client.get("/accountability/violations/export.csv", {"department": "CS"}))
    assert [row[0] for row in rows[1:]] == [cs.number]
    # a department sees its own only, in the export as on the page
    client.force_login(demo["net_contact"])
    rows = _csv(client.get("/accountability/violations/export.csv"))
    assert [row[0] for row in rows[1:]] == [net.number]


def list_row(page: str, number: str) -> str:
    """The list row of the record numbered ``number``."""
    start = page.index(f">{number}<")
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_a_row_shows_its_most_urgent_pending_deadline(make_incident, demo, client):
    now = timezone.now()
    waiting, done = make_incident(title="待办"), make_incident(title="已办")
    first, second = waiting.deadlines.filter(state="pending").order_by("due_at", "id")[:2]
    Deadline.objects.filter(pk=first.pk).update(state="met", met_at=now)
    done.deadlines.all().update(state="met", met_at=now)
    client.force_login(demo["manager"])
    page = client.get("/incidents/").content.decode()
    shown = list_row(page, waiting.number)
    assert f'data-due="{second.due_at.isoformat()}"' in shown
    assert first.due_at.isoformat() not in shown
    assert "countdown" not in list_row(page, done.number)
