"""Complaints: the whole first-ask figure of seed 002, intake over REST (idempotent, bulk),
aggregation into incidents, mass-complaint detection, Chinese similarity, privacy."""

import itertools
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services as cs
from complaints.models import (
    Complaint,
    ComplaintEvent,
    MassComplaintCluster,
    MassComplaintRule,
    PersonalDataRead,
)
from complaints.selectors import customer_history, incidents_like, mask
from complaints.tasks import detect_mass_complaints_task
from deadlines.services import deadlines_sweep
from incidents.models import Incident
from notifications.models import Notification
from organisation.models import City, Department
from organisation.services import api_key_create
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db


def body(**overrides):
    data = {
        "channel": "hotline",
        "customer_name": "王先生",
        "customer_phone": "13812345678",
        "customer_account": "0431-88886666",
        "city": City.objects.get(code="CC"),
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": "network",
        "summary": "家里 4G 信号差，上网很慢",
        "description": "近三天晚上 4G 上网很慢，网页打不开，视频卡顿。",
    }
    data.update(overrides)
    return data


@pytest.fixture
def take(demo):
    def take(actor="hotline1", **overrides):
        return cs.complaint_create(actor=demo[actor], **body(**overrides))

    return take


def net(demo):
    return Department.objects.get(code="NET")


def states(complaint):
    return list(complaint.timeline.filter(kind="transition").values_list("from_state", "to_state"))


def test_the_whole_figure_from_hotline_to_archive(take, demo):
    complaint = take()
    assert (complaint.state, complaint.first_ask_owner) == ("received", demo["hotline1"])
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    cs.complaint_hand_over(
        complaint_id=complaint.pk, actor=demo["net_contact"], handler=demo["net_leader"]
    )
    cs.complaint_contact(complaint_id=complaint.pk, actor=demo["net_leader"])
    cs.complaint_reply(
        complaint_id=complaint.pk, actor=demo["net_leader"], resolved_at=timezone.now(),
        cause_and_result="基站扩容后恢复",
    )  # fmt: skip
    cs.complaint_callback(complaint_id=complaint.pk, actor=demo["hotline1"], satisfied=True)
    complaint.refresh_from_db()
    assert (complaint.state, complaint.satisfaction) == ("archived", "satisfied")
    assert complaint.first_ask_owner == demo["hotline1"]  # first-ask owner throughout
    assert states(complaint) == [
        ("received", "dispatched"), ("dispatched", "assigned"), ("assigned", "in_progress"),
        ("in_progress", "replied"), ("replied", "archived"),
    ]  # fmt: skip
    met = set(complaint.deadlines.filter(state="met").values_list("kind", flat=True))
    assert {
        "complaint-form-issue",
        "complaint-handover",
        "complaint-contact",
        "complaint-repair",
        "complaint-callback",
    } <= met


def test_resolved_at_first_contact(take, demo):
    complaint = take(business_line="billing", summary="咨询套餐资费")
    cs.complaint_resolve_first_contact(
        complaint_id=complaint.pk, actor=demo["hotline1"], satisfaction="satisfied"
    )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.satisfaction) == ("archived", "satisfied")
    assert not complaint.deadlines.filter(state="pending").exists()


def test_not_ours_goes_back_and_is_redispatched(take, demo):
    complaint = take()
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="MKT"),
    )
    cs.complaint_return(
        complaint_id=complaint.pk, actor=demo["mkt_contact"], reason="属网络问题，非本部门"
    )
    complaint.refresh_from_db()
    assert complaint.state == "returned"
    assert Notification.objects.filter(
        recipient=demo["hotline1"], kind="complaint.returned"
    ).exists()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    complaint.refresh_from_db()
    assert (complaint.state, complaint.department.code, complaint.round) == ("dispatched", "NET", 1)
    handovers = complaint.deadlines.filter(kind="complaint-handover").order_by("round")
    assert [(d.round, d.state, d.responsible_department.code) for d in handovers] == [
        (0, "cancelled", "MKT"),
        (1, "pending", "NET"),
    ]


