"""The incident timeline holds incidents' lines only: the complaint lines, copied to the
complaints' own timeline by complaints 0002, leave it."""

import django.db.models.deletion
from django.db import migrations, models


def drop_complaint_lines(apps, schema_editor):
    TimelineEvent = apps.get_model("incidents", "TimelineEvent")
    TimelineEvent.objects.filter(complaint__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_complaints_leave"),
        ("complaints", "0002_complaint_events"),
    ]

    operations = [
        # the lines stay where they are when going back: complaints 0002 copies them back
        migrations.RunPython(drop_complaint_lines, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="timelineevent", name="timeline_of_one_record"),
        migrations.RemoveField(model_name="timelineevent", name="complaint"),
        migrations.AlterField(
            model_name="timelineevent",
            name="incident",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="timeline",
                to="incidents.incident",
            ),
        ),
        migrations.AlterField(
            model_name='timelineevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('transition', 'State changed'), ('level', 'Level changed'), ('facts', 'Facts changed'), ('submission', 'Submission'), ('owner', 'Owner changed'), ('cooperation', 'Department joined'), ('deadline', 'Deadline missed'), ('due_time', 'Due time set'), ('improvement', 'Rectification')], max_length=20, verbose_name='kind'),
        ),
    ]
