"""Alerts of incidents cancelled before the bell knew to leave them out: their unread
messages, and the unread reminders to acknowledge them, no longer count as unread (what
``alerts.services.alerts_withdraw`` does at each cancellation from now on)."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def withdraw(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    AlertRecipient = apps.get_model("alerts", "AlertRecipient")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("deadlines", "Deadline")
    Notification = apps.get_model("notifications", "Notification")
    alerts = Alert.objects.filter(incident__state="cancelled").values_list("pk", flat=True)
    content_type = ContentType.objects.filter(app_label="alerts", model="alertrecipient").first()
    keys = Q(dedupe_key__in=[f"alert:{pk}" for pk in alerts])
    if content_type is not None:
        for pk in Deadline.objects.filter(
            content_type=content_type,
            object_id__in=AlertRecipient.objects.filter(incident__state="cancelled").values("pk"),
            kind__in=["alert-acknowledge", "alert-acknowledge-escalated"],
        ).values_list("pk", flat=True):
            keys |= Q(dedupe_key__startswith=f"deadline:{pk}:reminder:")
    Notification.objects.filter(keys, read_at__isnull=True).update(read_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_shipped_rules"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
