"""The province's rollup (by department and level, over every city and business line),
filled from the rollups already computed, day and month rows alike."""

import django.db.models.deletion
from django.db import migrations, models


INCIDENT = ("opened", "resolved", "restored", "restore_seconds", "closed", "recurred")
ACK = ("acknowledged", "ack_seconds")
COMPLAINT = ("received", "escalated", "archived", "first_ask", "answered", "satisfied", "repeated")
ALL = INCIDENT + ACK + COMPLAINT


def _part(table: str, level: str, counters: tuple[str, ...], where: str) -> str:
    columns = ", ".join(name if name in counters else f"0 AS {name}" for name in ALL)
    return f"SELECT grain, day, department_id, {level} AS level, {columns} FROM {table}{where}"


FILL = f"""
INSERT INTO dashboards_provincerollup (grain, day, department_id, level, {", ".join(ALL)})
SELECT grain, day, department_id, level, {", ".join(f"SUM({name})" for name in ALL)}
FROM ({" UNION ALL ".join([
    _part("dashboards_incidentrollup", "level", INCIDENT, " WHERE city_id IS NULL"),
    _part("dashboards_ackrollup", "level", ACK, " WHERE city_id IS NULL"),
    _part("dashboards_complaintrollup", "''", COMPLAINT, ""),
])}) AS parts
GROUP BY grain, day, department_id, level
ORDER BY grain, day
"""  # in order of their days, as the daily recomputation writes them: a period reads few pages


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0001_initial'),
        ('organisation', '0002_idempotency_leaves'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProvinceRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('grain', models.CharField(choices=[('day', 'Day'), ('month', 'Month')], default='day', max_length=5, verbose_name='grain')),
                ('level', models.CharField(blank=True, max_length=10)),
                ('opened', models.PositiveIntegerField(default=0)),
                ('resolved', models.PositiveIntegerField(default=0)),
                ('restored', models.PositiveIntegerField(default=0)),
                ('restore_seconds', models.BigIntegerField(default=0)),
                ('closed', models.PositiveIntegerField(default=0)),
                ('recurred', models.PositiveIntegerField(default=0)),
                ('acknowledged', models.PositiveIntegerField(default=0)),
                ('ack_seconds', models.BigIntegerField(default=0)),
                ('received', models.PositiveIntegerField(default=0)),
                ('escalated', models.PositiveIntegerField(default=0)),
                ('archived', models.PositiveIntegerField(default=0)),
                ('first_ask', models.PositiveIntegerField(default=0)),
                ('answered', models.PositiveIntegerField(default=0)),
                ('satisfied', models.PositiveIntegerField(default=0)),
                ('repeated', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisation.department')),
            ],
            options={
                'indexes': [models.Index(fields=['grain', 'day'], name='province_rollup_day')],
            },
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
