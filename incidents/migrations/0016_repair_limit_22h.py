"""The repair limit is 22 hours (seed 003 第六条: 维护人员22小时内为用户排除故障); it shipped as
24. Only the shipped row changes: a limit an administrator has edited stays as they set it."""

from django.db import migrations

SHIPPED, SEED = 24 * 60, 22 * 60


def forwards(apps, schema_editor):
    Policy = apps.get_model("incidents", "DeadlinePolicy")
    Policy.objects.filter(code="complaint-repair", clock="wall", amount=SHIPPED).update(
        amount=SEED, citation="seed 003 第六条"
    )


def backwards(apps, schema_editor):
    Policy = apps.get_model("incidents", "DeadlinePolicy")
    Policy.objects.filter(code="complaint-repair", clock="wall", amount=SEED).update(
        amount=SHIPPED, citation="seed 003 (22 h in the seed)"
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_fewer_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
