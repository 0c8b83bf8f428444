"""The shipped report recipients (data, editable in the admin): who receives the report to
the leadership, the HQ feedback, the written plan and the special bulletin (seed 000
第十一条, 第十二条(二)). Demo addresses: an operator replaces them."""

import json
from pathlib import Path

from django.db import migrations

RECIPIENTS = Path(__file__).resolve().parent.parent / "fixtures" / "report_recipients.json"


def load(apps, schema_editor):
    Recipient = apps.get_model("hq", "ReportRecipient")
    if Recipient.objects.exists():
        return
    rows = json.loads(RECIPIENTS.read_text(encoding="utf-8"))
    Recipient.objects.bulk_create(Recipient(**row) for row in rows)


class Migration(migrations.Migration):
    dependencies = [("hq", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
