"""Planned work (seed 003 第八条8): approved and announced in writing to the departments
concerned beforehand; the hotline sees it; the complaints it causes are linked to it and
count toward no incident level and no mass complaint while it keeps its window; announced
late or never, its owning department is assessed 200 yuan."""

from datetime import timedelta

import pytest
import time_machine
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accountability.models import PenaltyRule, Violation
from complaints import services as cs
from complaints.models import MassComplaintCluster
from core.errors import Conflict
from maintenance import services
from maintenance.models import PlannedWork
from maintenance.selectors import planned_work_open_now
from notifications.models import Delivery, Notification
from organisation.models import City, Department
from organisation.services import api_key_create
from tests.concurrency import at_once
from tests.factories import hotline_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(demo):
    """Planned work registered by the network department's interface person: by default in
    Changchun, network quality, its window open now for two hours."""

    def register(actor="net_contact", cities=("CC",), submit=True, **facts):
        now = timezone.now()
        facts.setdefault("title", "长春朝阳区核心网割接")
        facts.setdefault("kind", "upgrade")
        facts.setdefault("business_lines", ["network"])
        facts.setdefault("starts_at", now - timedelta(minutes=30))
        facts.setdefault("ends_at", now + timedelta(hours=2))
        facts.setdefault("customer_impact", "朝阳区4G数据业务中断约30分钟")
        facts.setdefault("owning_department", Department.objects.get(code="NET"))
        return services.planned_work_create(
            actor=demo[actor],
            cities=list(City.objects.filter(code__in=cities)),
            submit=submit,
            **facts,
        )

    return register


@pytest.fixture
def approved(register, demo):
    """Announced in time (submitted the day before its window), approved by the CS
    department."""

    def approved(**facts):
        now = timezone.now()
        facts.setdefault("starts_at", now - timedelta(minutes=30))
        facts.setdefault("ends_at", now + timedelta(hours=2))
        work = register(submit=False, **facts)
        # submitted before its window: rewind the clock to the day before
        with time_machine.travel(facts["starts_at"] - timedelta(days=1), tick=True):
            services.planned_work_submit(work_id=work.pk, actor=demo["net_contact"])
        return services.planned_work_approve(
            work_id=work.pk, actor=demo["cs_contact"], note="同意，请做好解释"
        )

    return approved


def take(demo, **overrides):
    return cs.complaint_create(actor=demo["hotline1"], **hotline_intake(**overrides))


# --- approval and the written announcement ----------------------------------------------------


def test_submitted_before_its_window_then_approved_it_is_announced_to_the_departments_concerned(
    approved, demo
):
    work = approved()
    assert work.state == "approved" and work.late == ""
    announced = set(work.announced_to.values_list("code", flat=True))
    # the CS centre always, the CS department, the business line's department, the city's branch
    assert announced == {"CSC", "CS", "NET", "BR-CC"}
    told = Notification.objects.filter(kind="planned_work.announced")
    names = set(told.values_list("recipient__username", flat=True))
    assert {"csc_contact", "csc_leader", "cs_contact", "cc_contact", "net_contact"} <= names
    assert "jl_contact" not in names and "mkt_contact" not in names
    message = told.get(recipient__username="csc_contact")
    assert work.number in message.subject and "朝阳区4G数据业务中断约30分钟" in message.body
    assert Delivery.objects.filter(notification=message, channel="email").exists()
    assert list(work.timeline.order_by("id").values_list("kind", flat=True)) == [
        "created",
        "transition",
        "transition",
        "announced",
    ]
    assert not Violation.objects.exists()


