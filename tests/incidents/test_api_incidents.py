"""The incidents resource of the REST contract, as an external system and as people use it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident, TimelineEvent
from organisation.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitor(demo, api_client):
    """The network-monitoring system: an API key and nothing else."""
    from organisation.models import Department

    _key, raw = api_key_create(
        name="network monitoring", department=Department.objects.get(code="NET")
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return api_client


def body(**overrides):
    data = {
        "title": "吉林、四平、辽源三地 4G 数据业务中断",
        "business_line": "network",
        "source": "business_risk",
        "cities": ["JL", "SP", "LY"],
        "customers_affected": 12000,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    data.update(overrides)
    return data


def test_an_external_system_creates_an_incident_and_gets_its_level(monitor):
    response = monitor.post("/api/v1/incidents/", body(), format="json")
    assert response.status_code == 201, response.json()
    incident = response.json()
    # 3 cities → orange; 12,000 network customers → yellow (> 5,000); highest wins (表-1)
    assert incident["level"] == "orange"
    assert incident["state"] == "classified"
    reasons = {
        (r["factor"], r["level"], r["value"], r["threshold"]) for r in incident["level_reasons"]
    }
    assert reasons == {
        ("cities", "orange", 3, 3),
        ("cities", "yellow", 3, 1),
        ("customers_affected", "yellow", 12000, 5000),
    }
    assert incident["number"].startswith(f"INC-{timezone.localdate():%Y%m%d}-")
    assert incident["owning_department"] == "NET"
    assert incident["rule_set_version"] == 1
    assert incident["created_by"].startswith("system-")
    assert {"complaints_today", "escalated_today", "escalated_this_week"} <= incident.keys()


def test_numbers_count_up_per_day(monitor):
    first = monitor.post("/api/v1/incidents/", body(), format="json").json()["number"]
    second = monitor.post("/api/v1/incidents/", body(), format="json").json()["number"]
    assert int(second[-4:]) == int(first[-4:]) + 1


def test_same_idempotency_key_twice_creates_one_incident(monitor):
    data = body()
    first = monitor.post("/api/v1/incidents/", data, format="json", HTTP_IDEMPOTENCY_KEY="evt-42")
    again = monitor.post("/api/v1/incidents/", data, format="json", HTTP_IDEMPOTENCY_KEY="evt-42")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_a_409(monitor):
    monitor.post("/api/v1/incidents/", body(), format="json", HTTP_IDEMPOTENCY_KEY="evt-43")
    other = monitor.post(
        "/api/v1/incidents/", body(title="另一起"), format="json", HTTP_IDEMPOTENCY_KEY="evt-43"
    )
    assert other.status_code == 409
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"business_line": "weather"}, "business_line", "invalid_choice"),
        ({"cities": ["XX"]}, "cities", "does_not_exist"),
        ({"customers_affected": -1}, "customers_affected", "min_value"),
        ({"occurred_at": "yesterday"}, "occurred_at", "invalid"),
        ({"source": "hq"}, "hq_level", "invalid"),
        ({"hq_level": "level1"}, "hq_level", "invalid"),
        ({"title": ""}, "title", "blank"),
        ({"owning_department": "NOPE"}, "owning_department", "does_not_exist"),
        # times as hours before the test's now (not before collection: the clock may travel)
        ({"occurred_at": -1, "detected_at": -2}, "detected_at", "invalid"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_leaves_no_row(monitor, overrides, field, code):
    overrides = {
        name: (timezone.now() + timedelta(hours=value)).isoformat()
        if name.endswith("_at") and isinstance(value, int)
        else value
        for name, value in overrides.items()
    }
    response = monitor.post("/api/v1/incidents/", body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert errors[0]["attr"].split(".")[0] == field
    assert errors[0]["code"] == code
    assert not Incident.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_an_out_of_scope_event_is_recorded_and_cancelled(monitor):
    response = monitor.post(
        "/api/v1/incidents/", body(out_of_scope="natural_disaster"), format="json"
    )
    incident = response.json()
    assert incident["state"] == "cancelled"
    assert incident["cancel_reason"] == "natural_disaster"
    assert incident["level"] == "none"


def test_hotline_agents_cannot_report_incidents(demo, api_client):
    api_client.force_authenticate(demo["hotline1"])
    assert api_client.post("/api/v1/incidents/", body(), format="json").status_code == 403


def test_filters(make_incident, demo, api_client):
    make_incident(cities=("CC",))
    make_incident(cities=("JL", "SP", "LY", "TH", "BS"), business_line="value_added")
    api_client.force_authenticate(demo["manager"])

    def numbers(**params):
        return len(api_client.get("/api/v1/incidents/", params).json()["results"])

    assert numbers() == 2
    assert numbers(level="red") == 1
    assert numbers(level="yellow") == 1
    assert numbers(department="MKT") == 1
    assert numbers(city="CC") == 1
    assert numbers(state="classified") == 2
    assert numbers(business_line="network") == 1
    assert api_client.get("/api/v1/incidents/", {"level": "purple"}).status_code == 400


def test_a_department_sees_its_own_incidents_only(make_incident, demo, api_client):
    network = make_incident(business_line="network")
    marketing = make_incident(business_line="value_added")
    api_client.force_authenticate(demo["net_contact"])
    listed = [i["id"] for i in api_client.get("/api/v1/incidents/").json()["results"]]
    assert listed == [network.pk]
    assert api_client.get(f"/api/v1/incidents/{marketing.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/incidents/{marketing.pk}/acknowledge/").status_code == 404


def test_timeline_and_submissions_are_sub_resources(make_incident, demo, api_client):
    incident = make_incident()
    api_client.force_authenticate(demo["cs_contact"])
    timeline = api_client.get(f"/api/v1/incidents/{incident.pk}/timeline/").json()
    assert [e["kind"] for e in timeline] == ["created", "level", "transition"]
    assert timeline[1]["payload"]["to"] == "yellow"
    assert timeline[2]["to_state"] == "classified"
    assert api_client.get(f"/api/v1/incidents/{incident.pk}/submissions/").json() == []


def test_patching_facts_reclassifies_upwards(make_incident, demo, api_client):
    incident = make_incident(cities=("CC",))
    api_client.force_authenticate(demo["cs_contact"])
    response = api_client.patch(
        f"/api/v1/incidents/{incident.pk}/",
        {"cities": ["CC", "JL", "SP", "LY", "TH"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["level"] == "red"
    # fewer cities later: the level stays (automatic changes only go up)
    response = api_client.patch(
        f"/api/v1/incidents/{incident.pk}/", {"cities": ["CC"]}, format="json"
    )
    assert response.json()["level"] == "red"
    assert [r["factor"] for r in response.json()["level_reasons"]] == ["cities"]
