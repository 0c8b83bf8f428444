"""Every deadline refers to its policy's version (0004): the copies go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0004_policy_versions")]

    operations = [
        migrations.RemoveField(model_name="deadline", name="policy_snapshot"),
        migrations.AlterField(
            model_name="deadline",
            name="policy_version",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="deadlines.deadlinepolicyversion",
                verbose_name="policy as it started",
            ),
        ),
    ]
