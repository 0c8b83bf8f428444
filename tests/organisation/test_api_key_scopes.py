"""API keys act within explicit scopes (REST contract): `intake` submits and reads back what
it submitted, `department` reads and acts on its department's records as its interface person
would, `province` reads everything and the metrics and writes nothing. A request outside the
key's scopes is a 403 naming the scope it lacks, and creates nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services as complaint_services
from complaints.models import Complaint
from core.models import IdempotencyRecord
from incidents import services
from incidents.models import Incident
from organisation.api.permissions import KeyScoped
from organisation.demo import seed_demo
from organisation.models import ApiKey, City, Department
from organisation.selectors import user_api_key, user_has_role
from organisation.services import api_key_create
from tests.complaints.test_complaints import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    seed_demo()
    return {user.username: user for user in User.objects.select_related("profile__department")}


@pytest.fixture
def client_for():
    """An API client of a new key: ``client_for("intake")``, ``client_for("department",
    department="NET")``; the client's ``key`` is the key row."""

    def make(*scopes, department=None, name="system"):
        key, raw = api_key_create(
            name=name,
            department=Department.objects.get(code=department) if department else None,
            scopes=scopes,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        client.key = key
        return client

    return make


def incident(demo, owner="NET", actor="cs_contact", **facts):
    """An incident owned by ``owner``; ``actor=None``: reported by the newest API key."""
    facts.setdefault("title", "长春地区4G数据业务中断")
    facts.setdefault("business_line", "network")
    facts.setdefault("source", "business_risk")
    facts.setdefault("occurred_at", timezone.now() - timedelta(minutes=30))
    return services.incident_create(
        actor=demo[actor] if actor else ApiKey.objects.latest("created").user,
        cities=list(City.objects.filter(code="CC")),
        owning_department=Department.objects.get(code=owner),
        **facts,
    )


def complaint(demo, department=None, **overrides):
    """A complaint taken by the hotline; dispatched to ``department`` when given."""
    taken = complaint_services.complaint_create(actor=demo["hotline1"], **body(**overrides))
    if department:
        complaint_services.complaint_dispatch(
            complaint_id=taken.pk,
            actor=demo["hotline1"],
            department=Department.objects.get(code=department),
        )
    return taken


def complaint_body(**overrides):
    return {
        "customer_name": "李女士",
        "customer_phone": "13900001111",
        "customer_account": "1390000111",
        "city": "JL",
        "address": "吉林市船营区",
        "business_line": "billing",
        "description": "本月账单多扣 20 元。",
        **overrides,
    }


def incident_body(**overrides):
    return {
        "title": "吉林市 4G 数据业务中断",
        "business_line": "network",
        "source": "business_risk",
        "cities": ["JL"],
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **overrides,
    }


def refused(response, *scopes):
    """A 403 whose detail names the scopes the key lacks."""
    assert response.status_code == 403, response.json()
    error = response.json()["errors"][0]
    assert error["code"] == "permission_denied"
    for scope in scopes:
        assert scope in error["detail"]
    return error["detail"]


def ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


# --- the defects ------------------------------------------------------------------------------


def test_a_key_without_a_department_lists_no_undispatched_complaints(demo, client_for):
    undispatched = complaint(demo)
    assert undispatched.department is None
    key = client_for()  # the default of a key without a department: intake
    assert key.key.scopes == ["intake"]
    listed = key.get("/api/v1/complaints/")
    assert ids(listed) == set()
    assert key.get(f"/api/v1/complaints/{undispatched.pk}/").status_code == 404


def test_a_key_without_a_department_gets_no_province_metrics(demo, client_for):
    key = client_for()
    for figure in ("overview", "trends", "departments"):
        refused(key.get(f"/api/v1/metrics/{figure}/"), "department", "province")


@pytest.fixture
def centre(demo, client_for):
    """The key of a city's customer-service centre: it links complaints to incidents, and
    sees its own department's records only."""
    Department.objects.create(
        code="CSC-CC", name_zh="长春客服中心", name_en="Changchun CS centre", kind="cs_centre"
    )
    return client_for(department="CSC-CC")


def test_a_department_key_cannot_link_to_an_incident_it_cannot_see(demo, centre):
    theirs = incident(demo, owner="MKT", business_line="billing")
    assert centre.get(f"/api/v1/incidents/{theirs.pk}/").status_code == 404
    ours = centre.post("/api/v1/complaints/", complaint_body(), format="json").json()

    response = centre.post(
        "/api/v1/complaints/link/",
        {"incident": theirs.pk, "complaints": [ours["id"]]},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["attr"] == "incident"
    assert Complaint.objects.get(pk=ours["id"]).incident is None
    assert not theirs.complaints.exists()
    assert not theirs.daily_counts.exists()


def test_missing_closed_and_foreign_incidents_get_one_answer_when_linking(demo, centre):
    ours = centre.post("/api/v1/complaints/", complaint_body(), format="json").json()
    foreign = incident(demo, owner="MKT", business_line="billing")
    # reported by the centre itself, so it sees it; out of scope, so closed at once
    closed = incident(demo, owner="NET", actor=None, out_of_scope="natural_disaster")
    assert closed.state == "cancelled"
    assert centre.get(f"/api/v1/incidents/{closed.pk}/").status_code == 200
    missing = Incident.objects.order_by("-pk").first().pk + 1000

    answers = []
    for target in (missing, closed.pk, foreign.pk):
        response = centre.post(
            "/api/v1/complaints/link/",
            {"incident": target, "complaints": [ours["id"]]},
            format="json",
        )
        answers.append((response.status_code, response.json()))

    assert answers[0] == answers[1] == answers[2], answers
    status, body = answers[0]
    assert status == 400
    assert body["errors"] == [
        {"code": "does_not_exist", "detail": body["errors"][0]["detail"], "attr": "incident"}
    ]
    assert Complaint.objects.get(pk=ours["id"]).incident is None


def test_a_complaint_cannot_be_posted_onto_an_incident_its_key_cannot_see(demo, client_for):
    net = client_for(department="NET")
    theirs = incident(demo, owner="MKT", business_line="billing")
    response = net.post("/api/v1/complaints/", complaint_body(incident=theirs.pk), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "incident"
    bulk = net.post(
        "/api/v1/complaints/bulk/", {"items": [complaint_body(incident=theirs.pk)]}, format="json"
    )
    assert [item["status"] for item in bulk.json()] == [400]
    assert not Complaint.objects.exists()


def test_an_intake_key_creates_an_incident_and_reads_it_back(demo, client_for):
    key = client_for()
    response = key.post("/api/v1/incidents/", incident_body(), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["created_by"] == key.key.user.username
    assert key.get(f"/api/v1/incidents/{created['id']}/").json()["number"] == created["number"]
    assert ids(key.get("/api/v1/incidents/")) == {created["id"]}


def test_an_incident_whose_answer_fails_is_not_left_behind(demo, client_for, monkeypatch):
    from incidents.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("the answer cannot be rendered")

    monkeypatch.setattr(views.IncidentViewSet, "get_serializer", broken)
    key = client_for(department="NET")
    key.raise_request_exception = False
    response = key.post("/api/v1/incidents/", incident_body(), format="json")
    assert response.status_code == 500
    assert not Incident.objects.exists()


# --- intake -----------------------------------------------------------------------------------


def test_an_intake_key_reads_back_only_what_it_submitted(demo, client_for):
    key, other = client_for(name="crm"), client_for(name="billing")
    mine = key.post("/api/v1/complaints/", complaint_body(), format="json").json()
    other.post("/api/v1/complaints/", complaint_body(), format="json")
    complaint(demo, department="NET")
    assert ids(key.get("/api/v1/complaints/")) == {mine["id"]}
    assert mine["customer_phone"] == "13900001111"  # its own, in full

    own = key.post("/api/v1/incidents/", incident_body(), format="json").json()
    other.post("/api/v1/incidents/", incident_body(), format="json")
    someone_elses = incident(demo)
    assert ids(key.get("/api/v1/incidents/")) == {own["id"]}
    assert key.get(f"/api/v1/incidents/{someone_elses.pk}/").status_code == 404
    assert key.get(f"/api/v1/incidents/{own['id']}/timeline/").status_code == 200

    # its complaint may join its own incident, at intake
    linked = key.post("/api/v1/complaints/", complaint_body(incident=own["id"]), format="json")
    assert linked.status_code == 201 and linked.json()["incident"] == own["id"]


def test_an_intake_key_is_refused_everything_else_naming_the_scope(demo, client_for):
    key = client_for()
    own = key.post("/api/v1/incidents/", incident_body(), format="json").json()
    taken = key.post("/api/v1/complaints/", complaint_body(), format="json").json()

    refused(key.post(f"/api/v1/incidents/{own['id']}/publish/"), "department")
    refused(key.patch(f"/api/v1/incidents/{own['id']}/", {"title": "x"}), "department")
    refused(
        key.post(
            "/api/v1/complaints/link/",
            {"incident": own["id"], "complaints": [taken["id"]]},
            format="json",
        ),
        "department",
    )
    refused(key.post(f"/api/v1/complaints/{taken['id']}/contact/", {}), "department")
    for path in ("alerts", "violations", "action-items", "metrics/overview"):
        detail = refused(key.get(f"/api/v1/{path}/"), "department", "province")
    assert "intake" not in detail
    assert key.get("/api/v1/departments/").status_code == 200
    assert key.get("/api/v1/cities/").status_code == 200
    assert Incident.objects.get(pk=own["id"]).title == incident_body()["title"]


# --- department -------------------------------------------------------------------------------


def test_a_department_key_reads_its_departments_records_only(demo, client_for):
    net = client_for(department="NET")
    assert net.key.scopes == ["department"]
    ours, theirs = incident(demo, owner="NET"), incident(demo, owner="MKT", business_line="billing")
    assert ids(net.get("/api/v1/incidents/")) == {ours.pk}
    assert net.get(f"/api/v1/incidents/{theirs.pk}/").status_code == 404

    handled, elsewhere, undispatched = (
        complaint(demo, department="NET"),
        complaint(demo, department="MKT"),
        complaint(demo),
    )
    listed = ids(net.get("/api/v1/complaints/"))
    assert handled.pk in listed
    assert not listed & {elsewhere.pk, undispatched.pk}
    assert net.get("/api/v1/metrics/overview/").status_code == 200


def test_a_department_key_acts_as_its_interface_person(demo, client_for):
    net = client_for(department="NET")
    ours = incident(demo, owner="NET")
    services.incident_publish(incident_id=ours.pk, actor=demo["cs_contact"])
    assert user_has_role(net.key.user, "interface_person")

    response = net.post(f"/api/v1/incidents/{ours.pk}/acknowledge/")

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "handling"
    handled = complaint(demo, department="NET")
    linked = net.post(
        "/api/v1/complaints/link/", {"incident": ours.pk, "complaints": [handled.pk]}, format="json"
    )
    assert linked.json() == {"incident": ours.pk, "linked": 1}


def test_the_department_scope_needs_a_department():
    with pytest.raises(ValidationError) as error:
        api_key_create(name="x", scopes=["department"])
    assert "scopes" in error.value.message_dict
    assert not ApiKey.objects.exists()


# --- province ---------------------------------------------------------------------------------


def test_a_province_key_reads_everything_and_writes_nothing(demo, client_for):
    province = client_for("province", name="reporting")
    records = {
        incident(demo, owner="NET").pk,
        incident(demo, owner="MKT", business_line="billing").pk,
    }
    taken = {complaint(demo).pk, complaint(demo, department="MKT").pk}
    assert ids(province.get("/api/v1/incidents/")) == records
    listed = province.get("/api/v1/complaints/").json()["results"]
    assert {row["id"] for row in listed} == taken
    assert {row["customer_phone"] for row in listed} == {"138****5678"}  # masked
    for figure in ("overview", "trends", "departments"):
        assert province.get(f"/api/v1/metrics/{figure}/").status_code == 200
    assert province.get("/api/v1/alerts/").status_code == 200
    assert province.get("/api/v1/violations/").status_code == 200

    refused(
        province.post(
            "/api/v1/incidents/", incident_body(), format="json", HTTP_IDEMPOTENCY_KEY="r-1"
        ),
        "intake",
        "department",
    )
    refused(province.post("/api/v1/complaints/", complaint_body(), format="json"), "intake")
    refused(province.post("/api/v1/complaints/bulk/", {"items": [complaint_body()]}, format="json"))
    some = next(iter(records))
    refused(province.post(f"/api/v1/incidents/{some}/publish/"), "department")
    refused(
        province.post(
            "/api/v1/complaints/link/",
            {"incident": some, "complaints": sorted(taken)},
            format="json",
        ),
        "department",
    )
    assert Incident.objects.count() == 2 and Complaint.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()
    assert Complaint.objects.filter(incident__isnull=False).count() == 0


def test_scopes_combine(demo, client_for):
    both = client_for("intake", "province", name="reporting and intake")
    assert both.post("/api/v1/complaints/", complaint_body(), format="json").status_code == 201
    refused(both.post(f"/api/v1/incidents/{incident(demo).pk}/publish/"), "department")
    assert len(ids(both.get("/api/v1/incidents/"))) == 1


# --- where the scopes live ----------------------------------------------------------------------


def test_every_api_resource_enforces_the_scopes():
    from config.api import router

    unscoped = [
        prefix for prefix, viewset, _ in router.registry if not issubclass(viewset, KeyScoped)
    ]
    assert unscoped == []


def test_the_command_prints_the_scopes_and_the_key_last(demo):
    out = StringIO()
    call_command("create_api_key", "reporting", "--scope", "intake", "province", stdout=out)
    lines = out.getvalue().splitlines()
    key = ApiKey.objects.get()
    assert key.scopes == ["intake", "province"]
    assert "Scopes: intake, province" in lines
    assert key.is_valid(lines[-1])

    out = StringIO()
    call_command("create_api_key", "monitoring", department="NET", stdout=out)
    assert "Scopes: department" in out.getvalue().splitlines()
    with pytest.raises(CommandError, match="department"):
        call_command("create_api_key", "x", "--scope", "department", stdout=StringIO())


def test_the_admin_shows_and_edits_the_scopes(demo, client):
    key, _raw = api_key_create(name="crm")
    client.force_login(demo["admin"])
    listing = client.get(reverse("admin:organisation_apikey_changelist"))
    assert "intake" in listing.content.decode()
    url = reverse("admin:organisation_apikey_change", args=[key.pk])
    page = client.get(url).content.decode()
    assert 'name="scopes"' in page and 'value="province"' in page

    data = {
        "name": "crm",
        "scopes": ["intake", "province"],
        "expiry_date_0": "",
        "expiry_date_1": "",
    }
    assert client.post(url, data).status_code == 302
    key.refresh_from_db()
    assert key.scopes == ["intake", "province"]

    no_department = client.post(url, {**data, "scopes": ["department"]})
    assert no_department.status_code == 200
    assert "scopes" in no_department.context["adminform"].form.errors
    key.refresh_from_db()
    assert key.scopes == ["intake", "province"]


def test_the_admin_creates_a_key_with_its_scopes(demo, client):
    client.force_login(demo["admin"])
    assert 'value="intake"' in client.get(reverse("admin:organisation_apikey_add")).content.decode()
    response = client.post(
        reverse("admin:organisation_apikey_add"),
        {"name": "reporting", "scopes": ["province"], "department": "", "expiry_date_0": ""},
    )
    assert response.status_code == 302
    assert ApiKey.objects.get().scopes == ["province"]


def test_a_key_request_reads_its_scopes_without_asking_the_database(demo, client_for):
    key = ApiKey.objects.select_related("user").get(pk=client_for().key.pk)
    user = key.user  # as the authentication reads it: the row carries its user, the user its key
    with CaptureQueriesContext(connection) as queries:
        assert user_api_key(user) == key
        assert user_has_role(user, "external_system")
    assert len(queries) == 0


def test_a_bulk_linking_one_incident_looks_it_up_once(demo, client_for):
    key = client_for()
    own = key.post("/api/v1/incidents/", incident_body(), format="json").json()

    def queries_for(count, tag):
        items = [complaint_body(external_id=f"{tag}-{n}", incident=own["id"]) for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            response = key.post("/api/v1/complaints/bulk/", {"items": items}, format="json")
        assert [item["status"] for item in response.json()] == [201] * count
        return [q["sql"] for q in queries if 'FROM "incidents_incident"' in q["sql"]]

    assert len(queries_for(2, "a")) == len(queries_for(20, "b"))


def test_the_schema_documents_the_scopes(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["ApiKey"]["description"]
    for scope in ("`intake`", "`department`", "`province`"):
        assert scope in scheme
    create = schema["paths"]["/api/v1/incidents/"]["post"]["description"]
    assert "`intake` or `department` scope" in create
    metrics = schema["paths"]["/api/v1/metrics/overview/"]["get"]["description"]
    assert "`department` or `province` scope" in metrics
    publish = schema["paths"]["/api/v1/incidents/{id}/publish/"]["post"]["description"]
    assert "API keys: `department` scope." in publish
