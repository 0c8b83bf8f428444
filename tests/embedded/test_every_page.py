"""On the embedded default, every demo login opens every page it is shown, every detail page
of the demo records and every export, and the deadline sweep's breaches have their
consequences: nothing answers 500.

Links are read from the rendered pages (the menu, then the pages it leads to), never from a
list kept here, so a page added to the menu is opened without a change to this test."""

from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.test import Client

from accountability.models import Violation
from accountability.selectors import penalty_rules_by_deadline_kind
from alerts.models import AlertRecipient
from deadlines.choices import DeadlineState
from deadlines.models import Deadline
from deadlines.services import deadlines_sweep
from incidents.models import Incident, TimelineEvent
from notifications.models import Notification
from tests.crawl import EXPORTS, Visit, record_urls

pytestmark = pytest.mark.django_db


def _walk_everyone(usernames: list[str]) -> dict[str, Visit]:
    visits = {}
    records = [url for urls in record_urls().values() for url in urls]
    shapes: set = set()
    for username in usernames:
        visit = Visit(username, shapes)
        visit.crawl()
        # a record the person's lists do not show: its page, or a deliberate refusal
        for url in records:
            if url not in visit.status:
                visit.expect(url, {200, 302, 403, 404})
        visits[username] = visit
    return visits


def _assert_no_failures(visits: dict[str, Visit]) -> None:
    failures = [failure for visit in visits.values() for failure in visit.failures]
    assert not failures, f"{len(failures)} failing pages:\n" + "\n".join(failures[:40])


def test_the_demo_has_a_login_of_every_role(demo):
    roles = set(User.objects.filter(username__in=demo).values_list("groups__name", flat=True))
    assert {
        "hotline_agent",
        "interface_person",
        "department_leader",
        "working_group",
        "assessment_committee",
        "leadership_group",
        "admin",
    } <= roles


def test_every_login_opens_every_page_it_is_shown(demo):
    visits = _walk_everyone(demo)
    _assert_no_failures(visits)

    # the manager sees everything: every record's page is among the pages the lists lead to,
    # and answers 200
    manager = visits["manager"]
    for label, urls in record_urls().items():
        for url in urls:
            assert manager.status.get(url) == 200, (label, url, manager.status.get(url))
    exports = [url for url in manager.status if urlsplit(url).path.endswith(EXPORTS)]
    assert any(url.endswith(".xlsx") for url in exports), exports
    assert any(url.endswith(".pdf") for url in exports), exports
    # a department's interface person and the hotline see their own pages, not the managers'
    assert visits["hotline1"].status["/complaints/console/"] == 200
    assert visits["admin"].status["/admin/"] == 200
    assert "/admin/" not in visits["net_contact"].status


def test_exports_are_files(demo):
    visit = Visit("manager")
    visit.crawl()
    exports = [url for url in visit.status if urlsplit(url).path.endswith(EXPORTS)]
    assert exports
    for url in exports:
        response = visit.client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith(".pdf"):
            assert body.startswith(b"%PDF"), url
        elif url.endswith(".xlsx"):
            assert body.startswith(b"PK"), url  # a zip, as every XLSX is