def test_an_unsatisfied_customer_sends_it_back_as_a_repeat(take, demo):
    complaint = take()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    cs.complaint_hand_over(
        complaint_id=complaint.pk, actor=demo["net_contact"], handler=demo["net_contact"]
    )
    cs.complaint_contact(complaint_id=complaint.pk, actor=demo["net_contact"])
    cs.complaint_reply(
        complaint_id=complaint.pk,
        actor=demo["net_contact"],
        resolved_at=timezone.now(),
        cause_and_result="已处理",
    )
    cs.complaint_callback(
        complaint_id=complaint.pk, actor=demo["hotline2"], satisfied=False, note="仍然很慢"
    )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.repeat_count, complaint.satisfaction) == (
        "assigned",
        1,
        "unsatisfied",
    )
    assert complaint.deadlines.get(kind="complaint-contact", round=1).state == "pending"
    cs.complaint_contact(complaint_id=complaint.pk, actor=demo["net_contact"])
    cs.complaint_reply(
        complaint_id=complaint.pk,
        actor=demo["net_contact"],
        resolved_at=timezone.now(),
        cause_and_result="新建基站",
    )
    cs.complaint_callback(complaint_id=complaint.pk, actor=demo["hotline2"], satisfied=True)
    complaint.refresh_from_db()
    assert complaint.state == "archived"


def test_a_vip_referral_is_answered_by_the_referring_employee(take, demo, api_client):
    complaint = take(
        channel="employee_referral",
        is_vip=True,
        referred_by=demo["ent_leader"],
        business_line="enterprise_product",
    )
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="ENT"),
    )
    cs.complaint_hand_over(
        complaint_id=complaint.pk, actor=demo["ent_contact"], handler=demo["ent_contact"]
    )
    cs.complaint_contact(complaint_id=complaint.pk, actor=demo["ent_contact"])
    cs.complaint_reply(
        complaint_id=complaint.pk,
        actor=demo["ent_contact"],
        resolved_at=timezone.now(),
        cause_and_result="专线恢复",
    )
    assert (
        complaint.deadlines.get(kind="complaint-callback").responsible_person == demo["ent_leader"]
    )
    api_client.force_authenticate(demo["hotline1"])
    refused = api_client.post(
        f"/api/v1/complaints/{complaint.pk}/callback/", {"satisfaction": "satisfied"}
    )
    assert refused.status_code == 403
    api_client.force_authenticate(demo["ent_leader"])
    done = api_client.post(
        f"/api/v1/complaints/{complaint.pk}/callback/", {"satisfaction": "satisfied"}
    )
    assert done.status_code == 200 and done.json()["state"] == "archived"


def test_the_representation_built_by_hand_is_what_the_declared_fields_give(
    take, demo, make_incident, rf
):
    from rest_framework import serializers

    from complaints.api.serializers import ComplaintSerializer
    from deadlines.serializers import DeadlineSerializer

    incident = make_incident(business_line="enterprise_product")
    complaint = take(
        channel="employee_referral",
        is_vip=True,
        referred_by=demo["ent_leader"],
        business_line="enterprise_product",
        incident=incident,
    )
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=Department.objects.get(code="ENT"),
    )  # a deadline met, others pending; a department
    cs.complaint_hand_over(
        complaint_id=complaint.pk, actor=demo["ent_contact"], handler=demo["ent_contact"]
    )
    complaint = Complaint.objects.get(pk=complaint.pk)
    bare = take(customer_phone="13900001111")  # no department, handler, referral or incident
    for reader in ("exec", "ent_contact"):  # masked, then in full
        request = rf.get("/")
        request.user = demo[reader]
        for record in (complaint, bare):
            serializer = ComplaintSerializer(context={"request": request})
            by_hand = serializer.to_representation(record)
            by_fields = serializers.Serializer.to_representation(serializer, record)
            assert list(by_hand.items()) == list(by_fields.items())
    deadlines = list(complaint.deadlines.all())
    assert {d.state for d in deadlines} >= {"met", "pending"}
    for deadline in deadlines:
        serializer = DeadlineSerializer()
        assert list(serializer.to_representation(deadline).items()) == list(
            serializers.Serializer.to_representation(serializer, deadline).items()
        )


