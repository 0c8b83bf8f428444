"""The day's number sequences are core's now (core 0001): they leave this app's state; the
table stays (core 0002 renames it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_timeline_of_incidents"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="NumberSequence")],
            database_operations=[],
        )
    ]
