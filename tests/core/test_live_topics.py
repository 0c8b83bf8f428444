"""What each change tells the open pages (core.live), and what each page may hear: the
topics are scoped as the pages are, so that a change reaches everyone who may see it and
no one else's stream carries it."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from complaints import services as complaints
from core import live
from core.models import LiveChange
from deadlines.services import deadlines_sweep
from incidents import services as incidents
from organisation.models import Department
from tests.factories import hotline_intake

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def table_log(settings):
    """The embedded default's log: what was told is in its table."""
    settings.LIVE_REDIS_URL = ""


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """``told(action)``: the topics the action told, once it committed (one entry per
    transaction)."""

    def run(action):
        LiveChange.objects.all().delete()
        # what the test's earlier steps told waits for the test's transaction, which never
        # commits: the action's own change starts anew
        transaction.get_connection().live_pending = None
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return [
            set(topics)
            for topics in LiveChange.objects.order_by("id").values_list("topics", flat=True)
        ]

    return run


def test_publishing_an_incident_tells_its_page_lists_recipients_and_deadlines(
    demo, make_incident, told
):
    incident = make_incident()
    net = Department.objects.get(code="NET")
    changes = told(
        lambda: incidents.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    )
    assert len(changes) == 1  # one transaction, one change
    topics = changes[0]
    assert {f"incident:{incident.pk}", "incidents", f"incidents:department:{net.pk}"} <= topics
    recipients = incident.alert_recipients.values_list("user_id", flat=True)
    assert recipients and {f"user:{pk}" for pk in recipients} <= topics  # inboxes and bells
    assert {"deadlines", f"deadlines:department:{net.pk}"} <= topics
    # nothing of another department's list
    cc = Department.objects.get(code="BR-CC")
    assert f"incidents:department:{cc.pk}" not in topics


def test_a_complaint_tells_its_department_then_the_one_it_is_dispatched_to(demo, told):
    created = []

    def create():
        created.append(complaints.complaint_create(actor=demo["hotline1"], **hotline_intake()))

    (topics,) = told(create)
    complaint = created[0]
    first_ask = complaint.first_ask_department
    assert {
        f"complaint:{complaint.pk}",
        "complaints",
        f"complaints:department:{first_ask.pk}",
    } <= topics
    net = Department.objects.get(code="NET")
    (topics,) = told(
        lambda: complaints.complaint_dispatch(
            complaint_id=complaint.pk, actor=demo["hotline1"], department=net
        )
    )
    assert {f"complaint:{complaint.pk}", f"complaints:department:{net.pk}"} <= topics


def test_a_sweep_tells_the_pages_of_what_it_breached(demo, make_incident, told):
    incident = make_incident()
    incidents.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        changes = told(lambda: deadlines_sweep())
    assert any(f"incident:{incident.pk}" in topics for topics in changes)
    assert any(
        f"user:{demo['net_contact'].pk}" in topics for topics in changes
    )  # told of the breach, their bell


def granted(client, user, path: str) -> set[str]:
    """The topics the page at ``path`` grants ``user`` (its script's signed token)."""
    client.force_login(user)
    html = client.get(path).content.decode()
    url = re.search(r'data-live-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    return set(live.token_topics(parse_qs(urlsplit(url).query)["t"][0], user.pk))


def test_a_list_grants_the_viewers_scope_and_a_page_its_record(demo, make_incident, client):
    net, cc = Department.objects.get(code="NET"), Department.objects.get(code="BR-CC")
    contact, manager = demo["net_contact"], demo["manager"]
    assert granted(client, contact, "/complaints/") == {
        f"user:{contact.pk}",
        f"complaints:department:{net.pk}",
    }
    assert f"complaints:department:{cc.pk}" not in granted(client, contact, "/complaints/")
    assert "complaints" in granted(client, manager, "/complaints/")  # sees every department's
    incident = make_incident()
    assert f"incident:{incident.pk}" in granted(client, manager, incident.get_absolute_url())