def test_an_employee_referral_names_the_employee(take):
    with pytest.raises(Exception) as error:
        take(channel="employee_referral")
    assert "referred_by" in error.value.message_dict


def test_a_handover_not_done_in_30_minutes_tells_the_leader(take, demo):
    complaint = take()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    handover = complaint.deadlines.get(kind="complaint-handover")
    deadlines_sweep(now=handover.due_at + timedelta(seconds=1))
    told = Notification.objects.filter(
        kind="deadline.breached", link=complaint.get_absolute_url()
    ).values_list("recipient__username", flat=True)
    assert set(told) >= {"net_contact", "net_leader"}


def test_the_reply_needs_the_three_clears(take, demo, api_client):
    complaint = take()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    cs.complaint_hand_over(
        complaint_id=complaint.pk, actor=demo["net_contact"], handler=demo["net_contact"]
    )
    cs.complaint_contact(complaint_id=complaint.pk, actor=demo["net_contact"])
    api_client.force_authenticate(demo["net_contact"])
    response = api_client.post(
        f"/api/v1/complaints/{complaint.pk}/reply/", {"resolved_at": timezone.now().isoformat()}
    )
    assert (
        response.status_code == 400 and response.json()["errors"][0]["attr"] == "cause_and_result"
    )


def test_handover_to_someone_outside_the_department_is_refused(take, demo):
    complaint = take()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    with pytest.raises(Exception) as error:
        cs.complaint_hand_over(
            complaint_id=complaint.pk, actor=demo["net_contact"], handler=demo["mkt_contact"]
        )
    assert "handler" in error.value.message_dict


def test_wrong_state_and_wrong_person(take, demo, api_client):
    complaint = take()
    api_client.force_authenticate(demo["net_contact"])
    assert api_client.post(f"/api/v1/complaints/{complaint.pk}/contact/").status_code in (
        403,
        404,
        409,
    )
    api_client.force_authenticate(demo["hotline1"])
    wrong_state = api_client.post(f"/api/v1/complaints/{complaint.pk}/contact/")
    assert wrong_state.status_code == 409
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    forbidden = api_client.post(
        f"/api/v1/complaints/{complaint.pk}/hand_over/", {"handler": "net_contact"}
    )
    assert forbidden.status_code == 403


def test_convening_another_department(take, demo):
    complaint = take()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    cooperation = cs.complaint_convene(
        complaint_id=complaint.pk,
        actor=demo["net_contact"],
        department=Department.objects.get(code="MKT"),
        assignment="核实资费补偿",
    )
    assert cooperation.assignment == "核实资费补偿"
    assert complaint.timeline.filter(kind="cooperation").exists()


# --- REST intake --------------------------------------------------------------------------


@pytest.fixture
def system_key(demo) -> str:
    """The raw key of the 10086 feed, an external system of the CS centre."""
    _key, raw = api_key_create(name="10086 feed", department=Department.objects.get(code="CSC"))
    return raw


