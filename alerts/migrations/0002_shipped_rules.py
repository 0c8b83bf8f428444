"""The distribution matrix (seed 000 表-4) and the acknowledgment limits, shipped as data."""

import json
from pathlib import Path

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load(apps, schema_editor):
    from deadlines.defaults import load_deadline_policies

    Rule = apps.get_model("alerts", "DistributionRule")
    matrix = json.loads((FIXTURES / "distribution.json").read_text(encoding="utf-8"))
    for trigger, audiences in matrix.items():
        if trigger.startswith("_"):
            continue
        for audience in audiences:
            Rule.objects.get_or_create(trigger=trigger, audience=audience)
    load_deadline_policies(
        apps.get_model("deadlines", "DeadlinePolicy"), FIXTURES / "deadline_policies.json"
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("deadlines", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
