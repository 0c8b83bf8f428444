"""Deadlines refer to the version of their policy they started with, stored once, instead of
each carrying a copy: the versions are made from the copies (equal copies, one version) and
from the policies as they stand."""

import hashlib
import json

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

BATCH = 10_000


def _digest(snapshot: dict) -> str:
    # as deadlines.models.snapshot_digest (a migration keeps its own copy)
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _version(Version, snapshot, policy_id, known):
    digest = _digest(snapshot)
    if digest not in known:
        known[digest], _ = Version.objects.get_or_create(
            digest=digest, defaults={"snapshot": snapshot, "policy_id": policy_id}
        )
    return known[digest]


def forwards(apps, schema_editor):
    Policy = apps.get_model("deadlines", "DeadlinePolicy")
    Version = apps.get_model("deadlines", "DeadlinePolicyVersion")
    Deadline = apps.get_model("deadlines", "Deadline")
    known: dict = {}
    for policy in Policy.objects.order_by("pk"):
        snapshot = {
            "code": policy.code,
            "name_zh": policy.name_zh,
            "name_en": policy.name_en,
            "clock": policy.clock,
            "amount": policy.amount,
            "windows": policy.windows,
            "reminder_fractions": policy.reminder_fractions,
            "starts_at": policy.starts_at,
            "citation": policy.citation,
        }
        _version(Version, snapshot, policy.pk, known)
    # each distinct copy once (the database compares them), then its deadlines in one update
    copies = (
        Deadline.objects.filter(policy_version__isnull=True)
        .values_list("policy_snapshot", "policy_id")
        .order_by()
        .distinct()
    )
    for snapshot, policy_id in list(copies):
        version = _version(Version, snapshot, policy_id, known)
        Deadline.objects.filter(
            policy_version__isnull=True, policy_id=policy_id, policy_snapshot=snapshot
        ).update(policy_version=version)
    # whatever the comparison missed (a copy whose stored text differs from its reading)
    while True:
        rest = list(
            Deadline.objects.filter(policy_version__isnull=True).only(
                "pk", "policy_snapshot", "policy_id"
            )[:BATCH]
        )
        if not rest:
            break
        for deadline in rest:
            deadline.policy_version = _version(
                Version, deadline.policy_snapshot, deadline.policy_id, known
            )
        Deadline.objects.bulk_update(rest, ["policy_version"], batch_size=1000)


def backwards(apps, schema_editor):
    Version = apps.get_model("deadlines", "DeadlinePolicyVersion")
    Deadline = apps.get_model("deadlines", "Deadline")
    for version in Version.objects.all():
        Deadline.objects.filter(policy_version=version).update(policy_snapshot=version.snapshot)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0003_applies_when_registered")]

    operations = [
        migrations.CreateModel(
            name="DeadlinePolicyVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "digest",
                    models.CharField(
                        editable=False,
                        max_length=64,
                        unique=True,
                        verbose_name="content digest",
                    ),
                ),
                ("snapshot", models.JSONField(verbose_name="policy as it was")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "policy",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="versions",
                        to="deadlines.deadlinepolicy",
                        verbose_name="policy",
                    ),
                ),
            ],
            options={
                "verbose_name": "deadline policy version",
                "verbose_name_plural": "deadline policy versions",
                "ordering": ["policy", "created_at"],
            },
        ),
        migrations.AlterField(
            model_name="deadline",
            name="policy_snapshot",
            field=models.JSONField(null=True, verbose_name="policy as it started"),
        ),
        migrations.AddField(
            model_name="deadline",
            name="policy_version",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="deadlines.deadlinepolicyversion",
                verbose_name="policy as it started",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
