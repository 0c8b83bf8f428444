"""A year whose holiday schedule an administrator entered (CalendarYear), and the timeline
line that says a waiting deadline got its due time."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_repair_limit_22h"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelineevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("transition", "State changed"),
                    ("level", "Level changed"),
                    ("facts", "Facts changed"),
                    ("submission", "Submission"),
                    ("owner", "Owner changed"),
                    ("cooperation", "Department joined"),
                    ("deadline", "Deadline missed"),
                    ("due_time", "Due time set"),
                    ("linked", "Linked to an incident"),
                    ("improvement", "Rectification"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="year")),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="confirmed"
                    ),
                ),
                (
                    "notes",
                    models.TextField(
                        blank=True,
                        help_text="Where the schedule comes from, e.g. the notice.",
                        verbose_name="notes",
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="confirmed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "calendar year",
                "verbose_name_plural": "calendar years",
                "ordering": ["-year"],
            },
        ),
    ]
