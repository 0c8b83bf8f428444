"""The complaint tables take the names of their app."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_complaint_events"),
        ("incidents", "0004_timeline_of_incidents"),
    ]

    operations = [
        migrations.AlterModelTable(name=name, table=None)
        for name in [
            "complaint",
            "complaintcooperation",
            "masscomplaintrule",
            "masscomplaintcluster",
            "personaldataread",
        ]
    ]