def test_approval_allowed_refused_and_forbidden_through_the_api(register, demo):
    work = register()
    api = APIClient()
    url = f"/api/v1/planned-work/{work.pk}/approve/"
    api.force_authenticate(demo["net_contact"])  # the owner does not approve its own work
    forbidden = api.post(url, {}, format="json")
    assert forbidden.status_code == 403
    assert (
        "客户服务部" in forbidden.json()["errors"][0]["detail"]
    )  # who may, in the person's language
    api.force_authenticate(demo["cs_contact"])
    rejected = api.post(f"/api/v1/planned-work/{work.pk}/reject/", {}, format="json")
    assert rejected.status_code == 400 and rejected.json()["errors"][0]["attr"] == "note"
    ok = api.post(url, {"note": "同意"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    assert set(ok.json()["announced_to"]) >= {"CSC", "BR-CC"}
    again = api.post(url, {}, format="json")
    assert again.status_code == 409


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_one_wins_and_it_is_announced_once(register, demo):
    work = register()

    def approve():
        try:
            services.planned_work_approve(work_id=work.pk, actor=demo["cs_contact"])
        except Conflict:
            return "conflict"
        return "approved"

    assert sorted(at_once(approve)) == ["approved", "conflict"]
    assert work.timeline.filter(kind="announced").count() == 1


def test_a_rejected_work_is_revised_and_changed_with_its_timeline(register, demo):
    work = register()
    services.planned_work_reject(work_id=work.pk, actor=demo["cs_contact"], note="窗口太长")
    with pytest.raises(Conflict):
        services.planned_work_update(work_id=work.pk, actor=demo["net_contact"], title="x")
    services.planned_work_revise(work_id=work.pk, actor=demo["net_contact"])
    services.planned_work_update(
        work_id=work.pk, actor=demo["net_contact"], districts="朝阳区", customers_affected=3000
    )
    changed = work.timeline.get(kind="changed")
    assert set(changed.payload) == {"districts", "customers_affected"}
    assert Notification.objects.filter(
        kind="planned_work.rejected", recipient=demo["net_contact"]
    ).exists()


# --- late announcement: 200 yuan, once -------------------------------------------------------


def test_submitted_after_its_window_started_the_owner_is_assessed_200_yuan_once(register, demo):
    rule = PenaltyRule.objects.get(code="planned-work-unannounced")
    assert rule.yuan == 200 and rule.citation == "seed 003 第八条8"
    work = register()  # its window opened half an hour ago
    assert work.late == "submitted_after_start"
    violation = Violation.objects.get(rule=rule)
    assert violation.department.code == "NET" and violation.evidence == work
    # the fact announced again (a retry, a second receiver run) makes no second violation
    from maintenance.signals import planned_work_announced_late

    planned_work_announced_late.send(sender=PlannedWork, work=work, reason=work.late, actor=None)
    assert Violation.objects.filter(rule=rule).count() == 1


def test_a_fault_recorded_as_caused_by_unannounced_work_assesses_the_named_department(
    make_incident, demo, client
):
    incident = make_incident(actor="cs_contact", cities=("CC",), business_line="network")
    owner = incident.owning_department
    contact = next(
        u
        for u in demo.values()
        if u.profile.department == owner and u.username.endswith("_contact")
    )
    page = client
    page.force_login(contact)
    shown = page.get(incident.get_absolute_url())
    assert "系未申告的计划性工作所致" in shown.content.decode()  # the action, in Chinese
    branch = Department.objects.get(code="BR-CC")
    url = reverse("maintenance:unannounced", args=[incident.pk])
    data = {"unannounced-department": branch.pk, "unannounced-title": "朝阳区光缆迁改未申告"}
    assert page.post(url, data).status_code == 302
    assert page.post(url, data).status_code == 302  # twice: one record, one violation
    work = PlannedWork.objects.get(incident=incident)
    assert work.state == "unannounced" and work.owning_department == branch
    violation = Violation.objects.get(rule__code="planned-work-unannounced")
    assert violation.department == branch
    # someone else's department may not say so
    page.force_login(demo["jl_contact"])
    page.post(url, data)
    assert PlannedWork.objects.filter(incident=incident).count() == 1


# --- complaints in the window ----------------------------------------------------------------


def test_complaints_in_its_city_and_line_during_the_window_are_linked(approved, register, demo):
    work = approved()
    register(title="将来的割接", starts_at=timezone.now() + timedelta(days=2),
             ends_at=timezone.now() + timedelta(days=2, hours=1))  # fmt: skip
    linked = take(demo)
    other_city = take(demo, city=City.objects.get(code="JL"), customer_phone="13912345678")
    other_line = take(demo, business_line="billing", customer_phone="13712345678")
    assert linked.planned_work == work
    assert other_city.planned_work is None and other_line.planned_work is None
    assert linked.timeline.get(kind="created").payload == {"planned_work": work.number}
    results = cs.complaint_bulk_create(
        actor=demo["hotline1"],
        api_key=None,
        items=[hotline_intake(customer_phone=f"1360000{i:04d}") for i in range(3)],
    )
    assert work.complaints.filter(pk__in=[r["id"] for r in results]).count() == 3


def test_intake_holds_the_announced_works_and_sees_each_change(
    approved, demo, django_assert_num_queries
):
    """Intake reads the announced works once and holds them (core.reference): a window
    that opens while they are held is seen to the second, and an approval or a change of
    cities in this process is seen at the next intake."""
    now = timezone.now()
    work = approved(starts_at=now + timedelta(minutes=10), ends_at=now + timedelta(hours=1))
    assert take(demo).planned_work is None  # not yet open; the works are held from here
    with django_assert_num_queries(0):
        assert planned_work_open_now(timezone.now()) == []
    with time_machine.travel(work.starts_at + timedelta(seconds=1), tick=False):
        with django_assert_num_queries(0):
            assert planned_work_open_now(timezone.now()) == [work]
        assert take(demo).planned_work == work
        work.cities.set(City.objects.filter(code="JL"))
        assert take(demo).planned_work is None
        assert take(demo, city=City.objects.get(code="JL")).planned_work == work
        later = approved(starts_at=timezone.now() - timedelta(minutes=1), cities=("SP",))
        assert take(demo, city=City.objects.get(code="SP")).planned_work == later
    with time_machine.travel(now + timedelta(hours=3), tick=False):  # the clock was set
        assert take(demo, city=City.objects.get(code="JL")).planned_work is None


def test_no_link_before_the_window_or_to_work_not_approved(register, demo):
    register()  # submitted, not approved
    assert take(demo).planned_work is None


def test_linked_complaints_raise_no_incident_level_unless_the_work_overruns(
    approved, make_incident, demo
):
    work = approved(business_lines=["billing"])
    incident = make_incident(cities=(), business_line="billing")
    for i in range(6):  # more than 5 escalated in a week: yellow, were they counted
        take(
            demo,
            business_line="billing",
            escalation="city_authority",
            incident=incident,
            customer_phone=f"1390000{i:04d}",
        )
    incident.refresh_from_db()
    assert incident.complaints.count() == 6 and incident.level == "none"
    # done after its window closed: it overran, and its complaints count after all
    with time_machine.travel(work.ends_at + timedelta(minutes=30), tick=True):
        services.planned_work_complete(work_id=work.pk, actor=demo["net_contact"])
    incident.refresh_from_db()
    assert incident.level == "yellow"


def test_work_left_undone_past_its_window_counts_its_complaints_once(approved, make_incident, demo):
    work = approved(business_lines=["billing"])
    incident = make_incident(cities=(), business_line="billing")
    for i in range(6):
        take(
            demo,
            business_line="billing",
            escalation="city_authority",
            incident=incident,
            customer_phone=f"1390000{i:04d}",
        )
    assert services.planned_work_overruns_sweep() == 0  # its window is still open
    with time_machine.travel(work.ends_at + timedelta(minutes=1), tick=True):
        # nobody reported it done: the sweep (beat, every minute) finds it overran
        assert services.planned_work_overruns_sweep() == 1
        assert services.planned_work_overruns_sweep() == 0  # once
        incident.refresh_from_db()
        assert incident.level == "yellow"
        counted = incident.daily_counts.aggregate(n=Sum("complaints"))["n"]
        # reported done later still: counted already, not a second time
        services.planned_work_complete(work_id=work.pk, actor=demo["net_contact"])
    incident.refresh_from_db()
    assert incident.daily_counts.aggregate(n=Sum("complaints"))["n"] == counted == 6
    assert work.timeline.filter(kind="overrun").count() == 1


def test_work_done_in_time_keeps_its_complaints_uncounted(approved, make_incident, demo):
    work = approved(business_lines=["billing"])
    complaints = [
        take(
            demo,
            business_line="billing",
            escalation="city_authority",
            customer_phone=f"1390000{i:04d}",
        )
        for i in range(6)
    ]
    services.planned_work_complete(work_id=work.pk, actor=demo["net_contact"])
    assert take(demo, business_line="billing").planned_work is None  # done: explains no more
    incident = make_incident(cities=(), business_line="billing")
    cs.complaints_link(
        complaint_ids=[c.pk for c in complaints], incident_id=incident.pk, actor=demo["cs_contact"]
    )
    incident.refresh_from_db()
    assert incident.complaints.count() == 6 and incident.level == "none"


def test_a_wave_explained_by_announced_work_is_no_mass_complaint_unless_it_overruns(approved, demo):
    work = approved()
    for i in range(20):
        take(demo, customer_phone=f"1370000{i:04d}")
    assert cs.complaints_detect_mass() == 0
    assert not MassComplaintCluster.objects.exists()
    late = work.ends_at + timedelta(minutes=1)  # still not done after its window: overran
    PlannedWork.objects.filter(pk=work.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert late  # the window closed; the complaints are within the rule's hour
    assert cs.complaints_detect_mass() == 20


# --- the hotline console --------------------------------------------------------------------


def test_the_console_shows_open_work_of_the_callers_city(approved, demo, client):
    work = approved()
    client.force_login(demo["hotline1"])
    console = client.get(reverse("complaints:console"))
    assert b'id="planned-work-banner"' in console.content
    url = reverse("complaints:console-planned-work")
    shown = client.post(url, {"city": City.objects.get(code="CC").pk})
    assert work.number in shown.content.decode() and "朝阳区4G数据业务中断约30分钟" in (
        shown.content.decode()
    )
    elsewhere = client.post(url, {"city": City.objects.get(code="JL").pk})
    assert work.number not in elsewhere.content.decode()
    client.force_login(demo["net_contact"])  # the console is the hotline's
    assert client.post(url, {"city": City.objects.get(code="CC").pk}).status_code == 403


# --- REST with an API key scoped to planned work ---------------------------------------------


def payload(**overrides):
    now = timezone.now()
    data = {
        "external_id": "NMS-1",
        "title": "吉林市OLT升级",
        "kind": "upgrade",
        "cities": ["JL"],
        "districts": "船营区",
        "business_lines": ["network"],
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1, hours=3)).isoformat(),
        "customer_impact": "宽带中断2小时",
        "customers_affected": 1200,
    }
    data.update(overrides)
    return data


def test_a_network_management_system_submits_with_its_scoped_key(demo):
    net = Department.objects.get(code="NET")
    _key, raw = api_key_create(name="网管系统", department=net, scopes=["planned_work"])
    system = APIClient()
    system.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    created = system.post("/api/v1/planned-work/", payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "submitted" and body["owning_department"] == "NET"
    assert body["late"] == "" and body["cities"] == ["JL"]
    assert [w["id"] for w in system.get("/api/v1/planned-work/").json()["results"]] == [body["id"]]
    assert system.get(f"/api/v1/planned-work/{body['id']}/").status_code == 200
    # the key does not approve (only the customer-service department does)
    refused = system.post(f"/api/v1/planned-work/{body['id']}/approve/", {}, format="json")
    assert refused.status_code == 403
    bad = system.post(
        "/api/v1/planned-work/", payload(ends_at=payload()["starts_at"]), format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "ends_at"


def test_a_key_of_another_scope_is_refused(demo):
    _key, raw = api_key_create(name="工单系统", scopes=["intake"])
    system = APIClient()
    system.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    refused = system.post("/api/v1/planned-work/", payload(), format="json")
    assert refused.status_code == 403
    assert "planned_work" in refused.json()["errors"][0]["detail"]
    assert not PlannedWork.objects.exists()
    assert system.get("/api/v1/planned-work/").status_code == 403


# --- who sees which ----------------------------------------------------------------------------


def test_departments_see_their_own_and_what_is_announced_to_them(register, approved, demo):
    from maintenance.selectors import planned_work_list

    pending = register(title="待审批", cities=("JL",))
    announced = approved()

    def seen(username):
        works = list(planned_work_list(user=demo[username]))
        assert len(works) == len(set(works))  # one row each, however many it was told to
        return set(works)

    assert seen("net_contact") >= {pending, announced}  # its own
    assert seen("csc_contact") >= {pending, announced}  # customer service sees all
    assert seen("manager") >= {pending, announced}
    assert seen("cc_contact") == {announced}  # announced to the Changchun branch
    assert seen("jl_contact") == set()  # not announced yet
    assert seen("mkt_contact") == set()
    client = Client()
    client.force_login(demo["net_contact"])
    assert client.get(announced.get_absolute_url()).status_code == 200
    client.force_login(demo["jl_contact"])
    assert client.get(pending.get_absolute_url()).status_code == 404


# --- pages --------------------------------------------------------------------------------------


def test_register_from_the_form_and_act_on_the_page(demo, client):
    client.force_login(demo["net_contact"])
    assert client.get(reverse("maintenance:list")).status_code == 200
    form = client.get(reverse("maintenance:new"))
    assert form.status_code == 200 and b'type="datetime-local"' in form.content
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(
        reverse("maintenance:new"),
        {
            "title": "四平机房电源改造",
            "kind": "cable_box",
            "cities": [City.objects.get(code="SP").pk],
            "business_lines": ["network", "enterprise_product"],
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "customer_impact": "集团专线闪断",
            "customers_affected": 40,
            "owning_department": Department.objects.get(code="NET").pk,
            "submit": "on",
        },
    )
    work = PlannedWork.objects.get()
    assert response.status_code == 302 and work.state == "submitted"
    client.force_login(demo["cs_contact"])
    detail = client.get(work.get_absolute_url())
    assert b'data-action="approve"' in detail.content
    client.post(reverse("maintenance:act", args=[work.pk, "approve"]), {"approve-note": "同意"})
    work.refresh_from_db()
    assert work.state == "approved"
    client.force_login(demo["manager"])  # told nothing, so the page names it only in the list
    listed = client.get(reverse("maintenance:list"), {"state": "approved", "city": "SP"})
    assert work.number in listed.content.decode()
    assert (
        work.number not in client.get(reverse("maintenance:list"), {"city": "JL"}).content.decode()
    )
