"""A batch of breaches has exactly the consequences of the same breaches announced one by one
(violations and their shares, escalations, notifications and their deliveries, timeline
lines, the deadlines they open), and a sweep stopped halfway leaves the rest to the next,
which writes nothing twice."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from accountability import services as accountability
from accountability.models import PenaltyRule, Violation, ViolationShare
from complaints import services as cs
from complaints.models import ComplaintEvent
from deadlines import signals
from deadlines.models import Deadline
from deadlines.services import breaches_announce, deadlines_mark_due, deadlines_sweep
from incidents import services as incidents
from incidents.models import TimelineEvent
from notifications.models import Delivery, Notification
from organisation.models import City, Department

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
# a week whose working days are known, frozen: what the announcement opens starts at one time
START = datetime(2026, 11, 18, 10, 0, tzinfo=SH)
LATER = START + timedelta(days=10)  # past every limit started below, reports included


@pytest.fixture
def scene(make_incident, demo):
    """Breaches of several kinds waiting to be marked at ``LATER``: an incident's steps, its
    alert's second acknowledgment limits (the first ones already escalated), a complaint's
    steps, and a self-inspection report not made."""
    with time_machine.travel(START, tick=False):
        incident = make_incident()
        incidents.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
        complaint = cs.complaint_create(
            actor=demo["hotline1"],
            channel="hotline",
            customer_name="王先生",
            customer_phone="13812345678",
            customer_account="0431-88886666",
            city=City.objects.get(code="CC"),
            address="长春市朝阳区人民大街 100 号",
            business_line="network",
            summary="家里 4G 信号差，上网很慢",
            description="近三天晚上 4G 上网很慢。",
        )
        cs.complaint_dispatch(
            complaint_id=complaint.pk,
            actor=demo["hotline1"],
            department=Department.objects.get(code="NET"),
        )
        violation = accountability.violation_propose(
            rule=PenaltyRule.objects.get(code="missed-ticket"),
            evidence_key="manual:1",
            department=Department.objects.get(code="NET"),
            actor=demo["mkt_contact"],
        )
        assert violation is not None
        accountability.violation_request_inspection(
            violation_id=violation.pk, actor=demo["mkt_contact"]
        )
        # the first acknowledgment limits (30 minutes) breach: the second ones start
        deadlines_sweep(now=START + timedelta(minutes=31))
        yield
    # nothing: the test's transaction rolls it all back


def violation_names() -> tuple[dict[int, str], dict[str, str]]:
    """Each violation by its rule and evidence, not by the id and number the order of writing
    gives it: the names by id, and by number."""
    violations = Violation.objects.select_related("rule")
    names = {v.pk: f"<{v.rule.code}|{v.evidence_key}>" for v in violations}
    return names, {v.number: names[v.pk] for v in violations}


def unnumbered(text: str, by_number: dict[str, str]) -> str:
    for number, name in by_number.items():
        text = text.replace(number, name)
    return text


def consequences() -> list[str]:
    """Every row a breach may write, without the ids and numbers the order of writing
    gives: a violation is named by its rule and evidence, a notification by its recipient
    and key, a deadline by its record and kind."""
    names, by_number = violation_names()

    def plain(row: dict) -> str:
        text = unnumbered(json.dumps(row, sort_keys=True, default=str), by_number)
        for pk, name in names.items():
            text = text.replace(f"violation:{pk}:", f"violation:{name}:")
            text = text.replace(f"/violations/{pk}/", f"/violations/{name}/")
        return text

    notifications = {
        n["id"]: f"{n['recipient_id']}|{n['dedupe_key']}" for n in Notification.objects.values()
    }
    rows = []
    for model in (Violation, ViolationShare, Notification, Delivery, TimelineEvent, ComplaintEvent):
        for row in model.objects.values():
            row.pop("id")
            if model is ViolationShare:
                row["violation_id"] = names[row["violation_id"]]
            if model is Delivery:
                row["notification_id"] = notifications.get(row["notification_id"])
            rows.append(f"{model.__name__} {plain(row)}")
    for row in Deadline.objects.select_related("content_type").values(
        "content_type__model", "object_id", "kind", "round", "state", "started_at", "due_at",
        "breached_at", "met_at", "announced_at", "responsible_department_id",
        "responsible_person_id", "problem",
    ):  # fmt: skip
        if row["content_type__model"] == "violation":
            row["object_id"] = names[row["object_id"]]
        rows.append(f"Deadline {plain(row)}")
    return sorted(rows)


def carried() -> list[tuple[str, str, str]]:
    """Each message the outbox carries, as (address, channel, subject): a digest carries
    each of the messages it lists (their first lines). A violation is named as in
    :func:`consequences`."""
    _names, by_number = violation_names()
    messages = []
    for sent in Delivery.objects.values("address", "channel", "subject", "body", "dedupe_key"):
        if sent["dedupe_key"].startswith("digest:"):
            subjects = [part.split("\n")[0] for part in sent["body"].split("\n\n")]
        else:
            subjects = [sent["subject"]]
        messages += [
            (sent["address"], sent["channel"], unnumbered(subject, by_number))
            for subject in subjects
        ]
    return sorted(messages)


def besides_the_outbox(rows: list[str]) -> list[str]:
    return [row for row in rows if not row.startswith("Delivery ")]


def announced(batch: int) -> tuple[list[str], int, list[tuple[str, str, str]]]:
    """The consequences of marking at ``LATER`` and announcing in batches of ``batch``,
    rolled back afterwards: the rows, how many were announced, and the messages sent."""
    with transaction.atomic():
        deadlines_mark_due(now=LATER)
        count = breaches_announce(now=LATER, batch=batch)
        rows, sent = consequences(), carried()
        transaction.set_rollback(True)
    return rows, count, sent


def test_a_batch_writes_what_one_by_one_writes(scene):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        before = consequences()
        one_by_one, count, sent_one_by_one = announced(batch=1)
        in_one_batch, count_batch, sent_in_one_batch = announced(batch=200)
    assert count == count_batch >= 10
    assert besides_the_outbox(in_one_batch) == besides_the_outbox(one_by_one)
    # the same messages to the same people; but a person told of several breaches in one
    # batch gets them in one e-mail that lists them all (a digest), not one e-mail each
    assert sent_in_one_batch == sent_one_by_one
    assert sum(row.startswith("Delivery ") for row in in_one_batch) < sum(
        row.startswith("Delivery ") for row in one_by_one
    )
    written = set(one_by_one) - set(before)
    for what in (
        "Violation ",
        "ViolationShare ",  # the report not made: deemed confirmed with its cascade
        '"alert.unacknowledged"',  # the working-group head told of the silence
        '"violation.proposed"',
        '"deadline.breached"',
        "TimelineEvent ",
        "ComplaintEvent ",
    ):
        assert any(what in row for row in written), what
    kinds = {
        row["kind"]
        for row in Deadline.objects.filter(state="pending", due_at__lte=LATER).values("kind")
    }
    assert {
        "alert-acknowledge-escalated",
        "accountability-self-inspection-report",
        "incident-explanation",
    } <= kinds and any(kind.startswith("complaint-") for kind in kinds)


def test_a_sweep_stopped_halfway_leaves_the_rest_to_the_next_which_writes_nothing_twice(scene):
    calls = []

    def stop_at_the_second_batch(sender, deadlines, **kwargs):
        calls.append(len(deadlines))
        if len(calls) == 2:
            raise RuntimeError("the worker died")

    with time_machine.travel(START + timedelta(hours=1), tick=False):
        whole, total, sent = announced(batch=200)
        deadlines_mark_due(now=LATER)
        signals.deadlines_breached.connect(stop_at_the_second_batch)
        try:
            with pytest.raises(RuntimeError):
                breaches_announce(now=LATER, batch=3)
        finally:
            signals.deadlines_breached.disconnect(stop_at_the_second_batch)
        # the first batch stands, the second rolled back with its transaction
        assert Deadline.objects.filter(announced_at__isnull=False, breached_at=LATER).count() == 3
        # the next sweep's announcing (its marking would also breach the notices that the
        # first batch's violations started, which the whole run above did not mark)
        assert breaches_announce(now=LATER) == total - 3
        assert besides_the_outbox(consequences()) == besides_the_outbox(whole)
        assert carried() == sent  # every message once, some in other digests
        assert breaches_announce(now=LATER) == 0
        assert besides_the_outbox(consequences()) == besides_the_outbox(whole)
        assert carried() == sent
