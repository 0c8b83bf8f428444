"""Assignment: the person of the responsible department who works on an incident, a
complaint or an action item; reminded of its limits, listed on "My work"."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints import services as cs
from deadlines.services import deadlines_sweep
from incidents import improvement_services, services
from incidents.demo import drive
from notifications.models import Notification
from organisation.models import City, Department
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineers(demo):
    """Two people of the network department without a role of their own."""
    net = Department.objects.get(code="NET")
    return [
        UserFactory(username=f"net_engineer{n}", department=net, full_name=f"网络工程师{n}")
        for n in (1, 2)
    ]


def _complaint(demo, **overrides):
    intake = {
        "channel": "hotline",
        "customer_name": "王先生",
        "customer_phone": "13812345678",
        "customer_account": "0431-88886666",
        "city": City.objects.get(code="CC"),
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": "network",
        "summary": "家里 4G 信号差，上网很慢",
        "description": "近三天晚上 4G 上网很慢，网页打不开，视频卡顿。",
        **overrides,
    }
    complaint = cs.complaint_create(actor=demo["hotline1"], **intake)
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="NET"),
    )
    return complaint


def _item(incident, demo, owner=None):
    incident = drive(incident, demo, "improving")
    return improvement_services.action_item_add(
        incident_id=incident.pk,
        actor=demo["net_contact"],
        title="更换老化传输板卡",
        owner_department=Department.objects.get(code="NET"),
        owner=owner,
        due_at=timezone.now() + timedelta(days=7),
    )


# --- the services -------------------------------------------------------------------------


def test_the_owner_assigns_a_person_of_its_department(make_incident, demo, engineers):
    incident = make_incident()
    services.incident_assign(
        incident_id=incident.pk, actor=demo["net_contact"], assignee=engineers[0]
    )
    incident.refresh_from_db()
    assert incident.assignee == engineers[0]
    event = incident.timeline.get(kind="assignee")
    assert (event.action, event.payload["to_name"]) == ("assigned", "网络工程师1")
    told = Notification.objects.get(recipient=engineers[0], kind="assigned")
    assert incident.number in told.subject and told.link == incident.get_absolute_url()


def test_an_assignee_outside_the_department_is_refused(make_incident, demo):
    incident = make_incident()
    with pytest.raises(ValidationError) as refused:
        services.incident_assign(
            incident_id=incident.pk, actor=demo["net_contact"], assignee=demo["mkt_contact"]
        )
    assert "assignee" in refused.value.message_dict


def test_a_reassignment_needs_a_reason(make_incident, demo, engineers):
    incident = make_incident()
    services.incident_assign(
        incident_id=incident.pk, actor=demo["net_contact"], assignee=engineers[0]
    )
    with pytest.raises(ValidationError) as refused:
        services.incident_assign(
            incident_id=incident.pk, actor=demo["net_contact"], assignee=engineers[1]
        )
    assert list(refused.value.message_dict) == ["reason"]
    services.incident_assign(
        incident_id=incident.pk,
        actor=demo["net_leader"],
        assignee=engineers[1],
        reason="工程师1休假",
    )
    incident.refresh_from_db()
    assert incident.assignee == engineers[1]
    event = incident.timeline.filter(kind="assignee").last()
    assert (event.action, event.reason) == ("reassigned", "工程师1休假")
    assert (event.payload["from_name"], event.payload["to_name"]) == ("网络工程师1", "网络工程师2")


def test_outsiders_may_not_assign(make_incident, demo, engineers):
    incident = make_incident()
    for outsider in ("mkt_contact", "hotline1", "net_engineer1"):
        with pytest.raises(PermissionDenied):
            services.incident_assign(
                incident_id=incident.pk, actor=demo.get(outsider) or engineers[0],
                assignee=engineers[1],
            )  # fmt: skip
    services.incident_assign(incident_id=incident.pk, actor=demo["manager"], assignee=engineers[0])


def test_a_new_owner_clears_the_assignee(make_incident, demo, engineers):
    incident = make_incident()
    services.incident_assign(
        incident_id=incident.pk, actor=demo["net_contact"], assignee=engineers[0]
    )
    services.incident_change_owner(
        incident_id=incident.pk,
        actor=demo["cs_contact"],
        department=Department.objects.get(code="MKT"),
        reason="属营销问题",
    )
    incident.refresh_from_db()
    assert incident.assignee is None
    cleared = incident.timeline.filter(kind="assignee").last()
    assert (cleared.action, cleared.payload["from_name"]) == ("cleared", "网络工程师1")


def test_the_assignee_is_reminded_of_the_owners_limits(make_incident, demo, engineers):
    """The deadline sweep, for real: the owner's limit reminds the assignee, not the
    interface person; a limit opened after the assignment too."""
    with time_machine.travel(timezone.now(), tick=False):
        incident = make_incident(occurred_at=timezone.now())
        services.incident_assign(
            incident_id=incident.pk, actor=demo["net_contact"], assignee=engineers[0]
        )
        explanation = incident.deadlines.get(kind="incident-explanation")
        assert explanation.responsible_person == engineers[0]
        deadlines_sweep(now=explanation.started_at + timedelta(minutes=61))
    reminded = Notification.objects.filter(
        kind="deadline.reminder", link=incident.get_absolute_url()
    )
    assert list(reminded.values_list("recipient__username", flat=True)) == ["net_engineer1"]


def test_unassigned_the_interface_person_is_reminded(make_incident, demo):
    with time_machine.travel(timezone.now(), tick=False):
        incident = make_incident(occurred_at=timezone.now())
        explanation = incident.deadlines.get(kind="incident-explanation")
        deadlines_sweep(now=explanation.started_at + timedelta(minutes=61))
    reminded = Notification.objects.filter(
        kind="deadline.reminder", link=incident.get_absolute_url()
    )
    assert list(reminded.values_list("recipient__username", flat=True)) == ["net_contact"]


def test_a_complaint_is_handed_over_then_reassigned(demo, engineers):
    complaint = _complaint(demo)
    cs.complaint_assign(complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[0])
    complaint.refresh_from_db()
    assert (complaint.state, complaint.handler) == ("assigned", engineers[0])
    with pytest.raises(ValidationError) as refused:
        cs.complaint_assign(
            complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[1]
        )
    assert list(refused.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as refused:
        cs.complaint_assign(
            complaint_id=complaint.pk,
            actor=demo["net_contact"],
            assignee=demo["mkt_contact"],
            reason="换人",
        )
    assert list(refused.value.message_dict) == ["assignee"]
    cs.complaint_assign(
        complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[1], reason="换人"
    )
    complaint.refresh_from_db()
    assert complaint.handler == engineers[1]
    event = complaint.timeline.get(kind="assignee")
    assert (event.action, event.reason) == ("reassigned", "换人")
    contact = complaint.deadlines.get(kind="complaint-contact")
    assert contact.responsible_person == engineers[1]
    assert Notification.objects.filter(recipient=engineers[1], kind="assigned").exists()
    with pytest.raises(PermissionDenied):
        cs.complaint_assign(
            complaint_id=complaint.pk, actor=demo["mkt_contact"], assignee=engineers[0], reason="x"
        )


def test_a_returned_complaint_loses_its_handler(demo, engineers):
    complaint = _complaint(demo)
    cs.complaint_assign(complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[0])
    cs.complaint_return(complaint_id=complaint.pk, actor=demo["net_contact"], reason="非本部门")
    complaint.refresh_from_db()
    assert complaint.handler is None
    assert complaint.timeline.get(kind="assignee").action == "cleared"


def test_an_action_item_is_assigned_and_reassigned(make_incident, demo, engineers):
    item = _item(make_incident(), demo)
    improvement_services.action_item_assign(
        item_id=item.pk, actor=demo["net_contact"], assignee=engineers[0]
    )
    item.refresh_from_db()
    assert item.owner == engineers[0]
    assert item.deadlines.get(state="pending").responsible_person == engineers[0]
    with pytest.raises(ValidationError) as refused:
        improvement_services.action_item_assign(
            item_id=item.pk, actor=demo["net_contact"], assignee=engineers[1]
        )
    assert list(refused.value.message_dict) == ["reason"]
    improvement_services.action_item_assign(
        item_id=item.pk, actor=demo["net_contact"], assignee=engineers[1], reason="交接"
    )
    event = item.incident.timeline.filter(kind="assignee").last()
    assert (event.payload["title"], event.reason) == ("更换老化传输板卡", "交接")
    with pytest.raises(PermissionDenied):
        improvement_services.action_item_assign(
            item_id=item.pk, actor=engineers[0], assignee=engineers[0], reason="x"
        )


# --- the API ------------------------------------------------------------------------------


def _fields(response) -> list[str]:
    return [error["attr"] for error in response.json()["errors"]]


def test_assign_through_the_api(make_incident, demo, engineers, api_client):
    incident = make_incident()
    url = f"/api/v1/incidents/{incident.pk}/assign/"
    api_client.force_authenticate(demo["net_contact"])
    answer = api_client.post(url, {"assignee": "net_engineer1"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["assignee"] == "net_engineer1"
    refused = api_client.post(url, {"assignee": "net_engineer2"}, format="json")
    assert refused.status_code == 400 and _fields(refused) == ["reason"]
    outside = api_client.post(url, {"assignee": "mkt_contact", "reason": "x"}, format="json")
    assert outside.status_code == 400 and _fields(outside) == ["assignee"]
    api_client.force_authenticate(demo["cs_leader"])  # sees every incident
    forbidden = api_client.post(url, {"assignee": "net_engineer2", "reason": "x"}, format="json")
    assert forbidden.status_code == 403
    api_client.force_authenticate(demo["mkt_contact"])  # does not see a network incident
    unseen = api_client.post(url, {"assignee": "net_engineer2", "reason": "x"}, format="json")
    assert unseen.status_code == 404


def test_assign_complaints_and_action_items_through_the_api(
    make_incident, demo, engineers, api_client
):
    complaint = _complaint(demo)
    item = _item(make_incident(), demo)
    api_client.force_authenticate(demo["net_contact"])
    answer = api_client.post(
        f"/api/v1/complaints/{complaint.pk}/assign/", {"assignee": "net_engineer1"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["handler"] == "net_engineer1"
    answer = api_client.post(
        f"/api/v1/action-items/{item.pk}/assign/", {"assignee": "net_engineer2"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["owner"] == "net_engineer2"
    api_client.force_authenticate(demo["mkt_contact"])
    unseen = api_client.post(
        f"/api/v1/complaints/{complaint.pk}/assign/",
        {"assignee": "net_engineer2", "reason": "x"},
        format="json",
    )
    assert unseen.status_code == 404


# --- pages --------------------------------------------------------------------------------


def test_the_incident_page_offers_the_departments_people(make_incident, demo, engineers, client):
    incident = make_incident()
    client.force_login(demo["net_contact"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-action="assign"' in page and "网络工程师1" in page
    assert 'name="assign-reason"' not in page  # nobody to replace yet
    assert (
        "mkt_contact" not in page and "市场部" not in page.split('data-action="assign"')[1][:2000]
    )
    act = reverse("incidents:act", kwargs={"pk": incident.pk, "name": "assign"})
    answer = client.post(act, {"assign-assignee": engineers[0].pk})
    assert answer.status_code == 302
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'name="assign-reason"' in page  # replacing someone asks why
    refused = client.post(act, {"assign-assignee": engineers[1].pk})
    assert refused.status_code == 400
    incident.refresh_from_db()
    assert incident.assignee == engineers[0]
    client.post(act, {"assign-assignee": engineers[1].pk, "assign-reason": "轮岗"})
    incident.refresh_from_db()
    assert incident.assignee == engineers[1]
    page = client.get(incident.get_absolute_url()).content.decode()
    timeline = page.split('id="timeline"')[1]
    assert "网络工程师1" in timeline and "网络工程师2" in timeline and "轮岗" in timeline
    assert "reassigned" not in timeline


def test_an_outsider_gets_no_assign_form(make_incident, demo, client):
    incident = make_incident()
    client.force_login(demo["cs_leader"])
    assert 'data-action="assign"' not in client.get(incident.get_absolute_url()).content.decode()
    act = reverse("incidents:act", kwargs={"pk": incident.pk, "name": "assign"})
    assert client.post(act, {"assign-assignee": demo["net_leader"].pk}).status_code == 403


def test_the_complaint_page_reassigns(demo, engineers, client):
    complaint = _complaint(demo)
    cs.complaint_assign(complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[0])
    client.force_login(demo["net_leader"])
    act = reverse("complaints:act", kwargs={"pk": complaint.pk, "name": "assign"})
    answer = client.post(act, {"assign-assignee": engineers[1].pk, "assign-reason": "换班"})
    assert answer.status_code == 302
    complaint.refresh_from_db()
    assert complaint.handler == engineers[1]
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "换班" in page and "网络工程师2" in page


def test_an_action_item_is_assigned_on_the_incident_page(make_incident, demo, engineers, client):
    item = _item(make_incident(), demo)
    client.force_login(demo["net_contact"])
    page = client.get(item.incident.get_absolute_url()).content.decode()
    assert f'action="/incidents/rectification/{item.pk}/act/assign/"' in page
    act = reverse("incidents:item-act", kwargs={"pk": item.pk, "name": "assign"})
    client.post(act, {f"assign-{item.pk}-assignee": engineers[0].pk})
    item.refresh_from_db()
    assert item.owner == engineers[0]


# --- my work ------------------------------------------------------------------------------


def test_my_work_lists_every_kind_nearest_deadline_first(make_incident, demo, engineers, client):
    with time_machine.travel("2026-11-23 09:00 +08:00", tick=False):
        later = make_incident(title="较晚到期的事件", occurred_at=timezone.now())
        item = _item(make_incident(title="整改事件"), demo)  # due in 7 days
        complaint = _complaint(demo)  # its hand-over is due in 30 minutes
        services.incident_assign(
            incident_id=later.pk, actor=demo["net_contact"], assignee=engineers[0]
        )
        improvement_services.action_item_assign(
            item_id=item.pk, actor=demo["net_contact"], assignee=engineers[0]
        )
        cs.complaint_assign(
            complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[0]
        )
        unassigned = make_incident(title="没有分派的事件")
    with time_machine.travel("2026-11-23 10:00 +08:00", tick=False):
        from dashboards.selectors import my_work

        rows = my_work(engineers[0])
        assert [row.kind for row in rows] == ["complaint", "incident", "action_item"]
        assert [row.overdue for row in rows] == [True, True, False]  # 30 and 60 minutes
        assert unassigned.number not in {row.number for row in rows}
        assert my_work(engineers[1]) == []
        client.force_login(engineers[0])
        page = client.get("/my-work/").content.decode().split('data-testid="my-work"')[1]
        assert page.index(complaint.number) < page.index(later.number) < page.index("更换老化")
        assert page.count('class="overdue"') == 2
        api = client.get("/api/v1/my-work/").json()
        assert [row["kind"] for row in api] == ["complaint", "incident", "action_item"]
        assert api[2]["deadline"]["due_at"] and api[2]["overdue"] is False
        home = client.get("/").content.decode()  # while the session is fresh
        assert 'href="/my-work/"' in home


# --- lists --------------------------------------------------------------------------------


def test_the_lists_filter_by_assignee(make_incident, demo, engineers, client, api_client):
    mine = make_incident(title="分派给我的事件")
    other = make_incident(title="分派给同事的事件")
    nobody = make_incident(title="无人负责的事件")
    for incident, person in ((mine, engineers[0]), (other, engineers[1])):
        services.incident_assign(
            incident_id=incident.pk, actor=demo["net_contact"], assignee=person
        )
    complaint = _complaint(demo)
    cs.complaint_assign(complaint_id=complaint.pk, actor=demo["net_contact"], assignee=engineers[0])
    open_complaint = _complaint(demo, summary="还没人处理的投诉")

    client.force_login(engineers[0])

    def listed(url, **query):
        page = client.get(url, query).content.decode().split("<tbody")[1]  # not the bell
        return {
            i.number for i in (mine, other, nobody, complaint, open_complaint) if i.number in page
        }

    assert listed("/incidents/", assignee="me") == {mine.number}
    assert listed("/incidents/", assignee="none") == {nobody.number}
    assert listed("/incidents/", assignee=engineers[1].pk) == {other.number}
    assert (
        "网络工程师2" in client.get("/incidents/", {"assignee": engineers[1].pk}).content.decode()
    )
    assert listed("/complaints/", assignee="me") == {complaint.number}
    assert listed("/complaints/", assignee="none") == {open_complaint.number}
    assert client.get("/incidents/", {"assignee": "x'--"}).status_code == 200  # an error shown

    api_client.force_authenticate(engineers[0])
    numbers = lambda url, **q: {r["number"] for r in api_client.get(url, q).json()["results"]}  # noqa: E731
    assert numbers("/api/v1/incidents/", assignee="me") == {mine.number}
    assert numbers("/api/v1/incidents/", assignee="net_engineer2") == {other.number}
    assert numbers("/api/v1/incidents/", assignee=str(engineers[1].pk)) == {other.number}
    assert numbers("/api/v1/incidents/", assignee="none") == {nobody.number}
    assert numbers("/api/v1/complaints/", assignee="me") == {complaint.number}
    assert api_client.get("/api/v1/incidents/", {"assignee": "a b"}).status_code == 400
