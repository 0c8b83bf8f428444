"""Ship the time limits of seeds 000, 002, 003 and 004 as deadline policies."""

from django.db import migrations


def load(apps, schema_editor):
    from incidents.defaults import load_deadline_policies

    load_deadline_policies(apps.get_model("incidents", "DeadlinePolicy"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_deadlines")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
