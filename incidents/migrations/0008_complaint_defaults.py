"""Complaint limits apply by kind of complaint (seed 003, 004); a default mass-complaint rule."""

import json
from pathlib import Path

from django.db import migrations

POLICIES = Path(__file__).resolve().parent.parent / "fixtures" / "deadline_policies.json"


def load(apps, schema_editor):
    Policy = apps.get_model("incidents", "DeadlinePolicy")
    for row in json.loads(POLICIES.read_text(encoding="utf-8")):
        # only where an admin has not changed the shipped value
        Policy.objects.filter(code=row["code"], applies_when="always").exclude(
            applies_when=row["applies_when"]
        ).update(applies_when=row["applies_when"])
    # corrections of two shipped values, again only where unchanged
    Policy.objects.filter(code="complaint-form-issue", starts_at="opened").update(
        starts_at="received"
    )
    Policy.objects.filter(code="complaint-callback", responsible="owner").update(
        responsible="customer_service"
    )
    Rule = apps.get_model("incidents", "MassComplaintRule")
    if not Rule.objects.exists():
        Rule.objects.create(business_line="", threshold=20, window_minutes=60)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0007_complaints")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