def as_system(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def system(system_key):
    return as_system(system_key)


def payload(**overrides):
    data = {
        "external_id": "T-1",
        "customer_name": "李女士",
        "customer_phone": "13900001111",
        "customer_account": "1390000111",
        "city": "JL",
        "address": "吉林市船营区",
        "business_line": "billing",
        "summary": "话费多扣了 20 元",
        "description": "本月账单多扣 20 元，未订购任何增值业务。",
    }
    data.update(overrides)
    return data


def test_an_external_system_posts_a_complaint(system):
    response = system.post("/api/v1/complaints/", payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("CMP-") and body["channel"] == "api"
    assert body["customer_phone"] == "13900001111"  # its own: in full


def test_same_idempotency_key_twice_is_one_row(system):
    first = system.post("/api/v1/complaints/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = system.post("/api/v1/complaints/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and Complaint.objects.count() == 1
    other = system.post(
        "/api/v1/complaints/", payload(summary="另一件"), format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert other.status_code == 409 and Complaint.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_with_one_key_get_the_first_answer(system_key):
    """Twenty retries of one POST at once (one Idempotency-Key, one external_id): one is
    performed, the others wait for it and replay its answer. None meets the duplicate
    external_id of its twin and answers 409 where the first answer was due."""

    def post():
        response = as_system(system_key).post(
            "/api/v1/complaints/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="c-20"
        )
        return response.status_code, response.json()

    answers = at_once(post, times=20)
    statuses = sorted(status for status, _body in answers)
    assert statuses == [200] * 19 + [201], [body for _status, body in answers]
    assert len({body["id"] for _status, body in answers}) == 1
    assert all(body == answers[0][1] for _status, body in answers)
    assert Complaint.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_posts_of_one_external_id_with_different_keys_are_conflicts(system_key):
    """Another key is another request: the external_id it repeats is a 409, as it is one
    after the other."""
    keys = itertools.count()

    def post():
        response = as_system(system_key).post(
            "/api/v1/complaints/", payload(), format="json", HTTP_IDEMPOTENCY_KEY=f"k-{next(keys)}"
        )
        return response.status_code, response.json()

    answers = at_once(post, times=10)
    assert sorted(status for status, _body in answers) == [201] + [409] * 9
    codes = {body["errors"][0]["code"] for status, body in answers if status == 409}
    assert codes == {"duplicate_external_id"}
    assert Complaint.objects.count() == 1


def test_an_external_id_is_unique_per_key(system):
    system.post("/api/v1/complaints/", payload(), format="json")
    again = system.post("/api/v1/complaints/", payload(), format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "duplicate_external_id"
    assert Complaint.objects.count() == 1


def test_an_unknown_city_is_named_and_a_new_one_is_known_at_once(system):
    refused = system.post("/api/v1/complaints/", payload(city="XX"), format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "city"
    City.objects.create(code="XX", name_zh="新区", name_en="New district")  # clears the cache
    taken = system.post("/api/v1/complaints/", payload(city="XX"), format="json")
    assert taken.status_code == 201 and Complaint.objects.get().city.code == "XX"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"customer_name": ""}, "customer_name"),
        ({"address": "  "}, "address"),
        ({"customer_phone": "call me"}, "customer_phone"),
        ({"customer_account": ""}, "customer_account"),
        ({"description": ""}, "description"),
        ({"city": "XX"}, "city"),
        ({"business_line": "weather"}, "business_line"),
        ({"escalation": "moon"}, "escalation"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_no_row(system, overrides, field):
    response = system.post("/api/v1/complaints/", payload(**overrides), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["attr"] == field
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_bulk_intake_reports_each_item(system):
    items = [
        payload(external_id="B-1"),
        payload(external_id="B-2", customer_name=""),
        payload(external_id="B-3"),
    ]
    response = system.post("/api/v1/complaints/bulk/", {"items": items}, format="json")
    assert response.status_code == 207
    results = response.json()
    assert [r["status"] for r in results] == [201, 400, 201]
    assert results[1]["errors"][0]["attr"] == "customer_name"
    assert set(Complaint.objects.values_list("external_id", flat=True)) == {"B-1", "B-3"}
    too_many = system.post("/api/v1/complaints/bulk/", {"items": [payload()] * 501}, format="json")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["attr"] == "items"
    not_an_object = system.post(
        "/api/v1/complaints/bulk/", {"items": [payload(), "B-4"]}, format="json"
    )
    assert not_an_object.status_code == 400
    (error,) = not_an_object.json()["errors"]
    assert (error["attr"], error["code"]) == ("items.1", "not_a_dict")
    assert Complaint.objects.count() == 2


# --- aggregation ----------------------------------------------------------------------------


def test_the_101st_complaint_makes_it_yellow_and_the_301st_orange(
    make_incident, take, demo, api_client
):
    incident = make_incident(cities=(), business_line="billing")
    assert incident.level == "none"
    complaints = [
        take(business_line="billing", customer_phone=f"1380000{i:04d}") for i in range(301)
    ]
    api_client.force_authenticate(demo["hotline1"])

    def link(chunk):
        return api_client.post(
            "/api/v1/complaints/link/",
            {"incident": incident.pk, "complaints": [c.pk for c in chunk]},
            format="json",
        )

    assert link(complaints[:100]).json()["linked"] == 100
    incident.refresh_from_db()
    assert incident.level == "none"  # 100 in a day is not more than 100
    link(complaints[100:101])
    incident.refresh_from_db()
    assert incident.level == "yellow"
    link(complaints[101:300])
    incident.refresh_from_db()
    assert incident.level == "yellow"
    link(complaints[300:301])
    incident.refresh_from_db()
    assert incident.level == "orange"
    assert incident.level_reasons[0]["factor"] == "complaints_per_day"


def test_linking_at_intake_counts_escalated_complaints(make_incident, take):
    incident = make_incident(cities=(), business_line="billing")
    for i in range(6):
        take(
            business_line="billing",
            escalation="city_authority",
            incident=incident,
            customer_phone=f"1390000{i:04d}",
        )
    incident.refresh_from_db()
    assert incident.level == "yellow"  # more than 5 escalated in a week
    assert incident.complaints.count() == 6


def test_a_wave_of_complaints_with_no_incident_alerts_customer_service(take, demo):
    for i in range(19):
        take(customer_phone=f"1370000{i:04d}")
    take(customer_phone="13712345678", city=City.objects.get(code="JL"))  # another city
    assert cs.complaints_detect_mass() == 0  # 19 are not yet 20 (the default rule)
    take(customer_phone="13700000019")
    assert not MassComplaintCluster.objects.exists()  # intake does not wait for the sweep
    detect_mass_complaints_task.delay()  # as beat runs it
    cluster = MassComplaintCluster.objects.get()
    assert cluster.complaints.count() == 20 and cluster.city.code == "CC"
    told = Notification.objects.filter(kind="complaint.mass")
    assert [n.recipient.username for n in told] == ["cs_contact"]
    assert "20" in told[0].subject and "长春" in told[0].subject
    take(customer_phone="13700009999")  # the 21st joins the cluster, no second alert
    assert cs.complaints_detect_mass() == 1 and cs.complaints_detect_mass() == 0
    assert cluster.complaints.count() == 21 and told.count() == 1


def test_a_wave_is_counted_within_the_window_and_a_dismissed_or_stale_cluster_takes_no_more(
    take, demo
):
    for i in range(20):
        take(customer_phone=f"1370000{i:04d}")
    later = timezone.now() + timedelta(minutes=61)  # past the default rule's hour
    assert cs.complaints_detect_mass(now=later) == 0
    assert cs.complaints_detect_mass() == 20
    first = MassComplaintCluster.objects.get()
    MassComplaintCluster.objects.update(dismissed_at=timezone.now())
    take(customer_phone="13700009999")
    assert cs.complaints_detect_mass() == 0  # joins no dismissed cluster; one is no new wave
    MassComplaintCluster.objects.update(
        dismissed_at=None, detected_at=timezone.now() - timedelta(hours=2)
    )
    assert cs.complaints_detect_mass() == 0  # nor a cluster older than the window
    for i in range(19):
        take(customer_phone=f"1371000{i:04d}")
    assert cs.complaints_detect_mass() == 20  # a wave of its own
    assert MassComplaintCluster.objects.count() == 2 and first.complaints.count() == 20


def test_no_mass_alert_when_an_open_incident_covers_it(make_incident, take):
    make_incident(cities=("CC",), business_line="network")
    for i in range(25):
        take(customer_phone=f"1360000{i:04d}")
    assert cs.complaints_detect_mass() == 0
    assert not MassComplaintCluster.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_raise_one_cluster(take, demo):
    """On PostgreSQL the rules a sweep holds are skipped by the other (SKIP LOCKED)."""
    for i in range(20):
        take(customer_phone=f"1370000{i:04d}")
    assert sorted(at_once(cs.complaints_detect_mass)) == [0, 20]
    assert MassComplaintCluster.objects.get().complaints.count() == 20
    assert Notification.objects.filter(kind="complaint.mass").count() == 1


def test_mass_detection_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["detect-mass-complaints"]
    assert entry["task"] == detect_mass_complaints_task.name
    assert entry["schedule"] == settings.MASS_COMPLAINT_SWEEP_SECONDS <= 60


def test_open_incidents_that_look_like_the_complaint(make_incident, demo):
    network = make_incident(title="长春地区4G数据业务中断", cities=("CC",))
    make_incident(
        title="吉林计费系统重复扣费",
        description="多地用户反映话费被重复扣除",
        business_line="billing",
        cities=("JL",),
    )
    make_incident(title="全省VoLTE呼叫失败", cities=("CC",))
    hotline = demo["hotline1"]
    found = incidents_like(
        user=hotline,
        text="长春4G上网很慢，网页打不开",
        business_line="network",
        city_id=City.objects.get(code="CC").pk,
    )
    assert [incident for incident, _score in found][:1] == [network]
    billing = incidents_like(user=hotline, text="话费多扣了20元", business_line="billing")
    assert billing and billing[0][0].title == "吉林计费系统重复扣费"
    assert incidents_like(user=hotline, text="宽带经常掉线") == []


# --- privacy --------------------------------------------------------------------------------


def test_masking_and_the_log_of_full_reads(take, demo, api_client):
    complaint = take()
    cs.complaint_dispatch(complaint_id=complaint.pk, actor=demo["hotline1"], department=net(demo))
    assert mask("13812345678") == "138****5678"
    api_client.force_authenticate(demo["exec"])  # sees everything, handles nothing
    seen = api_client.get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert (seen["customer_phone"], seen["customer_account"]) == ("138****5678", "043******6666")
    assert not PersonalDataRead.objects.exists()
    api_client.force_authenticate(demo["net_contact"])  # the handling department
    assert (
        api_client.get(f"/api/v1/complaints/{complaint.pk}/").json()["customer_phone"]
        == "13812345678"
    )
    api_client.force_authenticate(demo["hotline2"])  # the hotline
    listed = api_client.get("/api/v1/complaints/").json()["results"]
    assert listed[0]["customer_phone"] == "13812345678"
    reads = PersonalDataRead.objects.values_list("user__username", "where")
    assert set(reads) == {("net_contact", "api.detail"), ("hotline2", "api.list")}


def test_customer_history_by_phone(take, demo):
    first = take(summary="上月信号差")
    second = take(summary="本月又慢了")
    take(customer_phone="13999999999")
    assert list(customer_history(user=demo["hotline2"], phone="13812345678")) == [second, first]


def test_the_console_lookups_are_the_hotlines_and_never_carry_a_phone_in_the_url(
    take, demo, client, make_incident
):
    complaint = take(summary="长春宽带断网")  # a Changchun customer's complaint
    make_incident(title="长春宽带大面积中断", cities=("CC",))
    history, similar = reverse("complaints:console-history"), reverse("complaints:console-similar")
    client.force_login(demo["hotline2"])
    assert client.get(history, {"customer_phone": "13812345678"}).status_code == 405
    answer = client.post(history, {"customer_phone": "13812345678"}).content.decode()
    assert complaint.number in answer
    found = client.post(similar, {"summary": "长春宽带中断", "business_line": "network"})
    assert "长春宽带大面积中断" in found.content.decode()
    client.force_login(demo["net_contact"])  # another department: not the hotline
    assert client.post(history, {"customer_phone": "13812345678"}).status_code == 403
    assert client.post(similar, {"summary": "长春宽带中断"}).status_code == 403


def test_similar_incidents_are_only_those_one_may_link_to(make_incident, demo):
    make_incident(title="长春宽带大面积中断", cities=("CC",))  # the network department's
    text = {"text": "长春宽带中断", "business_line": "network"}
    assert incidents_like(user=demo["hotline1"], **text)
    assert incidents_like(user=demo["cc_contact"], **text) == []  # cannot see NET's incident


def test_a_bulk_that_meets_a_concurrent_duplicate_stores_the_rest_one_by_one(
    demo, make_incident, monkeypatch
):
    key, _raw = api_key_create(name="crm", department=Department.objects.get(code="CSC"))
    incident = make_incident(cities=("CC",), business_line="network")
    number = cs._number

    def another_request_posts_first(complaints):  # between the bulk's check and its insert
        monkeypatch.setattr(cs, "_number", number)
        cs.complaint_create(actor=key.user, api_key=key, **body(external_id="RACE"))
        number(complaints)

    monkeypatch.setattr(cs, "_number", another_request_posts_first)
    items = [body(external_id="RACE"), body(external_id="LINKED", incident=incident)]
    results = cs.complaint_bulk_create(actor=key.user, items=items, api_key=key)
    assert [r["status"] for r in results] == [409, 201]
    assert Complaint.objects.filter(external_id="RACE").count() == 1
    linked = Complaint.objects.get(external_id="LINKED")
    assert linked.incident == incident and linked.timeline.filter(kind="linked").exists()


def test_bulk_reports_a_repeated_external_id_and_keeps_the_rest(system):
    system.post("/api/v1/complaints/", payload(external_id="D-0"), format="json")
    items = [
        payload(external_id="D-0"),
        payload(external_id="D-1"),
        payload(external_id="D-1"),
        payload(external_id=""),
    ]
    results = system.post("/api/v1/complaints/bulk/", {"items": items}, format="json").json()
    assert [r["status"] for r in results] == [409, 201, 409, 201]
    assert Complaint.objects.filter(external_id="D-1").count() == 1
    created = Complaint.objects.get(pk=results[1]["id"])
    assert (
        created.number == results[1]["number"]
        and created.deadlines.filter(kind="complaint-form-issue").exists()
    )


def test_the_sweep_reads_only_what_arrived_since_its_watermark(take, make_incident, settings):
    """A flood an open incident covers is looked at once, not at every sweep; the
    complaints it has already read wait for a new arrival of their line and city."""
    overlap = timedelta(seconds=settings.MASS_COMPLAINT_SWEEP_OVERLAP_SECONDS)
    now = timezone.now()
    incident = make_incident(cities=("CC",), business_line="network")
    with time_machine.travel(now - overlap - timedelta(minutes=5), tick=False):
        for i in range(25):
            take(customer_phone=f"1360000{i:04d}")
    assert cs.complaints_detect_mass(now=now) == 0  # an open incident covers them
    assert MassComplaintRule.objects.get().swept_until == now
    Incident.objects.filter(pk=incident.pk).update(state="closed")
    # nothing new since: the 25 lie behind the watermark, the window is not read again
    assert cs.complaints_detect_mass(now=now + timedelta(minutes=1)) == 0
    assert not MassComplaintCluster.objects.exists()
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        take(customer_phone="13600009999")
    # a new arrival of that line and city: the whole window's complaints of it are counted
    assert cs.complaints_detect_mass(now=now + timedelta(minutes=3)) == 26
    cluster = MassComplaintCluster.objects.get()
    assert cluster.complaints.count() == 26
    # run twice, one effect: no second cluster, no second alert
    assert cs.complaints_detect_mass(now=now + timedelta(minutes=3, seconds=1)) == 0
    assert MassComplaintCluster.objects.count() == 1
    assert Notification.objects.filter(kind="complaint.mass").count() == 1


def test_the_sweep_counts_what_earlier_passes_read_towards_the_threshold(take, settings):
    """Complaints read by one pass (too few then) still count towards the threshold when
    more of their line and city arrive after the watermark."""
    overlap = timedelta(seconds=settings.MASS_COMPLAINT_SWEEP_OVERLAP_SECONDS)
    now = timezone.now()
    with time_machine.travel(now - overlap - timedelta(minutes=5), tick=False):
        for i in range(12):
            take(customer_phone=f"1370000{i:04d}")
    assert cs.complaints_detect_mass(now=now) == 0
    with time_machine.travel(now + timedelta(minutes=10), tick=False):
        for i in range(8):
            take(customer_phone=f"1371000{i:04d}")
        take(customer_phone="13712345678", city=City.objects.get(code="JL"))
    assert cs.complaints_detect_mass(now=now + timedelta(minutes=11)) == 20
    cluster = MassComplaintCluster.objects.get()
    assert (cluster.complaints.count(), cluster.city.code) == (20, "CC")
