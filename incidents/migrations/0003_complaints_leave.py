"""Complaints (complaints 0001) and the supervision samples (accountability 0003) have left
for apps of their own: they leave this app's state. The database keeps every table; the
complaint lines of the timeline move in complaints 0002 and incidents 0004."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_shipped_rules"),
        ("complaints", "0001_initial"),
        ("accountability", "0003_supervision_samples"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="timelineevent",
                    name="complaint",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="complaints.complaint",
                    ),
                ),
                migrations.DeleteModel(name="SampleReview"),
                migrations.DeleteModel(name="SupervisionSample"),
                migrations.DeleteModel(name="PersonalDataRead"),
                migrations.DeleteModel(name="MassComplaintCluster"),
                migrations.DeleteModel(name="ComplaintCooperation"),
                migrations.DeleteModel(name="MassComplaintRule"),
                migrations.DeleteModel(name="Complaint"),
            ],
            database_operations=[],
        ),
    ]
