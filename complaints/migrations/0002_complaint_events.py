"""A complaint's timeline becomes its own (ComplaintEvent): the complaint lines of the shared
timeline are copied over in their order; incidents 0004 then drops them from it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FIELDS = ["at", "actor_id", "kind", "action", "from_state", "to_state", "payload", "reason"]


def copy_complaint_lines(apps, schema_editor):
    TimelineEvent = apps.get_model("incidents", "TimelineEvent")
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    lines = TimelineEvent.objects.filter(complaint__isnull=False).order_by("id")
    batch = []
    for line in lines.iterator(chunk_size=2000):
        batch.append(
            ComplaintEvent(complaint_id=line.complaint_id, **{f: getattr(line, f) for f in FIELDS})
        )
        if len(batch) == 2000:
            ComplaintEvent.objects.bulk_create(batch)
            batch = []
    ComplaintEvent.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    TimelineEvent = apps.get_model("incidents", "TimelineEvent")
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    TimelineEvent.objects.bulk_create(
        TimelineEvent(complaint_id=line.complaint_id, **{f: getattr(line, f) for f in FIELDS})
        for line in ComplaintEvent.objects.order_by("id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("incidents", "0003_complaints_leave"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplaintEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('action', models.CharField(blank=True, max_length=40, verbose_name='action')),
                ('from_state', models.CharField(blank=True, max_length=20, verbose_name='from')),
                ('to_state', models.CharField(blank=True, max_length=20, verbose_name='to')),
                ('payload', models.JSONField(blank=True, default=dict, verbose_name='details')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('kind', models.CharField(choices=[('created', 'Created'), ('transition', 'State changed'), ('cooperation', 'Department joined'), ('deadline', 'Deadline missed'), ('due_time', 'Due time set'), ('linked', 'Linked to an incident')], max_length=20, verbose_name='kind')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='timeline', to='complaints.complaint')),
            ],
            options={
                'verbose_name': 'complaint event',
                'verbose_name_plural': 'complaint events',
                'ordering': ['at', 'id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(copy_complaint_lines, copy_back),
    ]
