"""Every transition of the incident workflow: allowed, refused from the wrong state (409),
forbidden for the wrong person (403) — through the API, as the roles use it."""

from datetime import timedelta
from typing import NamedTuple

import pytest
from django.db import connection
from django.utils import timezone

from incidents import services
from incidents.models import Incident, Submission, TimelineEvent
from tests.concurrency import at_once

from .conftest import drive

pytestmark = pytest.mark.django_db

NOW = timezone.now


def post(client, user, incident, action, data=None):
    client.force_authenticate(user)
    return client.post(f"/api/v1/incidents/{incident.pk}/{action}/", data or {}, format="json")


TEXT = {"text": "请一线按口径解释：故障已定位，预计两小时内恢复。"}
ROOT_CAUSE = {"root_cause": "传输板卡故障", "handling_plan": "逐一回访，减免当日流量费"}
RESOLUTION = {"cause_and_result": "更换板卡，业务恢复"}


class Case(NamedTuple):
    action: str
    start: str  # the state it starts from ("submitted": handling, with every submission made;
    # "improved": improving, with what closing needs)
    payload: dict
    allowed: str  # who may
    forbidden: str  # who may see the incident but may not do this
    wrong_state: str  # a state that refuses it
    end: str


PLANE = {"mode": "plane", "assignments": [{"department": "MKT", "assignment": "准备资费补偿方案"}]}
TRANSITIONS = [
    Case("publish", "classified", {}, "cs_contact", "net_contact", "handling", "dispatched"),
    Case("acknowledge", "dispatched", {}, "net_contact", "cs_leader", "classified", "handling"),
    Case("submit_explanation", "handling", TEXT, "net_contact", "cs_contact", "dispatched", "handling"),
    Case("submit_root_cause", "handling", ROOT_CAUSE, "net_leader", "hotline1", "dispatched", "handling"),
    Case("report_leadership", "handling", TEXT, "net_contact", "csc_contact", "classified", "handling"),
    Case("resolve", "submitted", RESOLUTION, "net_contact", "manager", "dispatched", "resolved"),
    Case("start_improvement", "resolved", {}, "net_contact", "cs_contact", "handling", "improving"),
    Case("close", "improved", {}, "manager", "net_contact", "resolved", "closed"),
    Case("cancel", "dispatched", {"reason": "withdrawn"}, "cs_contact", "net_contact", "closed", "cancelled"),
    Case("classify", "classified", {"level": "red", "reason": "央视已曝光"}, "cs_contact", "net_contact", "closed", "classified"),
    Case("change_owner", "dispatched", {"department": "DATA", "reason": "计费系统问题"}, "manager", "net_contact", "resolved", "dispatched"),
    Case("escalate", "handling", PLANE, "net_contact", "cs_leader", "resolved", "handling"),
]  # fmt: skip


STATE_OF = {"submitted": "handling", "improved": "improving"}


def at_state(make_incident, demo, state):
    incident = make_incident()
    return drive(incident, demo, state) if state != "classified" else incident


def payload(case):
    if case.action == "resolve":
        return {**case.payload, "restored_at": NOW().isoformat()}
    return case.payload


@pytest.mark.parametrize("case", TRANSITIONS, ids=[case.action for case in TRANSITIONS])
class TestTransition:
    def test_allowed(self, make_incident, demo, api_client, case):
        incident = at_state(make_incident, demo, case.start)
        before = incident.timeline.count()
        response = post(api_client, demo[case.allowed], incident, case.action, payload(case))
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == case.end
        assert incident.timeline.count() > before
        assert incident.timeline.order_by("-id").first().actor == demo[case.allowed]

    def test_forbidden(self, make_incident, demo, api_client, case):
        incident = at_state(make_incident, demo, case.start)
        response = post(api_client, demo[case.forbidden], incident, case.action, payload(case))
        assert response.status_code == 403, response.json()
        incident.refresh_from_db()
        assert incident.state == STATE_OF.get(case.start, case.start)

    def test_refused_from_the_wrong_state(self, make_incident, demo, api_client, case):
        incident = at_state(make_incident, demo, case.wrong_state)
        response = post(api_client, demo[case.allowed], incident, case.action, payload(case))
        assert response.status_code == 409, response.json()
        assert response.json()["errors"][0]["code"] == "invalid_state"
        incident.refresh_from_db()
        assert incident.state == case.wrong_state


HQ = {"source": "hq", "hq_level": "level2"}


