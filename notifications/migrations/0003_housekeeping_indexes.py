"""The index the prune of sent deliveries past their retention reads."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_outage_proof'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('state', 'sent')), fields=['sent_at'], name='delivery_sent'),
        ),
    ]
