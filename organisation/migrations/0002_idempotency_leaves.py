"""The answers kept for idempotent retries are core's now (core 0001): they leave this app's
state; the table stays (core 0002 renames it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        )
    ]
