"""After the event: action items to closure, the summary report, the special bulletin,
recurrence, supervision samples."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from accountability import supervision_services as supervision
from accountability.models import SampleReview
from accountability.selectors import rankings
from core.errors import Conflict
from deadlines.services import deadlines_sweep
from incidents import improvement_services as improve
from incidents import services
from incidents.models import ActionItem, Incident, RecurrenceRule, TimelineEvent
from notifications.models import Notification
from organisation.models import Department

from .conftest import drive

pytestmark = pytest.mark.django_db

SUMMARY = {
    "cause": "传输板卡老化",
    "process": "定位、更换板卡、回访客户",
    "result": "业务恢复",
    "lessons": "备件储备不足",
}


def post(client, user, path, data=None):
    client.force_authenticate(user)
    return client.post(f"/api/v1/{path}", data or {}, format="json")


def improving(make_incident, demo, **facts):
    """A yellow incident (one city) in `improving`, with its summary report."""
    incident = drive(make_incident(**facts), demo, "improving")
    improve.incident_report_summary(incident_id=incident.pk, actor=demo["net_contact"], **SUMMARY)
    return incident


def add_item(incident, demo, **kwargs):
    kwargs.setdefault("title", "全省同型号板卡巡检")
    kwargs.setdefault("owner_department", incident.owning_department)
    kwargs.setdefault("due_at", timezone.now() + timedelta(days=7))
    return improve.action_item_add(incident_id=incident.pk, actor=demo["net_contact"], **kwargs)


def test_closing_refuses_while_an_item_is_open_and_says_why(make_incident, demo, api_client):
    incident = improving(make_incident, demo)
    item = add_item(incident, demo)
    refused = post(api_client, demo["manager"], f"incidents/{incident.pk}/close/")
    assert refused.status_code == 409
    error = refused.json()["errors"][0]
    assert error["code"] == "improvement_incomplete"
    assert "1" in error["detail"]  # "1 action items still to verify or waive"
    incident.refresh_from_db()
    assert incident.state == "improving" and incident.closed_at is None

    # done is not enough: the working group verifies the evidence
    done = post(api_client, demo["net_contact"], f"action-items/{item.pk}/complete/", {})
    assert done.status_code == 400 and done.json()["errors"][0]["attr"] == "evidence"
    evidence = {"evidence": "巡检报告已归档"}
    done = post(api_client, demo["net_contact"], f"action-items/{item.pk}/complete/", evidence)
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert item.deadlines.get().state == "met"
    assert post(api_client, demo["manager"], f"incidents/{incident.pk}/close/").status_code == 409
    # the owner cannot verify its own measure
    own = post(api_client, demo["net_contact"], f"action-items/{item.pk}/verify/")
    assert own.status_code == 403
    verified = post(api_client, demo["manager"], f"action-items/{item.pk}/verify/")
    assert verified.json()["state"] == "verified"
    assert verified.json()["verified_by"] == "manager"

    closed = post(api_client, demo["manager"], f"incidents/{incident.pk}/close/")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["closed_at"] is not None


def test_closing_needs_the_summary_report(make_incident, demo):
    incident = drive(make_incident(), demo, "improving")
    with pytest.raises(Conflict) as refused:
        services.incident_close(incident_id=incident.pk, actor=demo["manager"])
    assert refused.value.details["missing"] == ["事件总结报告"]


def test_a_waiver_needs_a_reason_and_the_working_group(make_incident, demo, api_client):
    incident = improving(make_incident, demo)
    item = add_item(incident, demo)
    path = f"action-items/{item.pk}/waive/"
    assert post(api_client, demo["net_leader"], path, {"reason": "不再适用"}).status_code == 403
    no_reason = post(api_client, demo["manager"], path, {"reason": "  "})
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["attr"] == "reason"
    item.refresh_from_db()
    assert item.state == "open"

    waived = post(api_client, demo["manager"], path, {"reason": "设备将于下月整体退网，无需巡检"})
    assert waived.json()["state"] == "waived"
    assert waived.json()["waiver_reason"] == "设备将于下月整体退网，无需巡检"
    assert item.deadlines.get().state == "cancelled"
    event = incident.timeline.filter(kind=TimelineEvent.Kind.IMPROVEMENT).latest("id")
    assert (event.action, event.actor) == ("action_item_waive", demo["manager"])
    services.incident_close(incident_id=incident.pk, actor=demo["manager"])


def test_a_sent_back_item_answers_to_its_due_date_again(make_incident, demo):
    incident = improving(make_incident, demo)
    item = add_item(incident, demo)
    improve.action_item_complete(item_id=item.pk, actor=demo["net_contact"], evidence="已巡检")
    with pytest.raises(ValidationError):
        improve.action_item_send_back(item_id=item.pk, actor=demo["manager"], reason="")
    improve.action_item_send_back(item_id=item.pk, actor=demo["manager"], reason="缺巡检记录")
    item.refresh_from_db()
    assert item.state == "open" and item.done_at is None
    latest = item.deadlines.order_by("-round").first()
    assert (latest.round, latest.state, latest.due_at) == (1, "pending", item.due_at)


def test_an_overdue_item_is_breached_on_the_incident_timeline(make_incident, demo):
    incident = improving(make_incident, demo)
    item = add_item(incident, demo, owner=demo["net_leader"])
    deadline = item.deadlines.get()
    assert deadline.responsible_person == demo["net_leader"]
    deadlines_sweep(now=item.due_at + timedelta(minutes=1))
    deadline.refresh_from_db()
    assert deadline.state == "breached"
    event = incident.timeline.get(kind=TimelineEvent.Kind.DEADLINE, action="action-item")
    assert event.payload["action_item"] == item.pk
    assert Notification.objects.filter(
        recipient=demo["net_leader"], kind="deadline.breached"
    ).exists()


def test_items_are_added_only_while_improving_and_by_the_owner(make_incident, demo):
    resolved = drive(make_incident(), demo, "resolved")
    with pytest.raises(Conflict):
        add_item(resolved, demo)
    incident = improving(make_incident, demo)
    with pytest.raises(PermissionDenied):
        improve.action_item_add(
            incident_id=incident.pk,
            actor=demo["mkt_contact"],
            title="x",
            owner_department=incident.owning_department,
            due_at=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(ValidationError) as invalid:
        add_item(
            incident, demo, due_at=timezone.now() - timedelta(hours=1), owner=demo["cs_contact"]
        )
    assert set(invalid.value.message_dict) == {"due_at", "owner"}
    assert not ActionItem.objects.exists()


def test_my_rectification_items_lists_the_owner_departments_items(make_incident, demo, client):
    incident = improving(make_incident, demo)
    marketing = Department.objects.get(code="MKT")
    add_item(incident, demo, title="资费补偿口径统一", owner_department=marketing)
    add_item(incident, demo, title="全省同型号板卡巡检")
    client.force_login(demo["mkt_contact"])
    page = client.get("/incidents/rectification/").content.decode()
    assert "资费补偿口径统一" in page and "全省同型号板卡巡检" not in page
    # the owner department of an item may open the incident
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    client.force_login(demo["net_contact"])  # the incident's owner sees both
    page = client.get("/incidents/rectification/").content.decode()
    assert "资费补偿口径统一" in page and "全省同型号板卡巡检" in page


def test_a_major_events_summary_records_its_meeting(make_incident, demo, api_client):
    orange = drive(make_incident(cities=("CC", "JL", "SP")), demo, "improving")
    assert orange.level == "orange"
    response = post(
        api_client, demo["net_contact"], f"incidents/{orange.pk}/submit_summary_report/", SUMMARY
    )
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {
        "meeting_date",
        "attendees",
        "conclusions",
    }
    meeting = {"meeting_date": "2026-11-20", "attendees": "网络部、客服部", "conclusions": "双路由"}
    response = post(
        api_client,
        demo["net_contact"],
        f"incidents/{orange.pk}/submit_summary_report/",
        {**SUMMARY, **meeting},
    )
    assert response.status_code == 200
    with pytest.raises(Conflict) as refused:
        services.incident_close(incident_id=orange.pk, actor=demo["manager"])
    assert refused.value.details["missing"] == ["专题简报", "至少一项整改措施"]


def test_the_bulletin_pdf_has_a_chinese_text_layer(make_incident, demo, client):
    incident = drive(make_incident(cities=("CC", "JL", "SP")), demo, "closed")
    client.force_login(demo["manager"])
    response = client.get(f"/incidents/{incident.pk}/bulletin.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    for expected in (
        "专题简报",
        incident.title,
        "传输板卡老化",
        "全省同型号板卡巡检",
        "同类故障未再发生",
    ):
        assert expected in text, expected
    html = client.get(f"/incidents/{incident.pk}/bulletin/").content.decode()
    assert "同类故障未再发生" in html and "主管副总经理、应急处理领导组" in html


def closed_with_cause(make_incident, demo, category="transmission", cities=("CC",), days_ago=0):
    incident = drive(make_incident(cities=cities), demo, "improving")
    services.incident_submit(
        incident_id=incident.pk,
        actor=demo["net_contact"],
        kind="root_cause",
        content={"root_cause": "光缆被挖断", "handling_plan": "回访", "category": category},
    )
    incident = drive(incident, demo, "closed")
    Incident.objects.filter(pk=incident.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago)
    )
    return incident


def categorise(incident, demo, category="transmission"):
    services.incident_submit(
        incident_id=incident.pk,
        actor=demo["net_contact"],
        kind="root_cause",
        content={"root_cause": "光缆再次被挖断", "handling_plan": "回访", "category": category},
    )
    incident.refresh_from_db()
    return incident


@pytest.mark.parametrize(("days_ago", "recurs"), [(30, True), (89, True), (100, False)])
def test_a_recurrence_is_detected_inside_the_window_only(make_incident, demo, days_ago, recurs):
    assert RecurrenceRule.objects.get().days == 90
    earlier = closed_with_cause(make_incident, demo, cities=("CC", "JL"), days_ago=days_ago)
    again = categorise(drive(make_incident(cities=("JL",)), demo, "handling"), demo)
    assert again.root_cause_category.code == "transmission"
    assert again.recurrence_of == (earlier if recurs else None)


def test_no_recurrence_across_categories_or_cities(make_incident, demo):
    closed_with_cause(make_incident, demo, cities=("CC",), days_ago=10)
    other_city = categorise(drive(make_incident(cities=("SP",)), demo, "handling"), demo)
    other_cause = categorise(drive(make_incident(), demo, "handling"), demo, "capacity")
    assert other_city.recurrence_of is None and other_cause.recurrence_of is None
    with pytest.raises(ValidationError) as invalid:
        categorise(drive(make_incident(), demo, "handling"), demo, "no-such-category")
    assert "category" in invalid.value.message_dict


# the earlier incident closed five days before, in the same month: on the 1st–5th of a month
# it would fall in the month before and the month's rate would differ
@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_a_recurrence_is_shown_on_both_and_counts_in_the_rankings(make_incident, demo, client):
    earlier = closed_with_cause(make_incident, demo, days_ago=5)
    again = categorise(drive(make_incident(), demo, "handling"), demo)
    assert again.recurrence_of == earlier
    client.force_login(demo["net_contact"])
    assert earlier.number in client.get(f"/incidents/{again.pk}/").content.decode()
    assert again.number in client.get(f"/incidents/{earlier.pk}/").content.decode()
    drive(again, demo, "closed")
    table = {row["department"].code: row for row in rankings("2026-11")}
    assert table["NET"]["recurrence_rate"] == 50.0  # two incidents closed, one recurred


def test_a_supervision_sample_is_random_reproducible_and_reviewed(make_incident, demo):
    closed = [drive(make_incident(), demo, "closed") for _ in range(4)]
    drive(make_incident(), demo, "improving")  # not closed: never drawn
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        supervision.sample_draw(actor=demo["net_contact"], since=today, until=today, size=2)
    first = supervision.sample_draw(
        actor=demo["manager"], since=today, until=today, size=3, seed="s1"
    )
    again = supervision.sample_draw(
        actor=demo["manager"], since=today, until=today, size=3, seed="s1"
    )
    drawn = [r.incident_id for r in first.reviews.all()]
    assert drawn == [r.incident_id for r in again.reviews.all()]
    assert len(set(drawn)) == 3 and set(drawn) <= {i.pk for i in closed}
    everything = supervision.sample_draw(actor=demo["manager"], since=today, until=today, size=50)
    assert everything.size == 4
    with pytest.raises(ValidationError) as empty:
        supervision.sample_draw(
            actor=demo["manager"], since=date(2020, 1, 1), until=date(2020, 1, 31), size=5
        )
    assert "since" in empty.value.message_dict

    review = first.reviews.first()
    with pytest.raises(ValidationError):
        supervision.sample_review(review_id=review.pk, actor=demo["manager"], compliant=False)
    supervision.sample_review(
        review_id=review.pk, actor=demo["manager"], compliant=False, findings="回访记录缺失"
    )
    review = SampleReview.objects.get(pk=review.pk)
    assert (review.compliant, review.findings, review.reviewed_by) == (
        False,
        "回访记录缺失",
        demo["manager"],
    )
    assert Notification.objects.filter(
        recipient=demo["net_contact"], kind="improvement.sample_finding"
    ).exists()
    with pytest.raises(Conflict):
        supervision.sample_review(review_id=review.pk, actor=demo["manager"], compliant=True)


def test_supervision_pages(make_incident, demo, client):
    drive(make_incident(), demo, "closed")
    client.force_login(demo["net_contact"])
    assert client.get("/accountability/supervision/").status_code == 403
    client.force_login(demo["manager"])
    today = timezone.localdate().isoformat()
    response = client.post(
        "/accountability/supervision/", {"since": today, "until": today, "size": 5, "seed": ""}
    )
    assert response.status_code == 302
    sample_page = client.get(response["Location"]).content.decode()
    assert "0 / 1" in sample_page or "已检查 0 / 1" in sample_page
    review = SampleReview.objects.get()
    client.post(
        f"/accountability/supervision/reviews/{review.pk}/",
        {f"review-{review.pk}-compliant": "yes", f"review-{review.pk}-findings": ""},
    )
    review.refresh_from_db()
    assert review.compliant is True and review.reviewed_by == demo["manager"]


def test_one_scoping_rule_for_measures_on_the_page_and_in_the_api(make_incident, demo, api_client):
    """A measure is visible to whoever may see its incident (action_item_scope), on the
    page and in the API alike; the lists hold the ones the person answers for."""
    incident = improving(make_incident, demo)
    marketing = Department.objects.get(code="MKT")
    ours = add_item(incident, demo, title="资费补偿口径统一", owner_department=marketing)
    theirs = add_item(incident, demo, title="全省同型号板卡巡检")
    api_client.force_login(demo["mkt_contact"])  # sees the incident through its measure
    assert api_client.get(f"/api/v1/action-items/{theirs.pk}/").status_code == 200
    listed = {row["id"] for row in api_client.get("/api/v1/action-items/").json()["results"]}
    assert listed == {ours.pk}
    api_client.force_login(demo["legal_contact"])  # neither sees it nor answers for it
    assert api_client.get(f"/api/v1/action-items/{theirs.pk}/").status_code == 404


def test_an_incidents_measures_are_one_list_as_the_schema_says(make_incident, demo, api_client):
    """The plan's measures come whole (no pages, no list filters), and the schema says so."""
    from drf_spectacular.generators import SchemaGenerator

    incident = improving(make_incident, demo)
    add_item(incident, demo)
    api_client.force_authenticate(demo["net_contact"])
    listed = api_client.get(f"/api/v1/incidents/{incident.pk}/action_items/", {"city": ""})
    assert listed.status_code == 200 and [i["title"] for i in listed.json()] == [
        "全省同型号板卡巡检"
    ]
    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"][
        "/api/v1/incidents/{id}/action_items/"
    ]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["id"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