@pytest.mark.parametrize("action", ["report_hq_feedback", "submit_hq_plan"])
def test_hq_submissions(make_incident, demo, api_client, action):
    hq = drive(make_incident(**HQ), demo, "handling")
    assert post(api_client, demo["net_contact"], hq, action, TEXT).status_code == 200
    assert post(api_client, demo["cs_contact"], hq, action, TEXT).status_code == 403
    provincial = drive(make_incident(), demo, "handling")
    refused = post(api_client, demo["net_contact"], provincial, action, TEXT)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "conditions_not_met"
    early = make_incident(**HQ)  # classified: not yet the owner's to report on
    assert post(api_client, demo["net_contact"], early, action, TEXT).status_code in (403, 409)


def test_resolve_refuses_without_the_required_submissions(make_incident, demo, api_client):
    incident = drive(make_incident(**HQ), demo, "handling")
    services.incident_submit(
        incident_id=incident.pk, actor=demo["net_contact"], kind="explanation", content=TEXT
    )
    resolution = {**RESOLUTION, "restored_at": NOW().isoformat()}
    response = post(api_client, demo["net_contact"], incident, "resolve", resolution)
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert error["code"] == "submissions_missing"
    incident.refresh_from_db()
    assert incident.state == "handling"
    assert not Submission.objects.filter(incident=incident, kind="resolution").exists()


