"""Which missed deadlines carry a penalty (the catalogue's ``deadline:<kind>`` triggers), said
where breaches are seen: the violations page, "my deadlines", the record's deadline panel."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accountability import services
from accountability.models import Violation
from accountability.selectors import grades, penalty_rules_by_deadline_kind
from complaints import services as cs
from deadlines.models import DeadlinePolicy
from deadlines.services import deadlines_sweep
from incidents import services as incident_services
from organisation.models import City, Department

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def working_tuesday():
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=True):
        yield


# deadline kind → the rules its breach is assessed by (seeds 000, 003, 004 as the catalogue
# prices them); a kind not listed carries none
ASSESSED = {
    "incident-report-to-cs": ["outage-not-announced"],  # seed 003 第八条6
    "incident-publish": ["incident-publish-late"],  # seed 000 第九条; 003 第八条6
    "incident-explanation": ["incident-step-late"],  # seed 000 第十条
    "incident-root-cause": ["incident-step-late"],
    "incident-hq-feedback": ["incident-step-late"],  # seed 000 第十一条
    "incident-hq-plan-level1": ["incident-step-late"],
    "incident-hq-plan-level2": ["incident-step-late"],
    "incident-leadership-report": ["incident-step-late"],
    "complaint-contact": ["no-contact-30min"],  # seed 003 第九条(一)2
    "complaint-repair": ["repair-delay"],  # seed 003 第九条(一)12
    "complaint-callback": ["callback-late"],  # seed 003 第八条14
}
# the platform's own escalation of an unacknowledged alert, the seed 004 working-time limits
# and the procedures' limits: the regulations put no price on missing them
NOT_ASSESSED = {
    "alert-acknowledge",
    "alert-acknowledge-escalated",
    "complaint-handover",
    "complaint-form-issue",
    "complaint-general-answer",
    "complaint-major-temporary",
    "complaint-major-permanent",
    "complaint-escalate",
    "accountability-self-inspection-notice",
    "accountability-self-inspection-report",
    "action-item",
}


def test_each_deadline_kind_maps_to_the_rules_its_breach_proposes():
    mapping = {
        kind: [rule.code for rule in rules]
        for kind, rules in penalty_rules_by_deadline_kind().items()
    }
    assert mapping == ASSESSED
    kinds = set(DeadlinePolicy.objects.values_list("code", flat=True))
    assert kinds == set(ASSESSED) | NOT_ASSESSED


def test_a_ministry_complaint_vetoes_the_grade(demo):
    """Rankings and grades read the catalogue's triggers without the JSON ``contains`` lookup
    (which SQLite, the embedded default, lacks)."""
    complaint = cs.complaint_create(
        actor=demo["hotline1"], channel="hotline", customer_name="客户",
        customer_phone="13800000001", customer_account="A1", city=City.objects.get(code="CC"),
        address="长春", business_line="network", summary="投诉", description="详细情况",
        escalation="ministry",
    )  # fmt: skip
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="NET"),
    )
    violation = Violation.objects.get(rule__code="complaint-ministry")
    services.violation_confirm(violation_id=violation.pk, actor=demo["mkt_contact"], reason="属实")
    by_code = {
        row["department"].code: row for row in grades(timezone.localtime().strftime("%Y-%m"))
    }
    assert "ministry_complaint" in by_code["NET"]["vetoes"]
    assert "ministry_complaint" not in by_code["CS"]["vetoes"]


def test_the_pages_say_which_missed_deadlines_carry_a_penalty(make_incident, demo, client):
    incident = make_incident()
    incident_services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    # half an hour on, the alerts' acknowledgments are missed: escalated, not assessed
    deadlines_sweep(now=timezone.now() + timedelta(minutes=31))
    assert incident.deadlines.filter(kind="incident-explanation", state="pending").exists()
    assert not Violation.objects.exists()

    client.force_login(demo["manager"])
    page = client.get("/accountability/violations/").content.decode()
    row = _row(page, "alert-acknowledge")
    assert "不考核" in row and "<td>6</td>" in row  # the six interface persons it reached
    explanation = _row(page, "incident-explanation")
    assert "¥20" in explanation and "考核" in explanation
    assert "¥8" in _row(page, "complaint-repair")

    client.force_login(demo["net_contact"])
    mine = client.get("/incidents/deadlines/").content.decode()
    assert 'class="badge penalty"' in mine and "¥20" in mine  # the explanation, pending
    panel = client.get(incident.get_absolute_url()).content.decode()
    explanation = panel[panel.index('data-kind="incident-explanation"') :].split("</li>")[0]
    assert "¥20" in explanation
    acknowledgments = client.get("/accountability/violations/").content.decode()
    assert "<td>1</td>" in _row(acknowledgments, "alert-acknowledge")  # NET's own, not all six


def test_an_incident_page_shows_each_unit_only_the_violations_it_may_open(
    make_incident, demo, client
):
    incident = make_incident()
    explanation = incident.deadlines.get(kind="incident-explanation")
    deadlines_sweep(now=explanation.due_at + timedelta(minutes=1))  # NET's, and CS's publishing
    by_department = dict(Violation.objects.values_list("department__code", "number"))
    assert {"NET", "CS"} <= set(by_department)
    client.force_login(demo["net_contact"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert by_department["NET"] in page and by_department["CS"] not in page
    client.force_login(demo["manager"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert by_department["NET"] in page and by_department["CS"] in page


def _row(page: str, kind: str) -> str:
    return page[page.index(f'<tr data-kind="{kind}">') :].split("</tr>")[0]