def test_half_an_hour_on_only_acknowledgments_are_missed_and_the_pages_say_why(
    demo, clock, django_capture_on_commit_callbacks
):
    """`make run`, half an hour after the demo loaded: every alert the demo left unacknowledged
    has missed its 30-minute limit, and the violations page stays empty — rightly, for the
    regulations price no missed acknowledgment (the catalogue has no rule triggered by it; the
    breach escalates to the leader, then the working-group head). The pages say so."""
    # the acknowledgments still awaited (those of a closed incident were stopped)
    unacknowledged = Deadline.objects.filter(
        kind="alert-acknowledge",
        state=DeadlineState.PENDING,
        object_id__in=AlertRecipient.objects.filter(acknowledged_at__isnull=True).values("pk"),
    ).count()
    with time_machine.travel(clock + timedelta(minutes=35), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            done = deadlines_sweep()
        breached = Deadline.objects.filter(state=DeadlineState.BREACHED)
        assert set(breached.values_list("kind", flat=True)) == {"alert-acknowledge"}
        assert done["breached"] == unacknowledged > 0
        assert "alert-acknowledge" not in penalty_rules_by_deadline_kind()
        assert not Violation.objects.exists()
        # escalated: a second limit runs, the leaders are told
        assert Deadline.objects.filter(kind="alert-acknowledge-escalated").count() == unacknowledged

        client = Client()
        client.force_login(User.objects.get(username="manager"))
        page = client.get("/accountability/violations/").content.decode()
        row = page[page.index('<tr data-kind="alert-acknowledge">') :].split("</tr>")[0]
        assert "不考核" in row and f"<td>{unacknowledged}</td>" in row
        assert f"有 {unacknowledged} 项超时不考核" in page
        publish = page[page.index('<tr data-kind="incident-publish">') :].split("</tr>")[0]
        assert 'class="badge penalty"' in publish and "¥50" in publish
        # "my deadlines" and the record's panel mark the deadlines whose breach is assessed
        net_contact = User.objects.get(username="net_contact")
        client.force_login(net_contact)
        mine = client.get("/incidents/deadlines/").content.decode()
        assert (
            mine.count('class="badge penalty"')
            == Deadline.objects.filter(
                Q(responsible_department=net_contact.profile.department)
                | Q(responsible_person=net_contact),
                state=DeadlineState.PENDING,
                kind__in=list(penalty_rules_by_deadline_kind()),
            ).count()
            > 0
        )
        incident = Incident.objects.filter(deadlines__kind="incident-explanation").first()
        assert "¥20" in client.get(incident.get_absolute_url()).content.decode()


def test_the_sweep_breaches_announces_and_proposes_violations(
    demo, clock, django_capture_on_commit_callbacks
):
    """A day later every deadline the demo left open has fallen due: the sweep breaches and
    announces each once, writes the incidents' timeline events, notifies who answers for it,
    and proposes a violation for each breach whose kind a catalogue rule is triggered by."""
    pending = list(Deadline.objects.filter(state=DeadlineState.PENDING, due_at__isnull=False))
    later = clock + timedelta(hours=25)
    falling_due = [d for d in pending if d.due_at <= later]
    assert falling_due
    penalised = penalty_rules_by_deadline_kind()

    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        done = deadlines_sweep()
        again = deadlines_sweep()

    assert done["breached"] >= len(falling_due)  # and what those breaches opened in turn
    assert done["announced"] == done["breached"]
    assert again["breached"] == 0 or again["announced"] == again["breached"]
    breached = Deadline.objects.filter(state=DeadlineState.BREACHED)
    assert not breached.filter(announced_at__isnull=True).exists()
    kinds = Counter(breached.values_list("kind", flat=True))
    assert kinds["alert-acknowledge"] > 0  # the demo's unacknowledged alerts
    assert kinds["incident-explanation"] > 0

    incident_type = ContentType.objects.get_for_model(Incident)
    for deadline in breached:
        key = f"deadline:{deadline.pk}"
        if deadline.content_type_id == incident_type.pk:
            assert TimelineEvent.objects.filter(
                incident_id=deadline.object_id,
                kind=TimelineEvent.Kind.DEADLINE,
                action=deadline.kind,
            ).exists(), key
        assert Notification.objects.filter(dedupe_key=f"{key}:breached").exists(), key
        proposed = set(
            Violation.objects.filter(evidence_key=key).values_list("rule__code", flat=True)
        )
        expected = {rule.code for rule in penalised.get(deadline.kind, [])}
        # an escalated complaint's breach adds its own rule (seed 003 第九条(二)14)
        assert expected <= proposed, (deadline.kind, expected, proposed)
        if not expected:
            assert not proposed - {"escalated-not-handled"}, (deadline.kind, proposed)
    assert (
        Violation.objects.filter(evidence_key__startswith="deadline:").count()
        == sum(len(penalised.get(kind, [])) * count for kind, count in kinds.items())
        + Violation.objects.filter(rule__code="escalated-not-handled").count()
    )

    # and every page still opens, now with breaches, escalations and violations in it
    visits = _walk_everyone(["manager", "net_contact", "cs_contact", "cc_contact", "hotline1"])
    _assert_no_failures(visits)
    violations = visits["manager"].client.get("/accountability/violations/")
    for violation in Violation.objects.all():
        assert violation.number in violations.content.decode()
