"""The time limits of seeds 000, 002, 003 and 004, shipped as deadline policies (data)."""

from django.db import migrations


def load(apps, schema_editor):
    from deadlines.defaults import load_deadline_policies

    load_deadline_policies(apps.get_model("deadlines", "DeadlinePolicy"))


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
