"""A hotline agent raises a suspected incident from a call or a complaint (major complaints
are a warning source the CS centre monitors, seed 000 第八条(二)); the CS department, not
the agent, classifies it. A call linked to an incident goes to the incident's owner."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from complaints import services as cs
from complaints.forms import ComplaintConsoleForm
from complaints.models import Complaint
from complaints.workflow import FORBIDDEN
from core.actions import available_actions
from incidents.models import Incident
from incidents.views import ACTIONS
from notifications.models import Notification
from organisation.models import City, Department

from .test_complaints import body

pytestmark = pytest.mark.django_db


def chinese(message: str) -> str:
    """``message`` as the page shows it (Chinese by default), escaped as HTML."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(message))


def console_post(**overrides):
    data = {
        "customer_phone": "13812345678",
        "customer_name": "王先生",
        "customer_account": "0431-88886666",
        "city": City.objects.get(code="CC").pk,
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": "network",
        "summary": "长春宽带断网",
        "description": "整栋楼宽带断网，邻居也一样。",
        "severity": "general",
        "escalation": "none",
        "outcome": "dispatch",
        "department": "",
        "satisfaction": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def complaint(demo):
    return cs.complaint_create(actor=demo["hotline1"], **body())


def test_an_agent_raises_a_suspected_incident_from_a_complaint_page(client, demo, complaint):
    client.force_login(demo["hotline1"])
    response = client.post(
        reverse("complaints:act", args=[complaint.pk, "raise_incident"]),
        {
            "raise_incident-title": "长春朝阳区 4G 大面积变慢",
            "raise_incident-description": "多位客户",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    complaint.refresh_from_db()
    assert complaint.incident == incident
    # a major-complaint warning, awaiting the CS department's classification
    assert (incident.source, incident.state, incident.level) == (
        "major_complaint",
        "received",
        "none",
    )
    assert incident.title == "长春朝阳区 4G 大面积变慢" and incident.created_by == demo["hotline1"]
    assert incident.owning_department.code == "NET"  # the business line's owner
    assert list(incident.complaints.all()) == [complaint]
    told = Notification.objects.filter(kind="incident.suspected")
    assert {n.recipient.username for n in told} == {"cs_contact"}
    # the CS department's interface person finds it among the received and classifies it
    client.force_login(demo["cs_contact"])
    listed = client.get(reverse("incidents:list"), {"state": "received"})
    assert incident in list(listed.context["page"])
    assert "classify" in available_actions(incident, demo["cs_contact"], ACTIONS)
    assert "classify" not in available_actions(incident, demo["hotline1"], ACTIONS)
    client.post(
        reverse("incidents:act", args=[incident.pk, "classify"]),
        {"classify-level": "yellow", "classify-reason": "多位客户同区投诉"},
    )
    incident.refresh_from_db()
    assert (incident.state, incident.level) == ("classified", "yellow")
    # the agent follows it (it reported it) without being offered to classify or publish it:
    # as its reporter, it may only correct what it said
    client.force_login(demo["hotline1"])
    page = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert page.status_code == 200
    assert [a["name"] for a in page.context["actions"]] == ["update_facts"]


def test_the_complaint_page_offers_it_to_the_hotline_only_while_unlinked(client, demo, complaint):
    client.force_login(demo["hotline1"])
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    offered = {a["name"]: a for a in page.context["actions"]}
    assert offered["raise_incident"]["form"].initial["title"] == complaint.summary
    cs.complaint_raise_incident(complaint_id=complaint.pk, actor=demo["hotline1"], title="疑似")
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert "raise_incident" not in {a["name"] for a in page.context["actions"]}
    again = client.post(
        reverse("complaints:act", args=[complaint.pk, "raise_incident"]),
        {"raise_incident-title": "再来一次"},
        follow=True,
    )
    assert chinese("This complaint is linked to an incident already.") in again.content.decode()
    assert Incident.objects.count() == 1


def test_only_the_hotline_and_customer_service_raise_one(client, demo, complaint):
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="NET"),
    )
    client.force_login(demo["net_contact"])  # the handling department sees the complaint
    response = client.post(
        reverse("complaints:act", args=[complaint.pk, "raise_incident"]),
        {"raise_incident-title": "疑似重大事件"},
    )
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert not Incident.objects.exists()
    with pytest.raises(PermissionDenied) as refused:
        cs.complaint_raise_incident(complaint_id=complaint.pk, actor=demo["net_contact"], title="x")
    assert str(refused.value) == str(FORBIDDEN["raise_incident"])
    # a CS department's person may (the working group and CS department classify it)
    incident = cs.complaint_raise_incident(
        complaint_id=complaint.pk, actor=demo["cs_contact"], title="疑似重大事件"
    )
    assert incident.state == "received"


def test_a_call_raises_one_from_the_console_and_goes_to_its_owner(client, demo):
    client.force_login(demo["hotline1"])
    response = client.post(reverse("complaints:console"), console_post(raise_incident="on"))
    assert response.status_code == 302, response.context["form"].errors
    complaint = Complaint.objects.get()
    incident = Incident.objects.get()
    assert complaint.incident == incident and incident.state == "received"
    assert incident.source == "major_complaint" and incident.title == "长春宽带断网"
    # the department was not asked for: the incident's owning department handles the call
    assert (complaint.state, complaint.department) == ("dispatched", incident.owning_department)


def test_a_linked_call_is_not_raised_again(client, demo, make_incident):
    incident = make_incident()
    client.force_login(demo["hotline1"])
    response = client.post(
        reverse("complaints:console"), console_post(raise_incident="on", incident=incident.pk)
    )
    assert response.status_code == 200
    assert "raise_incident" in response.context["form"].errors
    assert Incident.objects.count() == 1 and not Complaint.objects.exists()


# --- the department of a linked call ------------------------------------------------------


def test_the_dispatch_department_is_the_chosen_one_else_the_incidents_owner(demo, make_incident):
    incident = make_incident()  # owned by the network department
    branch = Department.objects.get(code="BR-CC")
    assert cs.dispatch_department(None, incident) == incident.owning_department
    assert cs.dispatch_department(branch, incident) == branch
    assert cs.dispatch_department(branch, None) == branch
    assert cs.dispatch_department(None, None) is None


@pytest.mark.parametrize(
    ("extra", "asks_for_department"),
    [
        ({}, True),  # nothing linked: the agent chooses
        ({"incident": "1"}, False),  # linked: the incident's owner
        ({"raise_incident": "on"}, False),  # a suspected incident raised: its owner
        ({"outcome": "resolved", "satisfaction": "satisfied"}, False),  # nothing to dispatch
    ],
)
def test_the_console_asks_for_the_department_only_when_nothing_gives_it(
    demo, extra, asks_for_department
):
    form = ComplaintConsoleForm(console_post(**extra))
    form.is_valid()
    assert ("department" in form.errors) is asks_for_department


def test_a_call_linked_from_the_console_goes_to_the_incidents_owner(client, demo, make_incident):
    incident = make_incident()
    client.force_login(demo["hotline1"])
    response = client.post(reverse("complaints:console"), console_post(incident=incident.pk))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.incident == incident
    assert complaint.department == incident.owning_department


# --- the console keeps what it showed ----------------------------------------------------


def test_after_an_error_the_console_shows_its_suggestions_history_and_link_again(
    client, demo, make_incident, complaint
):
    incident = make_incident(title="长春宽带大面积中断")
    client.force_login(demo["hotline1"])
    response = client.post(
        reverse("complaints:console"),
        console_post(customer_name="", incident=incident.pk, summary="长春宽带中断"),
    )
    assert response.status_code == 200 and "customer_name" in response.context["form"].errors
    page = response.content.decode()
    assert 'data-testid="similar"' in page and "长春宽带大面积中断" in page
    assert 'data-testid="history"' in page and complaint.number in page
    assert response.context["linked"] == incident
    assert 'id="linked-note"' in page and incident.number in page


def test_a_field_is_checked_alone_as_it_is_left(client, demo):
    check = reverse("complaints:console-check")
    client.force_login(demo["hotline1"])
    bad = client.post(check, {"check": "customer_phone", "customer_phone": "138-abc"})
    assert chinese("Give a phone number of digits.") in bad.content.decode()
    assert (
        client.post(
            check, {"check": "customer_phone", "customer_phone": "13812345678"}
        ).content.strip()
        == b""
    )
    assert (
        client.post(check, {"check": "customer_phone", "customer_phone": ""}).content.strip() == b""
    )
    client.force_login(demo["net_contact"])
    assert client.post(check, {"check": "customer_phone", "customer_phone": "1"}).status_code == 403
