"""The working group's supervision samples join accountability. The tables stay where they
are (their new names come in 0004): this migration only tells Django's state that the models
are accountability's, and moves their content types along."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ["supervisionsample", "samplereview"]


def content_types_to(app_label: str, from_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=from_label, model__in=MODELS).update(
            app_label=app_label
        )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0002_shipped_catalogue"),
        ("complaints", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0002_shipped_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            content_types_to("accountability", "incidents"),
            content_types_to("incidents", "accountability"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SampleReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('compliant', models.BooleanField(null=True, verbose_name='handled as required')),
                        ('findings', models.TextField(blank=True, verbose_name='findings')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'incidents_samplereview',
                        'verbose_name': 'sample review',
                        'verbose_name_plural': 'sample reviews',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='SupervisionSample',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('drawn_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('since', models.DateField(verbose_name='closed since')),
                        ('until', models.DateField(verbose_name='closed until')),
                        ('size', models.PositiveSmallIntegerField(verbose_name='sample size')),
                        ('seed', models.CharField(max_length=40, verbose_name='random seed')),
                    ],
                    options={
                        'db_table': 'incidents_supervisionsample',
                        'verbose_name': 'supervision sample',
                        'verbose_name_plural': 'supervision samples',
                        'ordering': ['-drawn_at'],
                    },
                ),
                migrations.AddField(
                    model_name='samplereview',
                    name='complaint',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='complaints.complaint'),
                ),
                migrations.AddField(
                    model_name='samplereview',
                    name='incident',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='incidents.incident'),
                ),
                migrations.AddField(
                    model_name='samplereview',
                    name='reviewed_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='supervisionsample',
                    name='drawn_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='samplereview',
                    name='sample',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='accountability.supervisionsample'),
                ),
            ],
            database_operations=[],
        ),
    ]
