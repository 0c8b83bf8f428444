"""The lease that lets one Celery beat send the periodic tasks (core.beat)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_own_tables'),
    ]

    operations = [
        migrations.CreateModel(
            name='Lease',
            fields=[
                ('name', models.CharField(max_length=50, primary_key=True, serialize=False)),
                ('holder', models.CharField(max_length=255)),
                ('held_until', models.DateTimeField()),
                ('acquired_at', models.DateTimeField()),
            ],
        ),
    ]
