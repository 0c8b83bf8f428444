"""Deadlines: every shipped policy gives the seed's due time; the workflow opens and meets
them; the sweep breaches, reminds and notifies once, however often and however many run."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from deadlines import signals
from deadlines.choices import DeadlineState
from deadlines.models import CalendarOverride, Deadline, DeadlinePolicy
from deadlines.services import (
    deadline_open,
    deadlines_mark_due,
    deadlines_reschedule_unknown,
    deadlines_sweep,
)
from deadlines.tasks import sweep_deadlines_task
from incidents import services
from notifications.models import Delivery, Notification
from tests.concurrency import at_once

from .conftest import drive

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# policy code, start, due — the shipped policies (incidents/fixtures/deadline_policies.json)
POLICIES = [
    ("incident-report-to-cs", "2026-11-20 10:00", "2026-11-20 11:00"),  # 000 第八条: 1 h
    ("incident-publish", "2026-11-20 23:30", "2026-11-21 00:30"),  # 000 第九条: 1 h
    ("incident-explanation", "2026-11-20 10:00", "2026-11-20 12:00"),  # 000 第十条: 2 h
    ("incident-root-cause", "2026-11-20 10:00", "2026-11-21 10:00"),  # 000 第十条: 24 h
    ("incident-hq-feedback", "2026-11-20 10:00", "2026-11-20 12:00"),  # 000 第十一条: 2 h
    ("incident-hq-plan-level1", "2026-11-20 10:00", "2026-11-20 18:00"),  # 8 h
    ("incident-hq-plan-level2", "2026-11-20 10:00", "2026-11-21 10:00"),  # 24 h
    ("incident-leadership-report", "2026-11-20 10:00", "2026-11-20 11:00"),  # promptly: 1 h
    ("complaint-handover", "2026-11-20 10:00", "2026-11-20 10:30"),  # 002: 30 min
    ("complaint-contact", "2026-11-20 10:00", "2026-11-20 10:30"),  # 003: 30 min
    ("complaint-repair", "2026-11-20 10:00", "2026-11-21 08:00"),  # 003 第六条: 22 h
    ("complaint-callback", "2026-11-20 12:30", "2026-11-20 15:30"),  # 003: 1 h in 14:30–18:00
    ("complaint-callback", "2026-11-20 11:30", "2026-11-20 15:00"),  # 30 min + 30 min
    ("complaint-form-issue", "2026-11-20 10:00", "2026-11-20 11:00"),  # 004: 1 h
    ("complaint-general-answer", "2026-02-13 10:00", "2026-02-25 23:59:59"),  # 004: 3 working days
    (
        "complaint-major-temporary",
        "2026-03-13 15:00",
        "2026-03-16 15:00",
    ),  # 004: 8 working h, over a weekend
    ("complaint-major-permanent", "2026-11-20 10:00", "2026-11-24 23:59:59"),  # 004: 2 working days
    ("complaint-escalate", "2026-11-20 10:00", "2026-11-21 10:00"),  # 004: 24 h
    # 002: 2 working days; Sat 2026-02-14 is a make-up working day, then the Spring Festival
    ("accountability-self-inspection-notice", "2026-02-13 10:00", "2026-02-24 23:59:59"),
    # 002: requested on the eve of National Day 2026 (holiday 10-01 … 10-07, make-up 10-10)
    ("accountability-self-inspection-notice", "2026-09-30 16:00", "2026-10-09 23:59:59"),
    (
        "accountability-self-inspection-report",
        "2026-11-20 10:00",
        "2026-11-27 23:59:59",
    ),  # 5 working days
]


@pytest.mark.parametrize(
    ("code", "start", "due"), POLICIES, ids=[f"{p[0]}@{p[1]}" for p in POLICIES]
)
def test_every_policy_gives_the_seed_due_time(make_incident, code, start, due):
    record = make_incident()
    policy = DeadlinePolicy.objects.get(code=code)
    with time_machine.travel(at(start), tick=False):
        Deadline.objects.filter(object_id=record.pk, kind=code).delete()
        deadline = deadline_open(record=record, policy=policy, start=at(start), department=None)
    assert deadline.due_at == at(due)
    assert deadline.state == DeadlineState.PENDING
    assert deadline.snapshot["amount"] == policy.amount


def test_a_running_deadline_keeps_the_policy_it_started_with(make_incident):
    incident = make_incident()
    deadline = incident.deadlines.get(kind="incident-explanation")
    DeadlinePolicy.objects.filter(code="incident-explanation").update(amount=600)
    deadlines_sweep()
    deadline.refresh_from_db()
    assert deadline.due_at == incident.occurred_at + timedelta(hours=2)
    assert deadline.snapshot["amount"] == 120


def kinds(incident, state=None):
    deadlines = incident.deadlines.all()
    if state:
        deadlines = deadlines.filter(state=state)
    return set(deadlines.values_list("kind", flat=True))


def test_the_workflow_opens_the_limits_that_apply(make_incident):
    incident = make_incident()  # provincial, yellow
    assert kinds(incident) == {
        "incident-report-to-cs",
        "incident-publish",
        "incident-explanation",
        "incident-root-cause",
    }
    assert kinds(incident, "met") == {"incident-report-to-cs"}  # reported by creating it
    explanation = incident.deadlines.get(kind="incident-explanation")
    assert explanation.due_at == incident.occurred_at + timedelta(hours=2)
    assert explanation.responsible_department == incident.owning_department
    assert explanation.responsible_person.username == "net_contact"
    publish = incident.deadlines.get(kind="incident-publish")
    assert publish.responsible_person.username == "cs_contact"


def test_hq_levels_choose_the_plan_limit_and_a_change_re_evaluates(make_incident, demo):
    incident = make_incident(source="hq", hq_level="level1")
    assert {
        "incident-hq-feedback",
        "incident-hq-plan-level1",
        "incident-leadership-report",
    } <= kinds(incident)
    assert "incident-hq-plan-level2" not in kinds(incident)
    services.incident_update_facts(
        incident_id=incident.pk, actor=demo["cs_contact"], hq_level="level2"
    )
    assert kinds(incident, "cancelled") == {"incident-hq-plan-level1"}
    assert "incident-hq-plan-level2" in kinds(incident, "pending")


def test_a_rise_to_orange_starts_the_leadership_report(make_incident, demo):
    incident = make_incident()
    assert "incident-leadership-report" not in kinds(incident)
    services.incident_classify(
        incident_id=incident.pk, actor=demo["cs_contact"], level="orange", reason="多地蔓延"
    )
    assert "incident-leadership-report" in kinds(incident, "pending")


def test_the_satisfying_step_meets_the_deadline(make_incident, demo):
    incident = drive(make_incident(), demo, "handling")
    assert "incident-publish" in kinds(incident, "met")
    services.incident_submit(
        incident_id=incident.pk,
        actor=demo["net_contact"],
        kind="explanation",
        content={"text": "口径"},
    )
    assert "incident-explanation" in kinds(incident, "met")


def test_cancelling_the_record_cancels_its_deadlines(make_incident, demo):
    incident = make_incident()
    services.incident_cancel(incident_id=incident.pk, actor=demo["cs_contact"], reason="withdrawn")
    assert kinds(incident, "pending") == set()
    assert "incident-explanation" in kinds(incident, "cancelled")


@pytest.fixture
def breaches():
    seen = []

    def receiver(sender, deadlines, **kwargs):
        seen.extend(deadline.pk for deadline in deadlines)

    signals.deadlines_breached.connect(receiver)
    yield seen
    signals.deadlines_breached.disconnect(receiver)


def test_the_sweep_breaches_notifies_and_records_once(
    make_incident, demo, breaches, django_capture_on_commit_callbacks, mailoutbox
):
    incident = make_incident()
    explanation = incident.deadlines.get(kind="incident-explanation")
    later = explanation.due_at + timedelta(minutes=1)
    demo["net_leader"].profile.language = "en"  # each reads it in their own language
    demo["net_leader"].profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = deadlines_sweep(now=later)
        again = deadlines_sweep(now=later)
        sweep_deadlines_task.delay()  # the task, as beat runs it: nothing left to do
    assert first["breached"] >= 1 and again["breached"] == 0
    explanation.refresh_from_db()
    assert (explanation.state, explanation.breached_at) == ("breached", later)
    breached = Notification.objects.filter(
        kind="deadline.breached", dedupe_key=f"deadline:{explanation.pk}:breached"
    )
    # the responsible person and their superior, once each
    assert sorted(n.recipient.username for n in breached) == ["net_contact", "net_leader"]
    # and by email (DEADLINE_BREACH_CHANNELS), once each, after the sweep's commit
    emails = Delivery.objects.filter(notification__in=breached, channel="email")
    assert sorted(emails.values_list("address", "state")) == [
        ("net_contact@fenghuo.example", "sent"),
        ("net_leader@fenghuo.example", "sent"),
    ]
    subjects = {n.recipient.username: n.subject for n in breached}
    assert subjects["net_contact"] == f"已超时：{incident.number} 的“下发解释口径”"
    assert subjects["net_leader"] == f"Overdue: Send the explanation script of {incident.number}"
    sent = {m.to[0]: m.subject for m in mailoutbox if m.subject in subjects.values()}
    assert sent == {
        "net_contact@fenghuo.example": subjects["net_contact"],
        "net_leader@fenghuo.example": subjects["net_leader"],
    }
    assert incident.timeline.filter(kind="deadline", action="incident-explanation").count() == 1
    assert breaches.count(explanation.pk) == 1


def test_a_sweep_stopped_after_marking_leaves_the_announcing_to_the_next(make_incident, breaches):
    incident = make_incident()
    explanation = incident.deadlines.get(kind="incident-explanation")
    later = explanation.due_at + timedelta(minutes=1)
    assert deadlines_mark_due(now=later) >= 1  # the worker dies here
    explanation.refresh_from_db()
    assert (explanation.state, explanation.announced_at) == ("breached", None)
    breached = Notification.objects.filter(dedupe_key=f"deadline:{explanation.pk}:breached")
    assert not breached.exists() and breaches == []
    done = deadlines_sweep(now=later + timedelta(seconds=30))
    again = deadlines_sweep(now=later + timedelta(seconds=60))
    assert (done["breached"], again["announced"]) == (0, 0) and done["announced"] >= 1
    explanation.refresh_from_db()
    assert explanation.breached_at == later  # as marked; announced by the next sweep
    assert breached.count() == 2 and breaches.count(explanation.pk) == 1
    assert incident.timeline.filter(kind="deadline", action="incident-explanation").count() == 1


def test_reminders_at_half_and_four_fifths_of_the_time(make_incident, demo, settings):
    incident = make_incident(occurred_at=timezone.now())
    explanation = incident.deadlines.get(kind="incident-explanation")
    start = explanation.started_at
    for minutes in (61, 62):  # past 50 % (60 min) twice
        deadlines_sweep(now=start + timedelta(minutes=minutes))
    demo["net_contact"].profile.language = "en"
    demo["net_contact"].profile.save()
    settings.DEADLINE_REMINDER_CHANNELS = ["email"]  # in the app only, unless set
    deadlines_sweep(now=start + timedelta(minutes=97))  # past 80 % (96 min)
    reminders = Notification.objects.filter(
        kind="deadline.reminder",
        recipient__username="net_contact",
        link=incident.get_absolute_url(),
    ).order_by("pk")
    assert [r.subject.split("：", 1)[-1].split(": ", 1)[-1] for r in reminders] == [
        f"{incident.number} 的“下发解释口径”",
        f"Send the explanation script of {incident.number}",
    ]
    emailed = Delivery.objects.filter(notification__in=reminders, channel="email")
    assert list(emailed.values_list("notification", "address")) == [
        (reminders.last().pk, "net_contact@fenghuo.example")
    ]


def test_a_step_done_late_is_a_breach_even_before_the_sweep(
    make_incident, demo, breaches, django_capture_on_commit_callbacks, mailoutbox
):
    incident = drive(
        make_incident(occurred_at=timezone.now() - timedelta(hours=3)), demo, "handling"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_submit(
            incident_id=incident.pk,
            actor=demo["net_contact"],
            kind="explanation",
            content={"text": "迟到的口径"},
        )
    explanation = incident.deadlines.get(kind="incident-explanation")
    assert explanation.state == "breached" and explanation.met_at is not None
    assert explanation.announced_at is not None  # the sweep will not announce it again
    assert breaches == [explanation.pk]
    # the same consequences as a breach the sweep finds: timeline, the app and email
    assert incident.timeline.filter(kind="deadline", action="incident-explanation").count() == 1
    notified = Notification.objects.filter(dedupe_key=f"deadline:{explanation.pk}:breached")
    assert notified.count() == 2
    assert sorted(m.to[0] for m in mailoutbox if m.subject == notified[0].subject) == [
        "net_contact@fenghuo.example",
        "net_leader@fenghuo.example",
    ]
    assert deadlines_sweep()["announced"] == 0


def test_resolving_after_a_missed_deadline_needs_the_delay_reason(make_incident, demo, api_client):
    incident = drive(
        make_incident(occurred_at=timezone.now() - timedelta(hours=3)), demo, "submitted"
    )
    api_client.force_authenticate(demo["net_contact"])
    body = {"restored_at": timezone.now().isoformat(), "cause_and_result": "已恢复"}
    response = api_client.post(f"/api/v1/incidents/{incident.pk}/resolve/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "delay_reason"
    body["delay_reason"] = "夜间抢修人员到场延迟"
    assert (
        api_client.post(
            f"/api/v1/incidents/{incident.pk}/resolve/", body, format="json"
        ).status_code
        == 200
    )


def test_the_incident_api_lists_its_deadlines(make_incident, demo, api_client):
    incident = make_incident()
    api_client.force_authenticate(demo["cs_contact"])
    deadlines = api_client.get(f"/api/v1/incidents/{incident.pk}/").json()["deadlines"]
    by_kind = {d["kind"]: d for d in deadlines}
    assert by_kind["incident-report-to-cs"]["state"] == "met"
    assert by_kind["incident-explanation"]["state"] == "pending"
    assert by_kind["incident-explanation"]["due_at"].endswith("+08:00")


def test_a_year_the_calendar_does_not_know_waits_loudly_then_resumes(make_incident):
    record = make_incident()
    policy = DeadlinePolicy.objects.get(code="accountability-self-inspection-report")
    start = at("2099-12-30 10:00")  # 5 working days run into 2100; neither year is known
    deadline = deadline_open(record=record, policy=policy, start=start, department=None)
    assert deadline.due_at is None and "2099" in deadline.problem
    deadlines_sweep(now=at("2100-06-01 00:00"))
    deadline.refresh_from_db()
    assert deadline.state == "pending"  # never a guess
    for offset in range(12):
        day = (start + timedelta(days=offset + 1)).date()
        CalendarOverride.objects.create(day=day, is_working_day=day.weekday() < 5)
    assert deadlines_reschedule_unknown() == 1
    deadline.refresh_from_db()
    assert deadline.due_at == at("2100-01-06 23:59:59") and deadline.problem == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sweeps_breach_each_deadline_once(make_incident, breaches):
    """On PostgreSQL, SKIP LOCKED splits the rows between the sweeps."""
    assert connection.vendor == "postgresql"
    incidents = [make_incident() for _ in range(6)]
    due = Deadline.objects.filter(state="pending", kind="incident-explanation")
    assert due.count() == len(incidents)
    later = max(d.due_at for d in due) + timedelta(minutes=1)
    results = at_once(lambda: deadlines_sweep(now=later, batch=2))
    breached = Deadline.objects.filter(state="breached")
    assert sum(r["breached"] for r in results) == breached.count()
    assert sorted(breaches) == sorted(breached.values_list("pk", flat=True))  # once each
    for deadline in breached:
        assert (
            Notification.objects.filter(dedupe_key=f"deadline:{deadline.pk}:breached").count() == 2
        )
