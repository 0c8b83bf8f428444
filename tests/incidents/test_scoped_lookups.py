"""Lookups and link checks reach only what the person may see (the scoping selectors), whatever
page or service they come through."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from accountability.models import AssessmentState, MonthlyAssessment
from complaints import services as cs
from complaints.models import Complaint, MassComplaintCluster
from organisation.models import City
from tests.complaints.test_complaints import body


@pytest.fixture
def foreign_incident(make_incident):
    """The network department's live incident: the Changchun branch cannot see it."""
    return make_incident(title="长春宽带大面积中断", cities=("CC",), business_line="network")


def test_linking_refuses_an_incident_the_person_cannot_see(demo, foreign_incident):
    complaint = cs.complaint_create(actor=demo["hotline1"], **body())
    with pytest.raises(ValidationError) as refused:
        cs.complaints_link(
            complaint_ids=[complaint.pk], incident_id=foreign_incident.pk, actor=demo["cc_contact"]
        )
    assert "incident" in refused.value.error_dict
    foreign_incident.refresh_from_db()
    assert foreign_incident.complaints.count() == 0


def test_the_complaint_page_links_by_number_only_to_a_visible_incident(
    demo, foreign_incident, client
):
    complaint = cs.complaint_create(actor=demo["hotline1"], **body())
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=demo["cc_contact"].profile.department,
    )
    client.force_login(demo["cc_contact"])
    page = client.post(
        f"/complaints/{complaint.pk}/act/link/",
        {"link-incident": foreign_incident.number},
        follow=True,
    )
    complaint.refresh_from_db()
    assert complaint.incident is None
    # the same answer as for a number that does not exist: nothing tells them it does
    missing = client.post(
        f"/complaints/{complaint.pk}/act/link/", {"link-incident": "INC-0"}, follow=True
    )
    assert page.status_code == missing.status_code
    assert "不是可关联的事件" in page.content.decode()
    assert "不是可关联的事件" in missing.content.decode()


def test_the_console_does_not_link_a_call_to_an_incident_beyond_the_agent(
    demo, foreign_incident, client, monkeypatch
):
    from complaints import views as complaint_views

    # an agent whose department does not see every record
    agent = demo["hotline1"]
    monkeypatch.setattr(complaint_views, "incident_linkable", _nothing_linkable)
    client.force_login(agent)
    before = Complaint.objects.count()
    page = client.post(
        "/complaints/console/",
        {
            **{k: v for k, v in body().items() if k not in ("city", "channel")},
            "city": City.objects.get(code="CC").pk,
            "severity": "general",
            "escalation": "none",
            "outcome": "resolved",
            "satisfaction": "satisfied",
            "incident": foreign_incident.pk,
        },
    )
    assert page.status_code == 200  # the form again, with the error on the incident
    assert "不是可关联的事件" in page.content.decode()
    assert Complaint.objects.count() == before


def _nothing_linkable(*, user):
    from incidents.models import Incident

    return Incident.objects.none()


def test_a_mass_complaint_prefills_the_incident_form_for_the_hotline_only(demo, client):
    cluster = MassComplaintCluster.objects.create(
        city=City.objects.get(code="CC"), business_line="network"
    )
    cluster.complaints.add(cs.complaint_create(actor=demo["hotline1"], **body(summary="断网了")))
    client.force_login(demo["net_leader"])  # may report an incident, not read the hotline's
    assert client.get(f"/complaints/mass/{cluster.pk}/raise/").status_code == 403
    page = client.get(f"/incidents/new/?cluster={cluster.pk}")
    assert page.status_code == 200 and "断网了" not in page.content.decode()
    client.force_login(demo["cs_contact"])
    assert "断网了" in client.get(f"/complaints/mass/{cluster.pk}/raise/").content.decode()


def test_rankings_reach_units_once_the_month_is_published(demo, client):
    notice = "考评发布后通报"
    client.force_login(demo["cc_contact"])
    page = client.get("/accountability/rankings/?period=2026-11").content.decode()
    assert notice in page and "网络部" not in page
    MonthlyAssessment.objects.create(period="2026-11", state=AssessmentState.PUBLISHED)
    page = client.get("/accountability/rankings/?period=2026-11").content.decode()
    assert notice not in page and "网络部" in page
    client.force_login(demo["manager"])  # who runs the assessment: any month, draft or not
    page = client.get("/accountability/rankings/?period=2026-10").content.decode()
    assert notice not in page and "网络部" in page


def test_someone_of_no_department_sees_no_province_figures(demo, client, foreign_incident):
    nobody = User.objects.create_user("visitor")
    client.force_login(nobody)
    assert client.get("/dashboard/").status_code == 403

    from alerts.models import Alert, AlertRecipient, Audience
    from alerts.selectors import waiting_list

    alert = Alert.objects.create(
        incident=foreign_incident, sequence=1, level="yellow", content={}, published_by=demo["exec"]
    )
    AlertRecipient.objects.create(  # someone of no department, waiting
        incident=foreign_incident,
        user=demo["exec"],
        department=None,
        audience=Audience.choices[0][0],
        first_alert=alert,
        latest_alert=alert,
    )
    assert not waiting_list(user=nobody, data={}).exists()
    assert waiting_list(user=demo["manager"], data={}).exists()


def test_a_complaint_page_names_an_incident_beyond_the_reader_by_number_only(
    demo, foreign_incident, client
):
    complaint = cs.complaint_create(actor=demo["hotline1"], **body(incident=foreign_incident))
    cs.complaint_dispatch(
        complaint_id=complaint.pk,
        actor=demo["hotline1"],
        department=demo["cc_contact"].profile.department,
    )
    client.force_login(demo["cc_contact"])  # handles the complaint, cannot open NET's incident
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert foreign_incident.number in page
    assert foreign_incident.title not in page
    assert f"/incidents/{foreign_incident.pk}/" not in page
    client.force_login(demo["manager"])  # who may open it: title and link
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert foreign_incident.title in page and f"/incidents/{foreign_incident.pk}/" in page
