"""The day's number sequences (from incidents) and the answers kept for idempotent retries
(from organisation) are plumbing: they join core. The tables stay where they are (their new
names come in 0002); this migration only tells Django's state whose models they are, and
moves their content types along."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = {"incidents": ["numbersequence"], "organisation": ["idempotencyrecord"]}


def content_types_here(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models_ in MOVED.items():
        ContentType.objects.filter(app_label=app_label, model__in=models_).update(
            app_label="core"
        )


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models_ in MOVED.items():
        ContentType.objects.filter(app_label="core", model__in=models_).update(
            app_label=app_label
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0004_timeline_of_incidents"),
        ("organisation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(content_types_here, content_types_back),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NumberSequence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("prefix", models.CharField(max_length=10)),
                        ("day", models.DateField()),
                        ("last", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "incidents_numbersequence",
                        "constraints": [models.UniqueConstraint(fields=("prefix", "day"), name="one_sequence_per_day")],
                    },
                ),
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("scope", models.CharField(max_length=50)),
                        ("key", models.CharField(max_length=255)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("response", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "organisation_idempotencyrecord",
                        "verbose_name": "idempotency record",
                        "verbose_name_plural": "idempotency records",
                        "constraints": [models.UniqueConstraint(fields=("user", "scope", "key"), name="one_answer_per_key")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
