"""Rules are priced per occurrence, per hour or per day late (it was a per-hour flag), and a
violation found from a breach keeps its deadline, from which its hours or days late are
counted (seed 003 第九条(一)12)."""

import django.db.models.deletion
from django.db import migrations, models


def per_hour_to_priced_per(apps, schema_editor):
    Rule = apps.get_model("accountability", "PenaltyRule")
    Rule.objects.filter(per_hour=True).update(priced_per="hour")


def priced_per_to_per_hour(apps, schema_editor):
    Rule = apps.get_model("accountability", "PenaltyRule")
    Rule.objects.filter(priced_per="hour").update(per_hour=True)


def link_deadlines(apps, schema_editor):
    """The violations found from breaches so far name their deadline in the evidence key."""
    Violation = apps.get_model("accountability", "Violation")
    Deadline = apps.get_model("incidents", "Deadline")
    for violation in Violation.objects.filter(evidence_key__startswith="deadline:"):
        pk = violation.evidence_key.partition(":")[2]
        if pk.isdigit() and Deadline.objects.filter(pk=int(pk)).exists():
            Violation.objects.filter(pk=violation.pk).update(deadline_id=int(pk))


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0002_catalogue"),
        ("incidents", "0014_deadline_announced"),
    ]

    operations = [
        migrations.AddField(
            model_name="penaltyrule",
            name="priced_per",
            field=models.CharField(
                choices=[
                    ("occurrence", "Each occurrence"),
                    ("hour", "Each hour late"),
                    ("day", "Each day late"),
                ],
                default="occurrence",
                max_length=20,
                verbose_name="priced per",
            ),
        ),
        migrations.RunPython(per_hour_to_priced_per, priced_per_to_per_hour),
        migrations.RemoveField(model_name="penaltyrule", name="per_hour"),
        migrations.RenameField(model_name="violation", old_name="hours_late", new_name="units_late"),
        migrations.AlterField(
            model_name="violation",
            name="units_late",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Counted from the breached deadline when the violation is determined.",
                verbose_name="hours or days late",
            ),
        ),
        migrations.AddField(
            model_name="violation",
            name="deadline",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="incidents.deadline",
                verbose_name="breached deadline",
            ),
        ),
        migrations.RunPython(link_deadlines, migrations.RunPython.noop),
    ]
