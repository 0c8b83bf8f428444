"""Ship the rule for planned work not announced beforehand (seed 003 第八条8, 200 yuan)."""

from django.db import migrations


def load(apps, schema_editor):
    from accountability.defaults import load_catalogue

    # creates only the rows that do not exist yet: the new rule; edits stay as they are
    load_catalogue(
        apps.get_model("accountability", "PenaltyRule"),
        apps.get_model("accountability", "CascadeGrade"),
        apps.get_model("accountability", "GradeRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("accountability", "0005_alter_penaltyrule_cascade_grade")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
