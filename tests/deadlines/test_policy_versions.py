"""A deadline refers to the version of its policy it started with, stored once however many
deadlines start under it; editing the policy makes a new version for the deadlines to come,
and the running ones keep theirs. The migration made the versions from the copies deadlines
used to carry, one per distinct copy."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from deadlines.models import Deadline, DeadlinePolicy, DeadlinePolicyVersion, snapshot_digest
from deadlines.services import deadline_open
from deadlines.versions import forget_versions

pytestmark = pytest.mark.django_db


def test_deadlines_of_one_policy_share_its_one_version(make_incident):
    first, second = make_incident(), make_incident(title="吉林地区宽带中断")
    policy = DeadlinePolicy.objects.get(code="incident-explanation")
    ones = Deadline.objects.filter(kind=policy.code, object_id__in=[first.pk, second.pk])
    assert ones.count() == 2
    assert ones.values("policy_version").distinct().count() == 1
    version = ones.first().policy_version
    assert version.snapshot == policy.snapshot()
    assert version.digest == snapshot_digest(policy.snapshot())
    assert DeadlinePolicyVersion.objects.filter(policy=policy).count() == 1


def test_an_edited_policy_is_a_new_version_and_the_running_deadline_keeps_its_own(make_incident):
    running = make_incident()
    policy = DeadlinePolicy.objects.get(code="incident-explanation")
    kept = running.deadlines.get(kind=policy.code)
    policy.amount, policy.name_en = 600, "Explanation (revised)"
    policy.save()
    later = make_incident(title="吉林地区宽带中断")
    fresh = later.deadlines.get(kind=policy.code)
    assert fresh.policy_version_id != kept.policy_version_id
    assert fresh.due_at == later.occurred_at + timedelta(hours=10)
    kept = Deadline.objects.get(pk=kept.pk)  # read again, as a page would
    assert kept.snapshot["amount"] == 120 and kept.due_at == running.occurred_at + timedelta(
        hours=2
    )
    assert fresh.snapshot["name_en"] == "Explanation (revised)"
    assert DeadlinePolicyVersion.objects.filter(policy=policy).count() == 2
    # the policy as it was, again: its first version, not a third
    policy.amount, policy.name_en = 120, kept.snapshot["name_en"]
    policy.save()
    Deadline.objects.filter(pk=fresh.pk).delete()
    again = deadline_open(record=later, policy=policy, start=timezone.now(), department=None)
    assert again.policy_version_id == kept.policy_version_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_stores_each_distinct_copy_once():
    executor = MigrationExecutor(connection)
    executor.migrate([("deadlines", "0003_applies_when_registered")])
    try:
        old = (
            MigrationExecutor(connection)
            .loader.project_state(("deadlines", "0003_applies_when_registered"))
            .apps
        )
        ContentType = old.get_model("contenttypes", "ContentType")
        kind, _ = ContentType.objects.get_or_create(app_label="deadlines", model="probe")
        OldDeadline = old.get_model("deadlines", "Deadline")
        now = timezone.now()
        copies = [
            {"code": "probe", "name_zh": "旧", "name_en": "Old", "clock": "wall", "amount": 60},
            {"code": "probe", "name_zh": "旧", "name_en": "Old", "clock": "wall", "amount": 60},
            {"code": "probe", "name_zh": "新", "name_en": "New", "clock": "wall", "amount": 90},
        ]
        rows = [
            OldDeadline.objects.create(
                content_type=kind,
                object_id=n,
                kind="probe",
                policy_snapshot=copy,
                started_at=now,
                due_at=now + timedelta(minutes=copy["amount"]),
            )
            for n, copy in enumerate(copies)
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        forget_versions()  # the table was made anew: its ids are not the ones remembered
    moved = {d.object_id: d for d in Deadline.objects.filter(kind="probe")}
    assert [moved[row.object_id].snapshot for row in rows] == copies
    assert moved[0].policy_version_id == moved[1].policy_version_id != moved[2].policy_version_id
    assert DeadlinePolicyVersion.objects.filter(snapshot__code="probe").count() == 2
    # and every policy as it stands has its version already
    for policy in DeadlinePolicy.objects.all():
        assert DeadlinePolicyVersion.objects.filter(digest=snapshot_digest(policy.snapshot()))
    Deadline.objects.filter(kind="probe").delete()
