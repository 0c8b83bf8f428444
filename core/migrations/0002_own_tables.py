"""The number sequences and idempotency records take the names of their app."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("incidents", "0005_numbering_leaves"),
        ("organisation", "0002_idempotency_leaves"),
    ]

    operations = [
        migrations.AlterModelTable(name="numbersequence", table=None),
        migrations.AlterModelTable(name="idempotencyrecord", table=None),
    ]
