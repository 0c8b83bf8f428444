"""Ship the distribution matrix (表-4) and the acknowledgment limits as data."""

import json
from pathlib import Path

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load(apps, schema_editor):
    from incidents.defaults import load_deadline_policies

    Rule = apps.get_model("alerts", "DistributionRule")
    matrix = json.loads((FIXTURES / "distribution.json").read_text(encoding="utf-8"))
    for trigger, audiences in matrix.items():
        if trigger.startswith("_"):
            continue
        for audience in audiences:
            Rule.objects.get_or_create(trigger=trigger, audience=audience)
    load_deadline_policies(
        apps.get_model("incidents", "DeadlinePolicy"), FIXTURES / "deadline_policies.json"
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("incidents", "0006_alert_record_type")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
