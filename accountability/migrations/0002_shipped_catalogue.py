"""Ship the penalty catalogue, the cascade grades and the grade rules."""

from django.db import migrations


def load(apps, schema_editor):
    from accountability.defaults import load_catalogue

    load_catalogue(
        apps.get_model("accountability", "PenaltyRule"),
        apps.get_model("accountability", "CascadeGrade"),
        apps.get_model("accountability", "GradeRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
