"""Ship the warning-level matrix of seed 000 表-1 as the first rule-set version."""

from django.db import migrations


def load(apps, schema_editor):
    from incidents.defaults import load_warning_matrix

    load_warning_matrix(
        apps.get_model("incidents", "ClassificationRuleSet"),
        apps.get_model("incidents", "ClassificationRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