def test_resolve_names_the_missing_clear(make_incident, demo, api_client):
    incident = drive(make_incident(), demo, "submitted")
    response = post(
        api_client, demo["net_contact"], incident, "resolve", {"restored_at": NOW().isoformat()}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cause_and_result"


def test_red_and_orange_need_the_leadership_report(make_incident, demo):
    orange = make_incident(cities=("CC", "JL", "SP"))
    assert orange.level == "orange"
    from incidents.workflow import required_before_resolving

    assert "leadership_report" in required_before_resolving(orange)
    assert "leadership_report" not in required_before_resolving(make_incident())


def test_submissions_are_versioned(make_incident, demo, api_client):
    incident = drive(make_incident(), demo, "handling")
    post(api_client, demo["net_contact"], incident, "submit_explanation", TEXT)
    post(api_client, demo["net_contact"], incident, "submit_explanation", {"text": "更新后的口径"})
    versions = api_client.get(f"/api/v1/incidents/{incident.pk}/submissions/").json()
    assert [(v["kind"], v["version"]) for v in versions] == [("explanation", 2), ("explanation", 1)]
    assert versions[0]["content"] == {"text": "更新后的口径"}
    assert versions[0]["author"] == "net_contact"


def test_lowering_a_level_needs_the_working_group(make_incident, demo, api_client):
    incident = make_incident(cities=("CC", "JL", "SP"))  # orange
    lower = {"level": "yellow", "reason": "实际只影响长春"}
    # the CS leader may classify, but lowering is the working group's decision
    assert post(api_client, demo["cs_leader"], incident, "classify", lower).status_code == 403
    response = post(api_client, demo["manager"], incident, "classify", lower)
    assert response.status_code == 200 and response.json()["level"] == "yellow"
    without_reason = post(
        api_client, demo["manager"], incident, "classify", {"level": "red", "reason": ""}
    )
    assert without_reason.status_code == 400
    assert without_reason.json()["errors"][0]["attr"] == "reason"


def test_level_history_is_kept(make_incident, demo):
    incident = make_incident(cities=("CC",))
    services.incident_classify(
        incident_id=incident.pk, actor=demo["cs_contact"], level="red", reason="央视曝光"
    )
    history = list(
        incident.timeline.filter(kind="level").values_list("payload", "action", "reason")
    )
    assert [(p["from"], p["to"], a) for p, a, _r in history] == [
        ("none", "yellow", "automatic"),
        ("yellow", "red", "manual"),
    ]
    assert history[1][2] == "央视曝光"


def test_a_received_incident_without_any_level_waits_for_a_person(make_incident, demo):
    incident = make_incident(cities=(), customers_affected=10, business_line="billing")
    assert (incident.state, incident.level) == ("received", "none")
    services.incident_classify(
        incident_id=incident.pk, actor=demo["cs_contact"], level="yellow", reason="多地反映"
    )
    incident.refresh_from_db()
    assert (incident.state, incident.level) == ("classified", "yellow")


def test_complaint_counts_raise_the_level_at_once(make_incident, demo):
    incident = make_incident(cities=(), customers_affected=0, business_line="billing")
    today = timezone.localdate()
    services.incident_counts_add(incident_id=incident.pk, day=today, complaints=100)
    incident.refresh_from_db()
    assert incident.level == "none"
    services.incident_counts_add(incident_id=incident.pk, day=today, complaints=1)  # the 101st
    incident.refresh_from_db()
    assert incident.level == "yellow"
    services.incident_counts_add(incident_id=incident.pk, day=today, complaints=200)  # 301st
    incident.refresh_from_db()
    assert incident.level == "orange"
    # yesterday's complaints do not count towards today's figure
    services.incident_counts_add(
        incident_id=incident.pk, day=today - timedelta(days=1), complaints=500
    )
    incident.refresh_from_db()
    assert incident.level == "orange"


def test_escalated_complaints_per_week(make_incident, demo):
    incident = make_incident(cities=(), business_line="billing")
    today = timezone.localdate()
    for days_ago in (0, 2, 4):
        services.incident_counts_add(
            incident_id=incident.pk, day=today - timedelta(days=days_ago), escalated=2
        )
    incident.refresh_from_db()
    assert incident.level == "yellow"  # 6 escalated this week (> 5)
    assert incident.level_reasons[0]["factor"] == "escalated_per_week"


def test_media_and_legal_involvement_bring_in_cooperating_departments(make_incident, demo):
    incident = make_incident(publicity="may_attract", legal_involved=True)
    assert set(incident.cooperations.values_list("department__code", "reason")) == {
        ("GO", "media"),
        ("LEGAL", "legal"),
    }


def test_line_escalation_brings_in_the_line_head(make_incident, demo, api_client):
    incident = drive(
        make_incident(owning_department=demo["cc_contact"].profile.department), demo, "handling"
    )
    demo["net_leader"].profile.language = "en"
    demo["net_leader"].profile.save()
    response = post(api_client, demo["cc_contact"], incident, "escalate", {"mode": "line"})
    assert response.status_code == 200
    assert response.json()["handling_mode"] == "line"
    assert [c["department"] for c in response.json()["cooperating_departments"]] == ["NET"]
    # the line head is told at once, in its inbox
    from notifications.models import Notification

    told = Notification.objects.filter(kind="incident.joined", link=incident.get_absolute_url())
    subjects = {n.recipient.username: n.subject for n in told}
    assert subjects.keys() == {"net_contact", "net_leader"}
    assert subjects["net_contact"].startswith("网络") and " 加入处理 " in subjects["net_contact"]
    assert subjects["net_leader"].startswith("Network") and " joins " in subjects["net_leader"]
    again = post(api_client, demo["cc_contact"], incident, "escalate", {"mode": "line"})
    assert again.status_code == 409


def test_plane_escalation_needs_written_assignments(make_incident, demo, api_client):
    incident = drive(make_incident(), demo, "handling")
    response = post(
        api_client, demo["net_contact"], incident, "escalate",
        {"mode": "plane", "assignments": [{"department": "MKT", "assignment": ""}]},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"].startswith("assignments")


def test_change_owner_after_acknowledgment_needs_a_new_acknowledgment(
    make_incident, demo, api_client
):
    incident = drive(make_incident(), demo, "handling")
    response = post(
        api_client,
        demo["cs_contact"],
        incident,
        "change_owner",
        {"department": "DATA", "reason": "计费侧问题"},
    )
    assert response.json()["state"] == "dispatched"
    assert response.json()["owning_department"] == "DATA"
    assert post(api_client, demo["data_contact"], incident, "acknowledge").status_code == 200


def test_a_duplicate_is_merged_into_another_incident(make_incident, demo, api_client):
    first, second = make_incident(), make_incident()
    response = post(
        api_client,
        demo["cs_contact"],
        second,
        "cancel",
        {"reason": "duplicate", "merged_into": first.pk},
    )
    assert response.status_code == 200
    assert response.json()["merged_into"] == first.number
    missing = post(
        api_client, demo["cs_contact"], make_incident(), "cancel", {"reason": "duplicate"}
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "merged_into"


def test_the_timeline_is_append_only(make_incident):
    incident = make_incident()
    event = incident.timeline.first()
    event.reason = "改写历史"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        TimelineEvent.objects.filter(incident=incident).update(reason="x")
    with pytest.raises(TypeError):
        TimelineEvent.objects.filter(incident=incident).delete()


def test_state_cannot_be_set_by_hand(make_incident):
    incident = make_incident()
    with pytest.raises(AttributeError):
        incident.state = "closed"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_publishes_apply_once(make_incident, demo):
    """On PostgreSQL: the row lock serialises them; the second sees `dispatched` → 409."""
    from rest_framework.test import APIClient

    assert connection.vendor == "postgresql"
    incident = make_incident()

    def publish():
        client = APIClient()
        client.force_authenticate(demo["cs_contact"])
        return client.post(f"/api/v1/incidents/{incident.pk}/publish/").status_code

    assert sorted(at_once(publish)) == [200, 409]
    assert Incident.objects.get(pk=incident.pk).state == "dispatched"
    assert TimelineEvent.objects.filter(incident=incident, action="publish").count() == 1
