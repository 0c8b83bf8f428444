"""The supervision tables take the names of their app."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0003_supervision_samples"),
        ("incidents", "0003_complaints_leave"),
    ]

    operations = [
        migrations.AlterModelTable(name="supervisionsample", table=None),
        migrations.AlterModelTable(name="samplereview", table=None),
    ]
